// Causal grouped-query attention with HF rotate-half RoPE, optional q/k/v biases and q/k RMSNorm (per head or
// over the full projection). Heads are laid out [B, kvHeads, group, T, D] so that K and V broadcast over the
// group instead of being repeated.
import * as A from '../autodiff/index';
import type { Tape, Tensor } from '../autodiff/index';
import type { ModelConfig } from './config';
import type { attnNames } from './params';

export interface AttentionConsts {
  cos: Tensor;
  sin: Tensor;
  /** Additive causal mask [T, T]: 0 on and below the diagonal, -1e9 above. */
  mask: Tensor;
}

export function attentionConsts(tp: Tape, cfg: ModelConfig, seq: number): AttentionConsts {
  const { cos, sin } = A.ropeTables(tp, seq, cfg.headDim, cfg.ropeTheta, [seq, 1, 1, cfg.headDim]);
  const m = new Float64Array(seq * seq);
  for (let i = 0; i < seq; i++) for (let j = i + 1; j < seq; j++) m[i * seq + j] = -1e9;
  return { cos, sin, mask: tp.constant(m, [seq, seq]) };
}

/** x [B·T, H] → attention output [B·T, H]. */
export function attention(tp: Tape, cfg: ModelConfig, x: Tensor, p: (name: string) => Tensor, names: ReturnType<typeof attnNames>, batch: number, seq: number, c: AttentionConsts): Tensor {
  const { heads, kvHeads, headDim: D } = cfg;
  const group = heads / kvHeads;
  let q = A.linear(tp, x, p(names.q), cfg.qkvBias ? p(names.qBias) : undefined);
  let k = A.linear(tp, x, p(names.k), cfg.qkvBias ? p(names.kBias) : undefined);
  const v = A.linear(tp, x, p(names.v), cfg.qkvBias ? p(names.vBias) : undefined);
  if (cfg.qkNorm === 'full') {
    q = A.rmsNorm(tp, q, p(names.qNorm), cfg.rmsEps);
    k = A.rmsNorm(tp, k, p(names.kNorm), cfg.rmsEps);
  }
  let q5 = A.reshape(tp, q, [batch, seq, kvHeads, group, D]);
  let k5 = A.reshape(tp, k, [batch, seq, kvHeads, 1, D]);
  const v5 = A.reshape(tp, v, [batch, seq, kvHeads, 1, D]);
  if (cfg.qkNorm === 'head') {
    q5 = A.rmsNorm(tp, q5, p(names.qNorm), cfg.rmsEps);
    k5 = A.rmsNorm(tp, k5, p(names.kNorm), cfg.rmsEps);
  }
  q5 = A.rope(tp, q5, c.cos, c.sin);
  k5 = A.rope(tp, k5, c.cos, c.sin);
  const qh = A.transpose(tp, q5, [0, 2, 3, 1, 4]); // [B, kv, g, T, D]
  const kt = A.transpose(tp, k5, [0, 2, 3, 4, 1]); // [B, kv, 1, D, T]
  const vh = A.transpose(tp, v5, [0, 2, 3, 1, 4]); // [B, kv, 1, T, D]
  const scores = A.add(tp, A.mul(tp, A.matmul(tp, qh, kt), 1 / Math.sqrt(D)), c.mask);
  const o = A.matmul(tp, A.softmax(tp, scores, -1), vh); // [B, kv, g, T, D]
  const merged = A.reshape(tp, A.transpose(tp, o, [0, 3, 1, 2, 4]), [batch * seq, heads * D]);
  return A.linear(tp, merged, p(names.o));
}
