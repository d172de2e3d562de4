// Does the checkpoint agree with its config? Layer count, experts per MoE layer, router and fused shapes.
// Every mismatch is a FamilyError naming config.json (or the tensor) and the key.
import { FamilyError } from '../errors';
import type { TensorRef } from '../safetensors/types';
import { classifyTensors, TENSOR_ROLES, type TensorClasses } from './classify';
import { moeLayerIndices, readMoeConfig, readNumLayers, type Config } from './config';
import type { FamilyTable } from './types';

/** Distinct expert indices of one layer: a bitmap for 0 .. n-1 (all that pass the check), a set for anything else. */
class ExpertSet {
  private readonly seen: Uint8Array;
  private odd: Set<number> | null = null;
  size = 0;

  constructor(n: number) {
    this.seen = new Uint8Array(n);
  }

  add(e: number): void {
    if (Number.isInteger(e) && e >= 0 && e < this.seen.length) {
      if (!this.seen[e]) {
        this.seen[e] = 1;
        this.size++;
      }
    } else {
      const odd = (this.odd ??= new Set());
      if (!odd.has(e)) {
        odd.add(e);
        this.size++;
      }
    }
  }
}

export interface CheckedShape {
  numLayers: number;
  /** Layers found at index >= numLayers (DeepSeek multi-token prediction). */
  mtpLayers: number[];
  moeLayers: number[];
}

/**
 * Checks `tensors` against `config` for `family`. `configFile` names config.json in errors. Families with no
 * config (generic without a layer-count key) get their layer count from the names.
 */
export function checkConsistency(
  t: FamilyTable, config: Config | null, tensors: ReadonlyMap<string, Pick<TensorRef, 'shape'>>, configFile?: string,
  /** classifyTensors(t, [...tensors.keys()]), when the caller has it already. */
  classes?: TensorClasses,
): CheckedShape {
  const cls = classes ?? classifyTensors(t, [...tensors.keys()]);
  if (cls.size !== tensors.size) throw new Error(`checkConsistency: ${cls.size} classes for ${tensors.size} tensors`);
  const seenLayers = new Set<number>();
  let maxSeen = -1;
  for (let k = 0; k < cls.size; k++) {
    const layer = cls.layer[k];
    if (Number.isNaN(layer)) continue;
    seenLayers.add(layer);
    if (layer > maxSeen) maxSeen = layer;
  }
  const numLayers = config && config[t.layerCountKey] !== undefined ? readNumLayers(t, config, configFile) : maxSeen + 1;
  const mtpLayers = [...seenLayers].filter((l) => l >= numLayers).sort((a, b) => a - b);
  if (mtpLayers.length && !t.mtp) {
    throw new FamilyError('config', `config.json says ${numLayers} layers but tensors exist for layer ${mtpLayers[0]}`, { file: configFile, key: t.layerCountKey });
  }
  for (let i = 0; i < numLayers; i++) {
    if (!seenLayers.has(i)) {
      throw new FamilyError('config', `config.json says ${numLayers} layers but no tensor belongs to layer ${i}`, { file: configFile, key: t.layerCountKey });
    }
  }
  if (!t.moe || !config) return { numLayers, mtpLayers, moeLayers: t.moe ? moeLayerIndices(t, config, numLayers, configFile) : [] };

  const moe = readMoeConfig(t, config, configFile)!;
  const moeLayers = moeLayerIndices(t, config, numLayers, configFile);
  const isMoe = new Set(moeLayers);
  const experts = new Map<number, ExpertSet>();
  const hasRouter = new Set<number>();
  const countKey = t.moe.expertCountKey;
  const roles = TENSOR_ROLES;
  let k = -1;
  tensors.forEach((ref, name) => {
    k++;
    const layer = cls.layer[k];
    const role = roles[cls.role[k]];
    // classifyTensor with { numLayers } makes every tensor of a layer >= numLayers an `mtp` tensor.
    if (Number.isNaN(layer) || role === 'mtp' || (t.mtp && layer >= numLayers)) return;
    if (role === 'router' || role === 'router_bias' || role === 'expert') {
      if (!isMoe.has(layer)) {
        throw new FamilyError('config', `layer ${layer} has routed-expert tensors but config.json makes it a dense layer`, { file: configFile, tensor: name, key: t.denseLayers?.kind ?? countKey });
      }
    }
    if (role === 'router') {
      hasRouter.add(layer);
      if (!cls.companion.get(k) && ref.shape[0] !== moe.numExperts) {
        throw new FamilyError('config', `router has ${ref.shape[0]} rows but config.json ${countKey} = ${moe.numExperts}`, { file: configFile, tensor: name, key: countKey });
      }
    }
    if (role === 'router_bias' && ref.shape[0] !== moe.numExperts) {
      throw new FamilyError('config', `router bias has ${ref.shape[0]} entries but config.json ${countKey} = ${moe.numExperts}`, { file: configFile, tensor: name, key: countKey });
    }
    if (role === 'expert') {
      if (cls.fused[k]) {
        if (ref.shape[0] !== moe.numExperts) {
          throw new FamilyError('config', `fused expert tensor stacks ${ref.shape[0]} experts but config.json ${countKey} = ${moe.numExperts}`, { file: configFile, tensor: name, key: countKey });
        }
      } else if (cls.hasExpert[k]) {
        const expert = cls.expert[k];
        if (expert >= moe.numExperts) {
          throw new FamilyError('config', `expert ${expert} found but config.json ${countKey} = ${moe.numExperts}`, { file: configFile, tensor: name, key: countKey });
        }
        let s = experts.get(layer);
        if (!s) experts.set(layer, (s = new ExpertSet(moe.numExperts)));
        s.add(expert);
      }
    }
  });
  for (const l of moeLayers) {
    if (!hasRouter.has(l)) {
      throw new FamilyError('config', `config.json makes layer ${l} an MoE layer but its router is missing`, { file: configFile, tensor: `${t.layerPrefix.replace('{i}', String(l))}${t.moe.router}`, key: countKey });
    }
    if (t.moe.expertLayout === 'per-expert') {
      const n = experts.get(l)?.size ?? 0;
      if (n !== moe.numExperts) {
        throw new FamilyError('config', `layer ${l} has ${n} experts but config.json ${countKey} = ${moe.numExperts}`, { file: configFile, key: countKey });
      }
    }
  }
  return { numLayers, mtpLayers, moeLayers };
}
