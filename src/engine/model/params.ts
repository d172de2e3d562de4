// The model's parameters: Hugging Face tensor names (through the family table's name builders), shapes, and
// whether AdamW decays them (matrices yes; norms and biases no).
import {
  denseMlpTensorName, expertTensorName, globalTensorName, layerTensorName, routerTensorName, sharedExpertGateTensorName, sharedExpertTensorName,
} from '../../core/families/index';
import type { ModelConfig } from './config';

export interface ParamSpec {
  name: string;
  shape: number[];
  decay: boolean;
}

/** Names of one layer's attention tensors (the tables hold the prefix; the projections are Llama-standard). */
export function attnNames(cfg: ModelConfig, layer: number) {
  const t = cfg.family;
  const rel = (s: string) => layerTensorName(t, layer, t.attnPrefix + s);
  return {
    q: rel('q_proj.weight'), k: rel('k_proj.weight'), v: rel('v_proj.weight'), o: layerTensorName(t, layer, t.attnOutProj),
    qBias: rel('q_proj.bias'), kBias: rel('k_proj.bias'), vBias: rel('v_proj.bias'),
    qNorm: rel('q_norm.weight'), kNorm: rel('k_norm.weight'),
  };
}

export function normNames(cfg: ModelConfig, layer: number): { input: string; post: string } {
  const [input, post] = cfg.family.norms;
  return { input: layerTensorName(cfg.family, layer, input), post: layerTensorName(cfg.family, layer, post) };
}

export function paramSpecs(cfg: ModelConfig): ParamSpec[] {
  const t = cfg.family;
  const out: ParamSpec[] = [];
  const add = (name: string, shape: number[]) => out.push({ name, shape, decay: shape.length >= 2 });
  const { hidden: H, heads, kvHeads, headDim: D } = cfg;
  add(globalTensorName(t, 'embed'), [cfg.vocab, H]);
  for (let l = 0; l < cfg.layers; l++) {
    const a = attnNames(cfg, l);
    const n = normNames(cfg, l);
    add(n.input, [H]);
    add(a.q, [heads * D, H]);
    add(a.k, [kvHeads * D, H]);
    add(a.v, [kvHeads * D, H]);
    if (cfg.qkvBias) {
      add(a.qBias, [heads * D]);
      add(a.kBias, [kvHeads * D]);
      add(a.vBias, [kvHeads * D]);
    }
    if (cfg.qkNorm === 'head') {
      add(a.qNorm, [D]);
      add(a.kNorm, [D]);
    } else if (cfg.qkNorm === 'full') {
      add(a.qNorm, [heads * D]);
      add(a.kNorm, [kvHeads * D]);
    }
    add(a.o, [H, heads * D]);
    add(n.post, [H]);
    const mlp = cfg.mlp[l];
    if (mlp.kind === 'moe') {
      add(routerTensorName(t, l), [mlp.experts, H]);
      for (let e = 0; e < mlp.experts; e++) {
        add(expertTensorName(t, l, e, 'gate'), [mlp.intermediate, H]);
        add(expertTensorName(t, l, e, 'up'), [mlp.intermediate, H]);
        add(expertTensorName(t, l, e, 'down'), [H, mlp.intermediate]);
      }
      if (mlp.sharedIntermediate > 0) {
        add(sharedExpertTensorName(t, l, 'gate'), [mlp.sharedIntermediate, H]);
        add(sharedExpertTensorName(t, l, 'up'), [mlp.sharedIntermediate, H]);
        add(sharedExpertTensorName(t, l, 'down'), [H, mlp.sharedIntermediate]);
        add(sharedExpertGateTensorName(t, l), [1, H]);
      }
    } else {
      add(denseMlpTensorName(t, l, 'gate'), [mlp.intermediate, H]);
      add(denseMlpTensorName(t, l, 'up'), [mlp.intermediate, H]);
      add(denseMlpTensorName(t, l, 'down'), [H, mlp.intermediate]);
    }
  }
  add(globalTensorName(t, 'final_norm'), [H]);
  if (!cfg.tied) add(globalTensorName(t, 'head'), [cfg.vocab, H]);
  return out;
}

/** Parameters active per token (METHOD.md §5): all but the unselected routed experts; embeddings counted. */
export function activeParams(cfg: ModelConfig): number {
  let n = 0;
  for (const p of paramSpecs(cfg)) n += p.shape.reduce((a, b) => a * b, 1);
  for (const m of cfg.mlp) if (m.kind === 'moe') n -= (m.experts - m.topK) * 3 * m.intermediate * cfg.hidden;
  return n;
}
