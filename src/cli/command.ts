// What a `graft` subcommand is. Each lives in src/cli/commands/<name>.ts and is listed in commands/index.ts.
import type { FlagSpec, ParsedArgs } from './args';

export interface CliIO {
  /** Standard output (results). */
  out: (text: string) => void;
  /** Standard error (progress, warnings). */
  err: (text: string) => void;
  /** Aborted on Ctrl-C / SIGTERM. */
  signal: AbortSignal;
  /** True when stderr is a terminal (progress bars may redraw). */
  tty: boolean;
}

export interface Command {
  name: string;
  /** One line for `graft --help`. */
  summary: string;
  /** Usage line after `graft`, e.g. `inspect PATH [--tensors] [--json]`. */
  usage: string;
  flags: Record<string, FlagSpec>;
  /** Returns the exit code. Throw GraftError for user-facing failures. */
  run(args: ParsedArgs, io: CliIO): Promise<number>;
}
