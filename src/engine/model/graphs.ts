// The two graphs a model needs: (a) forward + losses (evaluation), (b) one train step = forward + backward +
// global-norm clipping + AdamW, run once per step. Graph inputs: parameters (`p{i}`), moments (`m{i}`, `v{i}`),
// `step`, `lr`, `tokens` int64 [B, T+1]; outputs: `loss`, `ce`, `aux`, `z`, `grad_norm`, and the updated
// parameters and moments under the names in `BuiltGraph.stateOutputs` (the update nodes' own outputs, so that no
// Identity copies 3 × 4 bytes per parameter each step). Parameter i is `paramSpecs(cfg)[i]`. A third graph,
// buildForwardGraph, is the eval graph plus the logits [B·T, V] (for comparing two models' outputs).
import * as A from '../autodiff/index';
import { GraphBuilder } from '../onnx/graphBuilder';
import type { Tape, Tensor } from '../autodiff/index';
import { adamwUpdate, type AdamWOptions } from './adamw';
import type { ModelConfig } from './config';
import { lossTerms, type LossTerms } from './losses';
import type { Dispatch } from './moe';
import { paramSpecs, type ParamSpec } from './params';
import { forward } from './transformer';

export interface GraphShape {
  batch: number;
  seq: number;
  dispatch?: Dispatch;
  /** float64 graphs are for tests (finite differences, tight goldens). */
  float?: 'float32' | 'float64';
}

export interface BuiltGraph {
  bytes: Uint8Array;
  params: ParamSpec[];
  nodeCount: number;
  /** Train step only: graph output names of the updated parameters, first and second moments, in `params` order. */
  stateOutputs?: { p: string[]; m: string[]; v: string[] };
}

function lossGraph(tp: Tape, cfg: ModelConfig, shape: GraphShape): { specs: ParamSpec[]; params: Tensor[]; terms: LossTerms; logits: Tensor } {
  const specs = paramSpecs(cfg);
  const params = specs.map((s, i) => tp.input(`p${i}`, s.shape));
  const tokens = tp.input('tokens', [shape.batch, shape.seq + 1], 'int64', false);
  const inputs = A.slice(tp, tokens, 1, 0, shape.seq);
  const targets = A.reshape(tp, A.slice(tp, tokens, 1, 1, shape.seq + 1), [shape.batch * shape.seq]);
  const fwd = forward(tp, cfg, new Map(specs.map((s, i) => [s.name, params[i]])), inputs, shape.dispatch ?? 'dense');
  return { specs, params, terms: lossTerms(tp, cfg, fwd, targets), logits: fwd.logits };
}

function outputTerms(tp: Tape, terms: LossTerms): void {
  tp.output(terms.loss, 'loss');
  tp.output(terms.ce, 'ce');
  tp.output(terms.aux, 'aux');
  tp.output(terms.z, 'z');
}

/** Forward + losses; with `withGrads`, also the gradient of `loss` for every parameter (`g{i}`). */
export function buildEvalGraph(cfg: ModelConfig, shape: GraphShape, withGrads = false): BuiltGraph {
  const g = new GraphBuilder('graft_eval');
  const tp = new A.Tape(g, shape.float ?? 'float32');
  const { specs, params, terms } = lossGraph(tp, cfg, shape);
  outputTerms(tp, terms);
  if (withGrads) A.grad(tp, terms.loss, params).forEach((gr, i) => tp.output(gr, `g${i}`));
  return { bytes: g.toBytes('graft eval graph'), params: specs, nodeCount: g.nodeCount };
}

/**
 * Forward + losses + the logits themselves (output `logits`, [B·T, V]): the eval graph's outputs plus one more, for
 * comparing two models token by token (src/train/verifyGrowth.ts). Same inputs as the eval graph.
 */
export function buildForwardGraph(cfg: ModelConfig, shape: GraphShape): BuiltGraph {
  const g = new GraphBuilder('graft_forward');
  const tp = new A.Tape(g, shape.float ?? 'float32');
  const { specs, terms, logits } = lossGraph(tp, cfg, shape);
  outputTerms(tp, terms);
  tp.output(logits, 'logits');
  return { bytes: g.toBytes('graft forward graph'), params: specs, nodeCount: g.nodeCount };
}

export function buildTrainStepGraph(cfg: ModelConfig, shape: GraphShape, opt: AdamWOptions): BuiltGraph {
  const g = new GraphBuilder('graft_train_step');
  const tp = new A.Tape(g, shape.float ?? 'float32');
  const { specs, params, terms } = lossGraph(tp, cfg, shape);
  const step = tp.input('step', [], tp.float, false);
  const lr = tp.input('lr', [], tp.float, false);
  const ms = specs.map((s, i) => tp.input(`m${i}`, s.shape, tp.float, false));
  const vs = specs.map((s, i) => tp.input(`v${i}`, s.shape, tp.float, false));
  const grads = A.grad(tp, terms.loss, params);
  const { gradNorm, updated } = adamwUpdate(tp, specs.map((s, i) => ({ param: params[i], grad: grads[i], m: ms[i], v: vs[i], decay: s.decay })), step, lr, opt);
  outputTerms(tp, terms);
  tp.output(gradNorm, 'grad_norm');
  const stateOutputs = { p: [] as string[], m: [] as string[], v: [] as string[] };
  updated.forEach((u) => {
    stateOutputs.p.push(tp.output(u.param).name);
    stateOutputs.m.push(tp.output(u.m).name);
    stateOutputs.v.push(tp.output(u.v).name);
  });
  return { bytes: g.toBytes('graft train-step graph'), params: specs, nodeCount: g.nodeCount, stateOutputs };
}
