// Parameter counts (METHOD.md §5). N_active = every non-expert parameter + top-k × one expert's parameters per
// MoE layer; shared experts are non-expert here (always on). Tied embeddings are one tensor, so counted once.
import type { TensorRef } from '../safetensors/types';
import type { ActiveParams } from './types';

/**
 * Parameters a tensor stores. Quantisation companions are not parameters (scales) or pack two per byte
 * (MXFP4 `_blocks`, stored as U8).
 */
export function paramsOf(ref: Pick<TensorRef, 'shape' | 'dtype'>, companion?: string): number {
  const shape = ref.shape;
  let numel = 1;
  for (let i = 0; i < shape.length; i++) numel *= shape[i];
  if (companion === '_blocks' && ref.dtype === 'U8') return numel * 2;
  if (companion && companion !== '_blocks') return 0;
  return numel;
}

export interface ActiveInputs {
  total: number;
  /** Routed-expert parameters of all MoE layers. */
  expertParams: number;
  /** Parameters outside the decoder stack that never run for next-token prediction (DeepSeek MTP). */
  mtpParams: number;
  embeddingParams: number;
  headParams: number;
  tiedEmbeddings: boolean;
  /** Undefined when unknown; 0 for dense models. */
  topK: number | undefined;
  /** One routed expert's parameters, per MoE layer. */
  oneExpertByLayer: number[];
}

export function computeActive(x: ActiveInputs): ActiveParams | null {
  if (x.topK === undefined) return null;
  const routedActive = x.oneExpertByLayer.reduce((s, one) => s + x.topK! * one, 0);
  const withEmbeddings = x.total - x.expertParams - x.mtpParams + routedActive;
  return {
    withEmbeddings,
    withoutEmbeddings: withEmbeddings - x.embeddingParams - x.headParams,
    embeddingsCounted: x.tiedEmbeddings ? 'input embedding (tied with the LM head, counted once)' : 'input embedding and LM head',
  };
}
