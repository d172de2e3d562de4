// Running the model graphs in ONNX Runtime sessions: evaluation (loss terms, optionally gradients) and the
// train step, whose updated parameters and moments are fed back as the next step's inputs.
//
// Train-step performance (bench/train.bench.ts): the step returns 3 × 4 bytes per parameter (165 MB for the
// 13.8 M-parameter bench model). Letting ORT allocate those outputs each step costs fresh memory (slow to touch
// on our machines) plus the binding's copy into new ArrayBuffers; instead two preallocated state sets are used in
// turn (feed one, fetch into the other), so a warm step touches no fresh memory. On CPU the session is created
// with intra-op spinning off: spinning worker threads burned ~40 % extra CPU per step for nothing and, with
// more runnable threads than cores, slowed the step itself.
import type * as OrtModule from 'onnxruntime-node';
import { EngineError } from '../../core/errors';
import { loadOrt } from '../ort';
import { createSession, Session } from '../session';
import type { ProviderChoice } from '../providers';
import type { AdamWOptions } from './adamw';
import type { ModelConfig } from './config';
import { buildEvalGraph, buildTrainStepGraph, type GraphShape } from './graphs';
import type { ParamSpec } from './params';

export interface RunnerOptions {
  provider?: ProviderChoice;
  threads?: number;
}

export interface LossValues {
  loss: number;
  ce: number;
  aux: number;
  z: number;
}

type FloatArray = Float32Array | Float64Array;

function floatTensor(ort: Session['ort'], float: 'float32' | 'float64', data: ArrayLike<number>, shape: number[]): OrtModule.Tensor {
  return float === 'float64' ? new ort.Tensor('float64', Float64Array.from(data), shape) : new ort.Tensor('float32', data instanceof Float32Array ? data : Float32Array.from(data), shape);
}

function tokenTensor(ort: Session['ort'], tokens: ArrayLike<number> | BigInt64Array, shape: GraphShape): OrtModule.Tensor {
  const n = shape.batch * (shape.seq + 1);
  if (tokens.length !== n) throw new EngineError('engine/feed', `${tokens.length} tokens for a [${shape.batch}, ${shape.seq + 1}] batch`, { key: 'tokens', rule: 'batch × (seq + 1) tokens' });
  const data = tokens instanceof BigInt64Array ? tokens : BigInt64Array.from(Array.from(tokens as ArrayLike<number>, (t) => BigInt(t)));
  return new ort.Tensor('int64', data, [shape.batch, shape.seq + 1]);
}

const scalarOf = (t: OrtModule.Tensor): number => Number((t.data as FloatArray)[0]);

export class EvalRunner {
  private constructor(readonly session: Session, readonly specs: ParamSpec[], readonly shape: GraphShape, readonly withGrads: boolean) {}

  static async create(cfg: ModelConfig, shape: GraphShape, opts: RunnerOptions & { withGrads?: boolean } = {}): Promise<EvalRunner> {
    const g = buildEvalGraph(cfg, shape, opts.withGrads ?? false);
    const { session } = await createSession(g.bytes, { provider: opts.provider ?? 'cpu', threads: opts.threads, label: 'eval graph' });
    return new EvalRunner(session, g.params, shape, opts.withGrads ?? false);
  }

  /** Parameters bound once (as tensors) for many batches. */
  bind(params: ArrayLike<number>[]): Record<string, OrtModule.Tensor> {
    const float = this.shape.float ?? 'float32';
    return Object.fromEntries(this.specs.map((s, i) => [`p${i}`, floatTensor(this.session.ort, float, params[i], s.shape)]));
  }

  async run(bound: Record<string, OrtModule.Tensor>, tokens: ArrayLike<number> | BigInt64Array): Promise<LossValues & { grads?: FloatArray[] }> {
    const out = await this.session.run({ ...bound, tokens: tokenTensor(this.session.ort, tokens, this.shape) });
    const values: LossValues & { grads?: FloatArray[] } = { loss: scalarOf(out.loss), ce: scalarOf(out.ce), aux: scalarOf(out.aux), z: scalarOf(out.z) };
    if (this.withGrads) values.grads = this.specs.map((_, i) => out[`g${i}`].data as FloatArray);
    return values;
  }

  async dispose(): Promise<void> {
    await this.session.dispose();
  }
}

export interface StepResult extends LossValues {
  gradNorm: number;
  /** False when the loss or gradient norm was NaN/Inf: the update was discarded and the state is unchanged. */
  finite: boolean;
}

/** Optimizer state: parameters and AdamW moments, in `specs` order. */
export interface TrainState {
  params: Float32Array[];
  m: Float32Array[];
  v: Float32Array[];
}

/** ORT session options for the train step on CPU (see the file comment). */
export function trainSessionOptions(threads: number | undefined): OrtModule.InferenceSession.SessionOptions {
  return {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    ...(threads ? { intraOpNumThreads: threads, interOpNumThreads: 1 } : {}),
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    logSeverityLevel: 3,
  };
}

