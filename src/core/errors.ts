// Typed errors: every failure a user can cause names the file, the tensor and the rule it broke.
// `code` is stable (the CLI maps it to exit codes and --json; the extension shows `message`).

export interface ErrorDetails {
  /** The file (or folder) the error is about. */
  file?: string;
  /** The tensor name, when one tensor is at fault. */
  tensor?: string;
  /** The rule broken, in a few words (e.g. "offsets must be contiguous"). */
  rule?: string;
  /** Config key, op name or any other locator. */
  key?: string;
}

export class GraftError extends Error {
  override readonly name: string = 'GraftError';
  constructor(
    readonly code: string,
    message: string,
    readonly details: ErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(formatMessage(message, details), options);
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, ...this.details };
  }
}

function formatMessage(message: string, d: ErrorDetails): string {
  const where = [d.file && `file ${d.file}`, d.tensor && `tensor ${d.tensor}`, d.key && `key ${d.key}`].filter(Boolean).join(', ');
  return where ? `${message} (${where})` : message;
}

/** A safetensors file or sharded index breaks the format's rules. */
export class SafetensorsError extends GraftError {
  override readonly name = 'SafetensorsError';
}

/** A checkpoint does not fit its family's table, or its config is inconsistent. */
export class FamilyError extends GraftError {
  override readonly name = 'FamilyError';
}

/** A growth recipe or plan is invalid for the model it is applied to. */
export class PlanError extends GraftError {
  override readonly name = 'PlanError';
}

/** ONNX Runtime, graph building or a provider failed. */
export class EngineError extends GraftError {
  override readonly name = 'EngineError';
}

/** Training data, configuration or a run directory is invalid. */
export class TrainError extends GraftError {
  override readonly name = 'TrainError';
}

/** The user cancelled (Ctrl-C, SIGTERM, a cancel button). Nothing half-written is left behind. */
export class CancelledError extends GraftError {
  override readonly name = 'CancelledError';
  constructor(message = 'cancelled') {
    super('cancelled', message);
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}

/** Long work reports progress through this; the CLI prints it, the extension shows a notification. */
export interface ProgressReport {
  done: number;
  total: number;
  unit: 'bytes' | 'tensors' | 'steps' | 'files';
  message?: string;
}
export type ProgressSink = (p: ProgressReport) => void;
