// Training losses: next-token cross-entropy, the Switch/Mixtral load-balancing loss (Hugging Face's
// load_balancing_loss_func: router statistics pooled over all MoE layers' tokens), and the ST-MoE router z-loss.
import * as A from '../autodiff/index';
import type { Tape, Tensor } from '../autodiff/index';
import type { ModelConfig } from './config';
import type { ForwardResult } from './transformer';

export interface LossTerms {
  /** ce + auxCoef·aux + zCoef·z: what is differentiated. */
  loss: Tensor;
  ce: Tensor;
  aux: Tensor;
  z: Tensor;
}

/** aux = E · Σ_e f_e · P_e, f_e = share of (token, slot) selections of e, P_e = mean router probability of e. */
export function loadBalancingLoss(tp: Tape, fwd: ForwardResult): Tensor {
  const rs = fwd.routing;
  if (rs.length === 0) return tp.scalar(0);
  const E = rs[0].probs.shape[1] as number;
  const n = rs.length * (rs[0].probs.shape[0] as number);
  let probSum: Tensor | undefined;
  let maskSum: Tensor | undefined;
  for (const r of rs) {
    const ps = A.sum(tp, r.probs, [0]);
    const ms = A.sum(tp, r.mask, [0]);
    probSum = probSum ? A.add(tp, probSum, ps) : ps;
    maskSum = maskSum ? A.add(tp, maskSum, ms) : ms;
  }
  return A.mul(tp, A.sumAll(tp, A.mul(tp, maskSum!, probSum!)), E / (n * n));
}

/** z = mean over all MoE layers' tokens of logsumexp(router logits)². */
export function routerZLoss(tp: Tape, fwd: ForwardResult): Tensor {
  const rs = fwd.routing;
  if (rs.length === 0) return tp.scalar(0);
  let total: Tensor | undefined;
  for (const r of rs) {
    const lse = A.logSumExp(tp, r.logits, -1);
    const s = A.sumAll(tp, A.mul(tp, lse, lse));
    total = total ? A.add(tp, total, s) : s;
  }
  return A.mul(tp, total!, 1 / (rs.length * (rs[0].logits.shape[0] as number)));
}

export function lossTerms(tp: Tape, cfg: ModelConfig, fwd: ForwardResult, targets: Tensor): LossTerms {
  const ce = A.crossEntropy(tp, fwd.logits, targets);
  const aux = loadBalancingLoss(tp, fwd);
  const z = routerZLoss(tp, fwd);
  let loss = ce;
  if (cfg.routerAuxCoef > 0 && fwd.routing.length) loss = A.add(tp, loss, A.mul(tp, aux, cfg.routerAuxCoef));
  if (cfg.routerZCoef > 0 && fwd.routing.length) loss = A.add(tp, loss, A.mul(tp, z, cfg.routerZCoef));
  return { loss, ce, aux, z };
}
