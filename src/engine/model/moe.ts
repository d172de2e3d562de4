// The sparse MoE block: softmax router, top-k selection with or without renormalisation, SwiGLU experts, and
// Qwen2-MoE's sigmoid-gated shared expert. Two dispatch strategies compute the same function:
//  - 'dense':  every expert runs on every token and its output is scaled by the (mostly zero) gate column;
//              simple and static-shaped, but spends E/K times the expert FLOPs;
//  - 'sparse': each expert gathers only its routed tokens (NonZero → Gather), runs on those rows, and its
//              gated output is scatter-added back (ScatterND add); shapes are data-dependent per step.
import * as A from '../autodiff/index';
import type { Tape, Tensor } from '../autodiff/index';
import { expertTensorName, routerTensorName, sharedExpertGateTensorName, sharedExpertTensorName } from '../../core/families/index';
import type { ModelConfig, MoeLayerSpec } from './config';

export type Dispatch = 'dense' | 'sparse';

/** What the losses need from one MoE layer. */
export interface Routing {
  logits: Tensor;
  probs: Tensor;
  /** 1 where an expert is selected for a token, else 0 (no gradient). */
  mask: Tensor;
}

export function moeBlock(tp: Tape, cfg: ModelConfig, spec: MoeLayerSpec, layer: number, x: Tensor, p: (name: string) => Tensor, dispatch: Dispatch): { y: Tensor; routing: Routing } {
  const t = cfg.family;
  const E = spec.experts;
  const logits = A.linear(tp, x, p(routerTensorName(t, layer)));
  const probs = A.softmax(tp, logits, -1);
  const [values] = A.topk(tp, probs, spec.topK, -1);
  // Selected = at least the k-th largest probability (seeds/inputs with exact ties are not a concern in float).
  const kth = A.slice(tp, values, 1, spec.topK - 1, spec.topK);
  const selected = A.greaterOrEqual(tp, probs, kth);
  let gates = A.where(tp, selected, probs, A.zeros(tp, [], tp.float));
  if (spec.normTopK) gates = A.div(tp, gates, A.sum(tp, gates, [1], true));
  const mask = A.cast(tp, selected, tp.float);
  const expert = (rows: Tensor, e: number) => A.swiglu(tp, rows, p(expertTensorName(t, layer, e, 'gate')), p(expertTensorName(t, layer, e, 'up')), p(expertTensorName(t, layer, e, 'down')));
  const columns = A.split(tp, gates, 1, new Array(E).fill(1));
  let y: Tensor | undefined;
  if (dispatch === 'dense') {
    for (let e = 0; e < E; e++) {
      const ye = A.mul(tp, expert(x, e), columns[e]);
      y = y ? A.add(tp, y, ye) : ye;
    }
  } else {
    const selCols = A.split(tp, mask, 1, new Array(E).fill(1));
    y = A.zeros(tp, x.shape, tp.float);
    for (let e = 0; e < E; e++) {
      const n = `n_l${layer}_e${e}`;
      const flat = tp.emit1('Reshape', [selCols[e], tp.constInt([-1])], {}, [x.shape[0]], tp.float);
      const nz = tp.emit('NonZero', [flat], {}, [{ shape: [1, n], dtype: 'int64' }], undefined, false)[0];
      const idx = tp.emit('Squeeze', [nz, tp.constInt([0])], {}, [{ shape: [n], dtype: 'int64' }], undefined, false)[0];
      const idx2 = tp.emit('Unsqueeze', [idx, tp.constInt([1])], {}, [{ shape: [n, 1], dtype: 'int64' }], undefined, false)[0];
      const rows = A.gather(tp, x, idx);
      const g = A.gather(tp, columns[e], idx);
      y = A.scatterAddRows(tp, y, idx2, A.mul(tp, expert(rows, e), g));
    }
  }
  if (spec.sharedIntermediate > 0) {
    const shared = A.swiglu(tp, x, p(sharedExpertTensorName(t, layer, 'gate')), p(sharedExpertTensorName(t, layer, 'up')), p(sharedExpertTensorName(t, layer, 'down')));
    const sg = A.sigmoid(tp, A.linear(tp, x, p(sharedExpertGateTensorName(t, layer))));
    y = A.add(tp, y!, A.mul(tp, shared, sg));
  }
  return { y: y!, routing: { logits, probs, mask } };
}
