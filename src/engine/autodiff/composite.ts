// Composite ops built from primitives only (their gradients come from the primitives' rules):
// RMSNorm, SiLU, SwiGLU, rotate-half RoPE, cross-entropy.
import type { Tape, Tensor } from './tape';
import { add, mul, neg, reciprocal, sigmoid, sqrt } from './ops/elementwise';
import { concat, gatherElements, slice, unsqueeze } from './ops/movement';
import { linear } from './ops/linalg';
import { logSoftmax, mean, meanAll } from './ops/reduce';

/** x / sqrt(mean(x², last axis) + eps) · w  (Llama/Mixtral RMSNorm, computed in the tape's float type). */
export function rmsNorm(tp: Tape, x: Tensor, w: Tensor, eps: number): Tensor {
  const ms = mean(tp, mul(tp, x, x), [-1], true);
  const inv = reciprocal(tp, sqrt(tp, add(tp, ms, eps)));
  return mul(tp, mul(tp, x, inv), w);
}

export function silu(tp: Tape, x: Tensor): Tensor {
  return mul(tp, x, sigmoid(tp, x));
}

/** SwiGLU MLP on rows x [N, H]: down(silu(gate(x)) · up(x)). */
export function swiglu(tp: Tape, x: Tensor, gate: Tensor, up: Tensor, down: Tensor): Tensor {
  return linear(tp, mul(tp, silu(tp, linear(tp, x, gate)), linear(tp, x, up)), down);
}

/** Hugging Face rotate-half RoPE on x [..., T, D] with cos/sin constants [T, D]. */
export function rope(tp: Tape, x: Tensor, cos: Tensor, sin: Tensor): Tensor {
  const d = x.shape[x.shape.length - 1] as number;
  const x1 = slice(tp, x, -1, 0, d / 2);
  const x2 = slice(tp, x, -1, d / 2, d);
  const rotated = concat(tp, [neg(tp, x2), x1], -1);
  return add(tp, mul(tp, x, cos), mul(tp, rotated, sin));
}

/** cos and sin tables [T, D] (or `shape`, same size) for positions 0..T-1 (inv_freq = θ^(-2i/D), the HF default rope). */
export function ropeTables(tp: Tape, seq: number, headDim: number, theta: number, shape: number[] = [seq, headDim]): { cos: Tensor; sin: Tensor } {
  const half = headDim / 2;
  const cos = new Float64Array(seq * headDim);
  const sin = new Float64Array(seq * headDim);
  for (let t = 0; t < seq; t++) {
    for (let i = 0; i < half; i++) {
      // Match torch: inv_freq computed in float32, then t·inv_freq in float32.
      const invFreq = Math.fround(1 / Math.fround(Math.pow(theta, Math.fround((2 * i) / headDim))));
      const f = Math.fround(t * invFreq);
      cos[t * headDim + i] = cos[t * headDim + i + half] = Math.cos(f);
      sin[t * headDim + i] = sin[t * headDim + i + half] = Math.sin(f);
    }
  }
  return { cos: tp.constant(cos, shape), sin: tp.constant(sin, shape) };
}

/** Mean next-token cross-entropy: logits [N, V], targets int64 [N]. */
export function crossEntropy(tp: Tape, logits: Tensor, targets: Tensor): Tensor {
  const lp = logSoftmax(tp, logits, -1);
  const picked = gatherElements(tp, lp, unsqueeze(tp, targets, 1), 1);
  return neg(tp, meanAll(tp, picked));
}
