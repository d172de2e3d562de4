// The tensors a family's config implies, with shapes, in forward order. The fixture factory builds checkpoints
// from this; growth and upcycling can compare a planned output against it.
import { FamilyError } from '../errors';
import { classifyTensor } from './classify';
import { moeLayerIndices, readInt, readMoeConfig, readNumLayers, readTied, type Config } from './config';
import { globalTensorName, layerTensorName } from './names';
import type { FamilyTable, MatrixKind, TensorClass } from './types';

export interface ExpectedTensor {
  name: string;
  shape: number[];
  cls: TensorClass;
}

function mlpShapes(tpl: Partial<Record<MatrixKind, string>>, inter: number, hidden: number): [string, number[]][] {
  const out: [string, number[]][] = [];
  if (tpl.gate) out.push([tpl.gate, [inter, hidden]]);
  if (tpl.up) out.push([tpl.up, [inter, hidden]]);
  if (tpl.down) out.push([tpl.down, [hidden, inter]]);
  return out;
}

function attentionShapes(t: FamilyTable, c: Config, hidden: number, file?: string): [string, number[]][] {
  const p = t.attnPrefix;
  const a = t.attention;
  const heads = readInt(c, 'num_attention_heads', file)!;
  const out: [string, number[]][] = [];
  if (a.kind === 'mla') {
    const qLora = readInt(c, 'q_lora_rank', file, { optional: true });
    const kvLora = readInt(c, 'kv_lora_rank', file)!;
    const nope = readInt(c, 'qk_nope_head_dim', file)!;
    const rope = readInt(c, 'qk_rope_head_dim', file)!;
    const vDim = readInt(c, 'v_head_dim', file)!;
    if (qLora === undefined) out.push([`${p}q_proj.weight`, [heads * (nope + rope), hidden]]);
    else {
      out.push([`${p}q_a_proj.weight`, [qLora, hidden]], [`${p}q_a_layernorm.weight`, [qLora]]);
      out.push([`${p}q_b_proj.weight`, [heads * (nope + rope), qLora]]);
    }
    out.push([`${p}kv_a_proj_with_mqa.weight`, [kvLora + rope, hidden]], [`${p}kv_a_layernorm.weight`, [kvLora]]);
    out.push([`${p}kv_b_proj.weight`, [heads * (nope + vDim), kvLora]]);
    out.push([t.attnOutProj, [hidden, heads * vDim]]);
    return out;
  }
  const kv = readInt(c, 'num_key_value_heads', file, { optional: true }) ?? heads;
  const hd = readInt(c, 'head_dim', file, { optional: true }) ?? hidden / heads;
  if (!Number.isInteger(hd)) throw new FamilyError('config', `config.json: hidden_size ${hidden} is not a multiple of num_attention_heads ${heads} and head_dim is missing`, { file, key: 'head_dim' });
  for (const [n, rows] of [['q', heads * hd], ['k', kv * hd], ['v', kv * hd]] as const) {
    out.push([`${p}${n}_proj.weight`, [rows, hidden]]);
    if (a.qkvBias) out.push([`${p}${n}_proj.bias`, [rows]]);
  }
  out.push([t.attnOutProj, [hidden, heads * hd]]);
  if (t.attnOutBias) out.push([t.attnOutBias, [hidden]]);
  if (a.qkNorm) {
    out.push([`${p}q_norm.weight`, [a.qkNorm === 'head' ? hd : heads * hd]]);
    out.push([`${p}k_norm.weight`, [a.qkNorm === 'head' ? hd : kv * hd]]);
  }
  if (a.sinks) out.push([`${p}sinks`, [heads]]);
  return out;
}

/** Every tensor a checkpoint of family `t` with config `c` holds, in forward order. */
export function expectedTensors(t: FamilyTable, c: Config, file?: string): ExpectedTensor[] {
  if (t.id === 'generic') throw new FamilyError('family', 'the generic family has no expected tensors', { key: 'family' });
  const hidden = readInt(c, t.hiddenSizeKey, file)!;
  const vocab = readInt(c, 'vocab_size', file)!;
  const numLayers = readNumLayers(t, c, file);
  const moe = readMoeConfig(t, c, file);
  const moeSet = new Set(moeLayerIndices(t, c, numLayers, file));
  const out: [string, number[]][] = [[globalTensorName(t, 'embed'), [vocab, hidden]]];
  const layer = (i: number, prefixed: [string, number[]][]) => {
    for (const [rel, shape] of prefixed) out.push([layerTensorName(t, i, rel), shape]);
  };
  const mtpCount = t.mtp ? readInt(c, t.mtp.countKey, file, { optional: true, min: 0 }) ?? 0 : 0;
  for (let i = 0; i < numLayers + mtpCount; i++) {
    const rels: [string, number[]][] = [];
    if (i >= numLayers) {
      for (const m of t.mtp!.markers) rels.push([m.name, m.shape.map((d) => (d === 'H' ? hidden : d === '2H' ? 2 * hidden : vocab))]);
    }
    rels.push([t.norms[0], [hidden]], ...attentionShapes(t, c, hidden, file), ...t.norms.slice(1).map((n): [string, number[]] => [n, [hidden]]));
    // MTP layers are MoE layers (DeepSeek V3 builds them as full decoder layers past the dense prefix).
    if (t.moe && moe && (moeSet.has(i) || i >= numLayers)) {
      const m = t.moe;
      const E = moe.numExperts;
      const I = readInt(c, m.expertIntermediateKey, file)!;
      rels.push([m.router, [E, hidden]]);
      for (const b of m.routerBias ?? []) rels.push([b, [E]]);
      if (m.expertLayout === 'per-expert') {
        for (let e = 0; e < E; e++) {
          const tpl = Object.fromEntries(Object.entries(m.experts).map(([k, v]) => [k, v.replace('{e}', String(e))]));
          rels.push(...mlpShapes(tpl, I, hidden));
        }
      } else if (m.expertLayout === 'fused-hf5') {
        rels.push([m.experts.gate_up!, [E, 2 * I, hidden]], [m.experts.down!, [E, hidden, I]]);
      } else {
        rels.push([m.experts.gate_up!, [E, hidden, 2 * I]]);
        if (m.experts.gate_up_bias) rels.push([m.experts.gate_up_bias, [E, 2 * I]]);
        rels.push([m.experts.down!, [E, I, hidden]]);
        if (m.experts.down_bias) rels.push([m.experts.down_bias, [E, hidden]]);
      }
      if (m.sharedExpert && moe.numSharedExperts > 0) {
        const Is = m.sharedIntermediateKey ? readInt(c, m.sharedIntermediateKey, file)! : moe.numSharedExperts * I;
        rels.push(...mlpShapes(m.sharedExpert, Is, hidden));
        if (m.sharedExpertGate) rels.push([m.sharedExpertGate, [1, hidden]]);
      }
    } else if (t.denseMlp) {
      rels.push(...mlpShapes(t.denseMlp, readInt(c, t.denseIntermediateKey!, file)!, hidden));
    }
    layer(i, rels);
  }
  out.push([globalTensorName(t, 'final_norm'), [hidden]]);
  if (!readTied(t, c)) out.push([globalTensorName(t, 'head'), [vocab, hidden]]);
  return out.map(([name, shape]) => ({ name, shape, cls: classifyTensor(t, name, { numLayers }) }));
}
