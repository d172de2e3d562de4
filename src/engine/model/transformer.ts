// The decoder in forward order (nanoGPT style): embed → [norm → attention → residual → norm → MLP/MoE →
// residual] × L → final norm → LM head. Parameters are looked up by their Hugging Face names.
import * as A from '../autodiff/index';
import type { Tape, Tensor } from '../autodiff/index';
import { EngineError } from '../../core/errors';
import { denseMlpTensorName, globalTensorName } from '../../core/families/index';
import { attention, attentionConsts } from './attention';
import type { ModelConfig } from './config';
import { moeBlock, type Dispatch, type Routing } from './moe';
import { attnNames, normNames } from './params';

export interface ForwardResult {
  /** [B·T, V] */
  logits: Tensor;
  routing: Routing[];
}

export function forward(tp: Tape, cfg: ModelConfig, params: Map<string, Tensor>, inputs: Tensor, dispatch: Dispatch = 'dense'): ForwardResult {
  const [batch, seq] = inputs.shape as number[];
  const p = (name: string): Tensor => {
    const t = params.get(name);
    if (!t) throw new EngineError('engine/model', `model parameter ${name} is not among the graph inputs`, { tensor: name, rule: 'every parameter fed' });
    return t;
  };
  const fam = cfg.family;
  const embed = p(globalTensorName(fam, 'embed'));
  let x = A.reshape(tp, A.gather(tp, embed, inputs), [batch * seq, cfg.hidden]);
  const consts = attentionConsts(tp, cfg, seq);
  const routing: Routing[] = [];
  for (let l = 0; l < cfg.layers; l++) {
    const norms = normNames(cfg, l);
    x = A.add(tp, x, attention(tp, cfg, A.rmsNorm(tp, x, p(norms.input), cfg.rmsEps), p, attnNames(cfg, l), batch, seq, consts));
    const h = A.rmsNorm(tp, x, p(norms.post), cfg.rmsEps);
    const spec = cfg.mlp[l];
    if (spec.kind === 'moe') {
      const { y, routing: r } = moeBlock(tp, cfg, spec, l, h, p, dispatch);
      routing.push(r);
      x = A.add(tp, x, y);
    } else {
      x = A.add(tp, x, A.swiglu(tp, h, p(denseMlpTensorName(fam, l, 'gate')), p(denseMlpTensorName(fam, l, 'up')), p(denseMlpTensorName(fam, l, 'down'))));
    }
  }
  x = A.rmsNorm(tp, x, p(globalTensorName(fam, 'final_norm')), cfg.rmsEps);
  const head = cfg.tied ? embed : p(globalTensorName(fam, 'head'));
  return { logits: A.linear(tp, x, head), routing };
}
