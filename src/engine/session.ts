// A Session owns one ORT InferenceSession and knows which provider runs it. `createSession` tries the chosen
// provider(s) in order and falls back to CPU with the reason; a failed provider is remembered per process so
// that `auto` does not probe a missing WebGPU adapter for every graph.
import type * as OrtModule from 'onnxruntime-node';
import { EngineError } from '../core/errors';
import { loadOrt, type Ort } from './ort';
import { candidates, unavailableReason, type Provider, type ProviderChoice } from './providers';

export interface SessionOptions {
  provider?: ProviderChoice;
  /** Intra-op threads (0 = ORT's default, one per core). */
  threads?: number;
  /** A name for error messages (e.g. 'stats-chunk'). */
  label?: string;
}

export type Feeds = Record<string, OrtModule.Tensor>;
export type Fetches = Record<string, OrtModule.Tensor>;

export class Session {
  private released = false;
  constructor(
    readonly ort: Ort,
    private readonly inner: OrtModule.InferenceSession,
    readonly provider: Provider,
    readonly label: string,
  ) {}

  get inputNames(): readonly string[] {
    return this.inner.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.inner.outputNames;
  }

  async run(feeds: Feeds): Promise<Fetches> {
    if (this.released) throw new EngineError('session-disposed', `session ${this.label} was disposed`, { rule: 'run after dispose' });
    try {
      return (await this.inner.run(feeds)) as Fetches;
    } catch (err) {
      throw new EngineError('ort-run', `ONNX Runtime failed running ${this.label} on ${this.provider}: ${(err as Error)?.message ?? err}`, { key: this.label }, { cause: err });
    }
  }

  async dispose(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.inner.release();
  }
}

export interface CreatedSession {
  session: Session;
  provider: Provider;
  /** Set when the provider asked for (or tried first by `auto`) could not run and CPU took over. */
  fallbackReason?: string;
}

const failedProviders = new Map<Provider, string>();

/** Forget providers that failed earlier in this process (tests change VK_ICD_FILENAMES between cases). */
export function resetProviderProbe(): void {
  failedProviders.clear();
}

function sessionOptions(p: Provider, threads: number | undefined): OrtModule.InferenceSession.SessionOptions {
  return {
    executionProviders: [p],
    graphOptimizationLevel: 'all',
    ...(threads ? { intraOpNumThreads: threads, interOpNumThreads: 1 } : {}),
    logSeverityLevel: 3,
  };
}

export async function createSession(modelBytes: Uint8Array, opts: SessionOptions = {}): Promise<CreatedSession> {
  const ort = await loadOrt();
  const choice = opts.provider ?? 'cpu';
  const label = opts.label ?? 'graph';
  const reasons: string[] = [];
  for (const p of candidates(choice)) {
    const known = failedProviders.get(p) ?? unavailableReason(ort, p);
    if (known) {
      reasons.push(`${p}: ${known}`);
      continue;
    }
    try {
      const inner = await ort.InferenceSession.create(modelBytes, sessionOptions(p, opts.threads));
      const fallbackReason = reasons.length ? reasons.join('; ') : undefined;
      return { session: new Session(ort, inner, p, label), provider: p, ...(fallbackReason ? { fallbackReason } : {}) };
    } catch (err) {
      const msg = ((err as Error)?.message ?? String(err)).split('\n')[0];
      if (p === 'cpu') {
        throw new EngineError('ort-session', `ONNX Runtime rejected the ${label} graph: ${msg}`, { key: label, rule: 'graph must load on CPU' }, { cause: err });
      }
      // Remember machine-level failures (no adapter, missing library), not a graph this provider cannot run.
      if (/adapter|library|libraries|cannot open shared|not found/i.test(msg)) failedProviders.set(p, msg);
      reasons.push(`${p}: ${msg}`);
    }
  }
  throw new EngineError('ort-session', `no provider could run ${label}: ${reasons.join('; ')}`, { key: label });
}
