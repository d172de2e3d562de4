// In-graph optimizer: global-norm gradient clipping and AdamW, in PyTorch's exact arithmetic order
// (torch.optim.AdamW single-tensor path; torch.nn.utils.clip_grad_norm_). Emitted without recording.
import * as A from '../autodiff/index';
import type { Tape, Tensor } from '../autodiff/index';

export interface AdamWOptions {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** Clip the global L2 norm of all gradients to this; 0 disables clipping. */
  clipNorm: number;
}

export const ADAMW_DEFAULTS: AdamWOptions = { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, clipNorm: 1.0 };

export interface AdamWSlot {
  param: Tensor;
  grad: Tensor;
  m: Tensor;
  v: Tensor;
  decay: boolean;
}

/** Returns the global gradient norm (before clipping) and each slot's new param, m, v. */
export function adamwUpdate(tp: Tape, slots: AdamWSlot[], step: Tensor, lr: Tensor, o: AdamWOptions): { gradNorm: Tensor; updated: { param: Tensor; m: Tensor; v: Tensor }[] } {
  return tp.noGrad(() => {
    let sq: Tensor | undefined;
    for (const s of slots) {
      // One pass, no g² temporary (emitted unrecorded: the optimizer is never differentiated).
      const ss = tp.emit1('ReduceSumSquare', [s.grad], { keepdims: 0 }, [], s.grad.dtype);
      sq = sq ? A.add(tp, sq, ss) : ss;
    }
    const gradNorm = A.sqrt(tp, sq!);
    let coef: Tensor | undefined;
    if (o.clipNorm > 0) {
      const raw = A.div(tp, tp.scalar(o.clipNorm), A.add(tp, gradNorm, 1e-6));
      coef = tp.emit1('Min', [raw, tp.scalar(1)], {}, [], tp.float);
    }
    const bc1 = A.sub(tp, 1, tp.emit1('Pow', [tp.scalar(o.beta1), step], {}, [], tp.float));
    const bc2 = A.sub(tp, 1, tp.emit1('Pow', [tp.scalar(o.beta2), step], {}, [], tp.float));
    const stepSize = A.div(tp, lr, bc1);
    const bc2Sqrt = A.sqrt(tp, bc2);
    const decayFactor = A.sub(tp, 1, A.mul(tp, lr, o.weightDecay));
    const updated = slots.map((s) => {
      const g = coef ? A.mul(tp, s.grad, coef) : s.grad;
      const p0 = s.decay && o.weightDecay > 0 ? A.mul(tp, s.param, decayFactor) : s.param;
      // m.lerp_(g, 1-β1) = m + (1-β1)(g - m); v = β2·v + (1-β2)·g²
      const m = A.add(tp, s.m, A.mul(tp, A.sub(tp, g, s.m), 1 - o.beta1));
      const v = A.add(tp, A.mul(tp, s.v, o.beta2), A.mul(tp, A.mul(tp, g, g), 1 - o.beta2));
      const denom = A.add(tp, A.div(tp, A.sqrt(tp, v), bc2Sqrt), o.eps);
      const param = A.sub(tp, p0, A.mul(tp, A.div(tp, m, denom), stepSize));
      return { param, m, v };
    });
    return { gradNorm, updated };
  });
}
