// Does the checkpoint agree with its config? Layer count, experts per MoE layer, router and fused shapes.
// Every mismatch is a FamilyError naming config.json (or the tensor) and the key.
import { FamilyError } from '../errors';
import type { TensorRef } from '../safetensors/types';
import { classifyTensor } from './classify';
import { moeLayerIndices, readMoeConfig, readNumLayers, type Config } from './config';
import type { FamilyTable } from './types';

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
export function checkConsistency(t: FamilyTable, config: Config | null, tensors: ReadonlyMap<string, Pick<TensorRef, 'shape'>>, configFile?: string): CheckedShape {
  const seenLayers = new Set<number>();
  for (const name of tensors.keys()) {
    const c = classifyTensor(t, name);
    if (c.layer !== undefined) seenLayers.add(c.layer);
  }
  const maxSeen = seenLayers.size ? Math.max(...seenLayers) : -1;
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
  const experts = new Map<number, Set<number>>();
  const hasRouter = new Set<number>();
  const countKey = t.moe.expertCountKey;
  for (const [name, ref] of tensors) {
    const c = classifyTensor(t, name, { numLayers });
    if (c.layer === undefined || c.role === 'mtp') continue;
    if (c.role === 'router' || c.role === 'router_bias' || c.role === 'expert') {
      if (!isMoe.has(c.layer)) {
        throw new FamilyError('config', `layer ${c.layer} has routed-expert tensors but config.json makes it a dense layer`, { file: configFile, tensor: name, key: t.denseLayers?.kind ?? countKey });
      }
    }
    if (c.role === 'router') {
      hasRouter.add(c.layer);
      if (!c.companion && ref.shape[0] !== moe.numExperts) {
        throw new FamilyError('config', `router has ${ref.shape[0]} rows but config.json ${countKey} = ${moe.numExperts}`, { file: configFile, tensor: name, key: countKey });
      }
    }
    if (c.role === 'router_bias' && ref.shape[0] !== moe.numExperts) {
      throw new FamilyError('config', `router bias has ${ref.shape[0]} entries but config.json ${countKey} = ${moe.numExperts}`, { file: configFile, tensor: name, key: countKey });
    }
    if (c.role === 'expert') {
      if (c.fused) {
        if (ref.shape[0] !== moe.numExperts) {
          throw new FamilyError('config', `fused expert tensor stacks ${ref.shape[0]} experts but config.json ${countKey} = ${moe.numExperts}`, { file: configFile, tensor: name, key: countKey });
        }
      } else if (c.expert !== undefined) {
        if (c.expert >= moe.numExperts) {
          throw new FamilyError('config', `expert ${c.expert} found but config.json ${countKey} = ${moe.numExperts}`, { file: configFile, tensor: name, key: countKey });
        }
        let s = experts.get(c.layer);
        if (!s) experts.set(c.layer, (s = new Set()));
        s.add(c.expert);
      }
    }
  }
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
