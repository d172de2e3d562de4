import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkConsistency, classifyTensor, classifyTensors, COMPANION_SUFFIXES, FAMILIES, getFamily, TENSOR_ROLES, type FamilyTable, type TensorClass,
} from '../../../src/core/families/index';
import { tinyMoeSource } from '../../../src/core/model/index';

// The meaning of a table, spelled as regular expressions tried in table order: the oracle for the lookup tables.
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
function reference(t: FamilyTable, name: string): TensorClass | null {
  const lm = new RegExp(`^${esc(t.layerPrefix).replace(esc('{i}'), '(\\d+)')}(.+)$`).exec(name);
  if (!lm || [t.embed, t.finalNorm, t.head].includes(name)) return null;
  const rel = lm[2];
  const m = t.moe;
  const perExpert = m?.expertLayout === 'per-expert';
  const rules: [string, Partial<TensorClass>, boolean][] = [];
  if (m) {
    rules.push([m.router, { role: 'router' }, false]);
    for (const b of m.routerBias ?? []) rules.push([b, { role: 'router_bias' }, false]);
    for (const [k, v] of Object.entries(m.experts)) rules.push([v, { role: 'expert', matrix: k as TensorClass['matrix'], ...(perExpert ? {} : { fused: true }) }, perExpert]);
    for (const [k, v] of Object.entries(m.sharedExpert ?? {})) rules.push([v, { role: 'shared_expert', matrix: k as TensorClass['matrix'] }, false]);
    if (m.sharedExpertGate) rules.push([m.sharedExpertGate, { role: 'shared_expert_gate' }, false]);
  }
  for (const [k, v] of Object.entries(t.denseMlp ?? {})) rules.push([v, { role: 'dense_mlp', matrix: k as TensorClass['matrix'] }, false]);
  for (const n of t.norms) rules.push([n, { role: 'norm' }, false]);
  for (const n of t.mtp?.markers ?? []) rules.push([n.name, { role: 'mtp' }, false]);
  for (const [tpl, cls, pe] of rules) {
    const r = new RegExp(`^${esc(tpl).replace(esc('{e}'), '(\\d+)')}(${COMPANION_SUFFIXES.join('|')})?$`).exec(rel);
    if (!r) continue;
    const out: TensorClass = { role: cls.role!, layer: Number(lm[1]), relative: rel };
    if (cls.matrix) out.matrix = cls.matrix;
    if (pe) out.expert = Number(r[1]);
    if (cls.fused) out.fused = true;
    const companion = pe ? r[2] : r[1];
    if (companion) out.companion = companion;
    return out;
  }
  return null;
}

const ODD = [
  'model.layers.03.block_sparse_moe.experts.007.w1.weight', 'model.layers.3.block_sparse_moe.experts.12.w3.weight_scales',
  'model.layers.3.block_sparse_moe.experts.12.w3.weight_scale_inv', 'model.layers.3.block_sparse_moe.experts..w1.weight',
  'model.layers.3.block_sparse_moe.experts.1x.w1.weight', 'model.layers.3.block_sparse_moe.experts.5.w1.weightX',
  'model.layers.3.mlp.experts.gate_up_proj_bias_blocks', 'model.layers.3.mlp.experts.gate_up_proj_blocks', 'model.layers.3.',
  'model.layers.3.self_attn.q_proj.weight\n', 'model.layers.3.input_layernorm.weight_scale', 'model.layers.x.input_layernorm.weight',
  'model.layers.99999999999999999999.input_layernorm.weight', 'model.layers.3.mlp.experts.4.gate_proj.weight_scale_inv',
  'model.layers.3.pre_feedforward_layernorm.weight', 'model.layers.3.mlp.gate.e_score_correction_bias', 'model.embed_tokens.weight',
];

describe('classifyTensors', () => {
  it('agrees with classifyTensor for every family on every fixture name and odd names', () => {
    const names = new Set<string>(ODD);
    for (const f of FAMILIES) for (const n of tinyMoeSource({ family: f.id, ...(f.id === 'deepseek_v3' ? { mtpLayers: 1 } : {}) }).tensors.keys()) names.add(n);
    const all = [...names];
    for (const t of [...FAMILIES, getFamily('hf5_fused_moe')]) {
      const cols = classifyTensors(t, all);
      all.forEach((name, k) => {
        const c = classifyTensor(t, name);
        const ref = reference(t, name);
        if (ref) assert.deepEqual(c, ref, `${t.id} ${JSON.stringify(name)}`);
        assert.equal(TENSOR_ROLES[cols.role[k]], c.role, name);
        assert.equal(Number.isNaN(cols.layer[k]) ? undefined : cols.layer[k], c.layer, name);
        assert.equal(cols.hasExpert[k] ? cols.expert[k] : undefined, c.expert, name);
        assert.equal(cols.fused[k] === 1, c.fused === true, name);
        assert.equal(cols.companion.get(k), c.companion, name);
      });
    }
  });

  it('odd templates (a digit after {e}, a template that is another plus a companion) keep the first-rule-wins meaning', () => {
    const base = getFamily('mixtral');
    const odd: FamilyTable = {
      ...base,
      layerPrefix: 'blocks.{i}.',
      norms: ['ln.weight', 'ln.weight_scale'],
      moe: { ...base.moe!, experts: { gate: 'moe.e{e}0.a', up: 'moe.e{e}.b', down: 'moe.e{e}.b_scale' } },
    };
    for (const name of ['blocks.1.moe.e120.a', 'blocks.1.moe.e12.b_scale', 'blocks.1.moe.e12.b', 'blocks.1.ln.weight_scale', 'blocks.1.ln.weight_scale_inv',
      'blocks.2.moe.e0.a', 'blocks.2.moe.e00.a_blocks', 'blocks.2.self_attn.x']) {
      assert.deepEqual(classifyTensor(odd, name), reference(odd, name) ?? classifyTensor(odd, name), name);
      assert.ok(reference(odd, name) || classifyTensor(odd, name).role === 'attn' || classifyTensor(odd, name).role === 'other', name);
    }
    assert.deepEqual(classifyTensor(odd, 'blocks.1.moe.e12.b_scale'),
      { role: 'expert', layer: 1, relative: 'moe.e12.b_scale', matrix: 'up', expert: 12, companion: '_scale' });
    assert.deepEqual(classifyTensor(odd, 'blocks.1.ln.weight_scale'), { role: 'norm', layer: 1, relative: 'ln.weight_scale', companion: '_scale' });
    assert.equal(classifyTensor(odd, 'blocks.1.moe.e120.a').expert, 12);
  });

  it('checkConsistency gives the same answer with precomputed classes', () => {
    const src = tinyMoeSource({ family: 'deepseek_v3', mtpLayers: 1 });
    const t = getFamily('deepseek_v3');
    assert.deepEqual(checkConsistency(t, src.config, src.tensors, 'c', classifyTensors(t, [...src.tensors.keys()])),
      checkConsistency(t, src.config, src.tensors, 'c'));
    assert.throws(() => checkConsistency(t, src.config, src.tensors, 'c', classifyTensors(t, ['x'])));
  });
});
