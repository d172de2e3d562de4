// A decoder-only model's hyperparameters, read from a Hugging Face config.json through the family table.
// Family traits the tables do not hold (attention biases, q/k norms, aux-loss keys) are this file's small adapter.
import { FamilyError } from '../../core/errors';
import { moeLayerIndices, readInt, readMoeConfig, readNumLayers, readTied, type Config, type FamilyId, type FamilyTable } from '../../core/families/index';

export type QkNorm = 'none' | 'head' | 'full';

export interface MoeLayerSpec {
  kind: 'moe';
  experts: number;
  topK: number;
  /** Renormalise the top-k softmax weights to sum to 1 (mixtral: always). */
  normTopK: boolean;
  intermediate: number;
  /** Qwen2-MoE shared expert behind a sigmoid gate: its intermediate width, or 0 for none. */
  sharedIntermediate: number;
}

export interface DenseLayerSpec {
  kind: 'dense';
  intermediate: number;
}

export interface ModelConfig {
  family: FamilyTable;
  vocab: number;
  hidden: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  ropeTheta: number;
  rmsEps: number;
  tied: boolean;
  qkvBias: boolean;
  qkNorm: QkNorm;
  mlp: (MoeLayerSpec | DenseLayerSpec)[];
  /** Load-balancing loss weight (router_aux_loss_coef); 0 disables it. */
  routerAuxCoef: number;
  /** Router z-loss weight (router_z_loss_coef); 0 disables it. */
  routerZCoef: number;
}

/** Family traits beyond the tables (checked against the tensors when weights are loaded). */
const TRAITS: Partial<Record<FamilyId, { qkvBias: boolean; qkNorm: QkNorm; auxDefault: number }>> = {
  mixtral: { qkvBias: false, qkNorm: 'none', auxDefault: 0.001 },
  qwen2_moe: { qkvBias: true, qkNorm: 'none', auxDefault: 0.001 },
  qwen3_moe: { qkvBias: false, qkNorm: 'head', auxDefault: 0.001 },
  olmoe: { qkvBias: false, qkNorm: 'full', auxDefault: 0.01 },
  llama: { qkvBias: false, qkNorm: 'none', auxDefault: 0 },
  mistral: { qkvBias: false, qkNorm: 'none', auxDefault: 0 },
  qwen2: { qkvBias: true, qkNorm: 'none', auxDefault: 0 },
  qwen3: { qkvBias: false, qkNorm: 'head', auxDefault: 0 },
};

export const SUPPORTED_FAMILIES = Object.keys(TRAITS) as FamilyId[];

function num(config: Config, key: string, fallback: number | undefined, file?: string): number {
  const v = config[key];
  if (v === undefined || v === null) {
    if (fallback === undefined) throw new FamilyError('config', `config.json: "${key}" is missing`, { file, key, rule: 'needed to build the model' });
    return fallback;
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new FamilyError('config', `config.json: "${key}" must be a number`, { file, key, rule: 'number' });
  return v;
}

export function modelConfigFromHf(family: FamilyTable, config: Config, file?: string): ModelConfig {
  const traits = TRAITS[family.id];
  if (!traits) {
    throw new FamilyError('family', `training and evaluation support ${SUPPORTED_FAMILIES.join(', ')}; this checkpoint is ${family.id}`, { file, key: 'model_type', rule: 'supported family' });
  }
  const hidden = readInt(config, family.hiddenSizeKey, file)!;
  const heads = readInt(config, 'num_attention_heads', file)!;
  const kvHeads = readInt(config, 'num_key_value_heads', file, { optional: true }) ?? heads;
  const headDim = readInt(config, 'head_dim', file, { optional: true }) ?? hidden / heads;
  if (!Number.isInteger(headDim) || headDim % 2 !== 0) throw new FamilyError('config', `config.json: head_dim ${headDim} must be an even integer`, { file, key: 'head_dim', rule: 'even head_dim' });
  if (heads % kvHeads !== 0) throw new FamilyError('config', `num_key_value_heads ${kvHeads} must divide num_attention_heads ${heads}`, { file, key: 'num_key_value_heads', rule: 'GQA groups' });
  const layers = readNumLayers(family, config, file);
  const moe = readMoeConfig(family, config, file);
  const moeLayers = new Set(moeLayerIndices(family, config, layers, file));
  const denseInter = family.denseIntermediateKey ? readInt(config, family.denseIntermediateKey, file, { optional: true }) : undefined;
  const mlp: ModelConfig['mlp'] = [];
  for (let i = 0; i < layers; i++) {
    if (moe && moeLayers.has(i)) {
      const inter = moe.expertIntermediate ?? readInt(config, family.moe!.expertIntermediateKey, file)!;
      if (moe.scoring !== 'softmax') throw new FamilyError('config', 'only softmax routing is supported for training', { file, key: 'scoring_func', rule: 'softmax routing' });
      const sharedKey = family.moe!.sharedIntermediateKey;
      mlp.push({
        kind: 'moe', experts: moe.numExperts, topK: moe.topK, normTopK: moe.normTopK ?? false, intermediate: inter,
        sharedIntermediate: sharedKey && moe.numSharedExperts > 0 ? readInt(config, sharedKey, file)! : 0,
      });
    } else {
      if (denseInter === undefined) throw new FamilyError('config', `layer ${i} is dense but the config has no dense intermediate size`, { file, key: family.denseIntermediateKey ?? 'intermediate_size', rule: 'dense MLP width' });
      mlp.push({ kind: 'dense', intermediate: denseInter });
    }
  }
  return {
    family,
    vocab: readInt(config, 'vocab_size', file)!,
    hidden, layers, heads, kvHeads, headDim,
    ropeTheta: num(config, 'rope_theta', 10000, file),
    rmsEps: num(config, 'rms_norm_eps', 1e-6, file),
    tied: readTied(family, config),
    qkvBias: family.id === 'qwen2_moe' || family.id === 'qwen2' ? true : Boolean(config.attention_bias ?? traits.qkvBias),
    qkNorm: traits.qkNorm,
    mlp,
    routerAuxCoef: moe ? num(config, 'router_aux_loss_coef', traits.auxDefault, file) : 0,
    routerZCoef: num(config, 'router_z_loss_coef', 0, file),
  };
}