/** A CPU session comes with its InferenceSession, which takes preallocated outputs (Session.run does not). */
async function createTrainSession(bytes: Uint8Array, opts: RunnerOptions, label: string): Promise<{ session: Session; inner?: OrtModule.InferenceSession }> {
  if ((opts.provider ?? 'cpu') !== 'cpu') return { session: (await createSession(bytes, { provider: opts.provider, threads: opts.threads, label })).session };
  const ort = await loadOrt();
  try {
    const inner = await ort.InferenceSession.create(bytes, trainSessionOptions(opts.threads));
    return { session: new Session(ort, inner, 'cpu', label), inner };
  } catch (err) {
    const msg = ((err as Error)?.message ?? String(err)).split('\n')[0];
    throw new EngineError('ort-session', `ONNX Runtime rejected the ${label} graph: ${msg}`, { key: label, rule: 'graph must load on CPU' }, { cause: err });
  }
}

type StateKey = 'p' | 'm' | 'v';
const STATE_KEYS: readonly StateKey[] = ['p', 'm', 'v'];

export class TrainStepRunner {
  /** The current state, fed to the next step (the caller's arrays after setState, then one of `sets`). */
  private feeds: Record<string, OrtModule.Tensor> = {};
  /** Two preallocated state sets keyed by graph output name; a step writes into the one not being fed. */
  private readonly sets: Record<string, OrtModule.Tensor>[] = [];
  private next = 0;

  private constructor(
    readonly session: Session, readonly specs: ParamSpec[], readonly shape: GraphShape, readonly nodeCount: number,
    private readonly outNames: Record<StateKey, string[]>, private readonly inner?: OrtModule.InferenceSession,
    /** Seconds spent building the graph and creating the session (for benchmarks and logs). */
    readonly timings: { buildS: number; createS: number } = { buildS: 0, createS: 0 },
  ) {}

  static async create(cfg: ModelConfig, shape: GraphShape, opt: AdamWOptions, opts: RunnerOptions = {}): Promise<TrainStepRunner> {
    const t0 = performance.now();
    const g = buildTrainStepGraph(cfg, { ...shape, float: 'float32' }, opt);
    const t1 = performance.now();
    const { session, inner } = await createTrainSession(g.bytes, opts, 'train-step graph');
    const timings = { buildS: (t1 - t0) / 1000, createS: (performance.now() - t1) / 1000 };
    return new TrainStepRunner(session, g.params, { ...shape, float: 'float32' }, g.nodeCount, g.stateOutputs!, inner, timings);
  }

  /** Feeds the caller's arrays to the next step; they are read, never written. */
  setState(state: TrainState): void {
    const ort = this.session.ort;
    this.specs.forEach((s, i) => {
      this.feeds[`p${i}`] = new ort.Tensor('float32', state.params[i], s.shape);
      this.feeds[`m${i}`] = new ort.Tensor('float32', state.m[i], s.shape);
      this.feeds[`v${i}`] = new ort.Tensor('float32', state.v[i], s.shape);
    });
  }

  /** A copy of the current state (the runner's own buffers are overwritten by later steps). */
  getState(): TrainState {
    const get = (k: string) => this.specs.map((_, i) => (this.feeds[`${k}${i}`].data as Float32Array).slice());
    return { params: get('p'), m: get('m'), v: get('v') };
  }

  private outputSet(): Record<string, OrtModule.Tensor> {
    // Never the set being fed: after a discarded (non-finite) step `next` still points away from it.
    let set = this.sets[this.next];
    if (!set) {
      const ort = this.session.ort;
      set = {};
      for (const k of STATE_KEYS) {
        this.specs.forEach((s, i) => {
          set![this.outNames[k][i]] = new ort.Tensor('float32', new Float32Array(s.shape.reduce((a, b) => a * b, 1)), s.shape);
        });
      }
      this.sets[this.next] = set;
    }
    return set;
  }

  /** One optimizer step: `step` counts from 1 (AdamW bias correction). */
  async step(tokens: ArrayLike<number> | BigInt64Array, lr: number, step: number): Promise<StepResult> {
    const ort = this.session.ort;
    const feeds = {
      ...this.feeds,
      tokens: tokenTensor(ort, tokens, this.shape),
      lr: new ort.Tensor('float32', Float32Array.of(lr), []),
      step: new ort.Tensor('float32', Float32Array.of(step), []),
    };
    // Other providers: ORT allocates the outputs (no preallocated set).
    const set = this.inner ? this.outputSet() : undefined;
    let out: Record<string, OrtModule.Tensor>;
    if (this.inner && set) {
      const fetches: Record<string, OrtModule.Tensor | null> = { ...set, loss: null, ce: null, aux: null, z: null, grad_norm: null };
      try {
        out = (await this.inner.run(feeds, fetches as OrtModule.InferenceSession.FetchesType)) as Record<string, OrtModule.Tensor>;
      } catch (err) {
        throw new EngineError('ort-run', `ONNX Runtime failed running ${this.session.label} on cpu: ${(err as Error)?.message ?? err}`, { key: this.session.label }, { cause: err });
      }
    } else {
      out = await this.session.run(feeds);
    }
    const r: StepResult = { loss: scalarOf(out.loss), ce: scalarOf(out.ce), aux: scalarOf(out.aux), z: scalarOf(out.z), gradNorm: scalarOf(out.grad_norm), finite: false };
    r.finite = Number.isFinite(r.loss) && Number.isFinite(r.gradNorm);
    if (r.finite) {
      for (const k of STATE_KEYS) {
        for (let i = 0; i < this.specs.length; i++) this.feeds[`${k}${i}`] = (set ?? out)[this.outNames[k][i]];
      }
      this.next ^= 1;
    }
    return r;
  }

  async dispose(): Promise<void> {
    await this.session.dispose();
  }
}
