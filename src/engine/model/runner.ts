// Running the model graphs in ONNX Runtime sessions: evaluation (loss terms, optionally gradients) and the
// train step, whose updated parameters and moments are fed straight back as the next step's inputs.
import type * as OrtModule from 'onnxruntime-node';
import { EngineError } from '../../core/errors';
import { createSession, type Session } from '../session';
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

export class TrainStepRunner {
  private feeds: Record<string, OrtModule.Tensor> = {};

  private constructor(readonly session: Session, readonly specs: ParamSpec[], readonly shape: GraphShape, readonly nodeCount: number) {}

  static async create(cfg: ModelConfig, shape: GraphShape, opt: AdamWOptions, opts: RunnerOptions = {}): Promise<TrainStepRunner> {
    const g = buildTrainStepGraph(cfg, { ...shape, float: 'float32' }, opt);
    const { session } = await createSession(g.bytes, { provider: opts.provider ?? 'cpu', threads: opts.threads, label: 'train-step graph' });
    return new TrainStepRunner(session, g.params, { ...shape, float: 'float32' }, g.nodeCount);
  }

  setState(state: TrainState): void {
    const ort = this.session.ort;
    this.specs.forEach((s, i) => {
      this.feeds[`p${i}`] = new ort.Tensor('float32', state.params[i], s.shape);
      this.feeds[`m${i}`] = new ort.Tensor('float32', state.m[i], s.shape);
      this.feeds[`v${i}`] = new ort.Tensor('float32', state.v[i], s.shape);
    });
  }

  getState(): TrainState {
    const get = (k: string) => this.specs.map((_, i) => this.feeds[`${k}${i}`].data as Float32Array);
    return { params: get('p'), m: get('m'), v: get('v') };
  }

  /** One optimizer step: `step` counts from 1 (AdamW bias correction). */
  async step(tokens: ArrayLike<number> | BigInt64Array, lr: number, step: number): Promise<StepResult> {
    const ort = this.session.ort;
    const out = await this.session.run({
      ...this.feeds,
      tokens: tokenTensor(ort, tokens, this.shape),
      lr: new ort.Tensor('float32', Float32Array.of(lr), []),
      step: new ort.Tensor('float32', Float32Array.of(step), []),
    });
    const r: StepResult = { loss: scalarOf(out.loss), ce: scalarOf(out.ce), aux: scalarOf(out.aux), z: scalarOf(out.z), gradNorm: scalarOf(out.grad_norm), finite: false };
    r.finite = Number.isFinite(r.loss) && Number.isFinite(r.gradNorm);
    if (r.finite) {
      for (let i = 0; i < this.specs.length; i++) {
        this.feeds[`p${i}`] = out[`p${i}_out`];
        this.feeds[`m${i}`] = out[`m${i}_out`];
        this.feeds[`v${i}`] = out[`v${i}_out`];
      }
    }
    return r;
  }

  async dispose(): Promise<void> {
    await this.session.dispose();
  }
}
