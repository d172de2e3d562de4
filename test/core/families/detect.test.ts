import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FamilyError } from '../../../src/core/errors';
import { detectFamily, type FamilyId } from '../../../src/core/families/index';
import { tinyMoeSource, type TinyWriteOptions } from '../../../src/core/model/index';

const CASES: { opts: TinyWriteOptions; id: FamilyId; base?: FamilyId }[] = [
  { opts: { family: 'mixtral' }, id: 'mixtral' },
  { opts: { family: 'qwen2_moe' }, id: 'qwen2_moe' },
  { opts: { family: 'qwen3_moe' }, id: 'qwen3_moe' },
  { opts: { family: 'olmoe' }, id: 'olmoe' },
  { opts: { family: 'deepseek_v2' }, id: 'deepseek_v2' },
  { opts: { family: 'deepseek_v3', mtpLayers: 1 }, id: 'deepseek_v3' },
  { opts: { family: 'gpt_oss' }, id: 'gpt_oss' },
  { opts: { family: 'hf5_fused_moe', base: 'qwen3_moe' }, id: 'hf5_fused_moe', base: 'qwen3_moe' },
  { opts: { family: 'hf5_fused_moe', base: 'mixtral' }, id: 'hf5_fused_moe', base: 'mixtral' },
  { opts: { family: 'hf5_fused_moe', base: 'deepseek_v3' }, id: 'hf5_fused_moe', base: 'deepseek_v3' },
  { opts: { family: 'llama' }, id: 'llama' },
  { opts: { family: 'qwen2' }, id: 'qwen2' },
  { opts: { family: 'qwen3', tie: true }, id: 'qwen3' },
];

describe('detectFamily', () => {
  for (const c of CASES) {
    const label = `${c.id}${c.base ? ` (${c.base})` : ''}`;
    it(`${label}: from config.json`, () => {
      const src = tinyMoeSource(c.opts);
      const d = detectFamily(src.config, src.tensors.keys());
      assert.equal(d.family.id, c.id);
      assert.equal(d.confidence, 'config');
      assert.equal(d.family.baseFamily, c.base);
    });
    it(`${label}: from tensor names and shapes alone (no config.json)`, () => {
      const src = tinyMoeSource(c.opts);
      const d = detectFamily(null, src.tensors);
      assert.equal(d.family.id, c.id);
      assert.equal(d.confidence, 'names');
      assert.equal(d.family.baseFamily, c.base);
      assert.match(d.note ?? '', /no config\.json/);
    });
  }

  it('mistral: config picks mistral; names alone say llama and explain why', () => {
    const src = tinyMoeSource({ family: 'mistral' });
    assert.equal(detectFamily(src.config, src.tensors).family.id, 'mistral');
    const d = detectFamily(null, src.tensors);
    assert.equal(d.family.id, 'llama');
    assert.match(d.note!, /Mistral has the same tensor names/);
  });

  it('olmoe vs qwen3_moe without shapes is flagged as ambiguous', () => {
    const src = tinyMoeSource({ family: 'olmoe' });
    const d = detectFamily(null, src.tensors.keys());
    assert.equal(d.family.id, 'qwen3_moe');
    assert.match(d.note!, /OLMoE has the same tensor names/);
  });

  it('falls back to architectures when model_type is unknown', () => {
    const src = tinyMoeSource({ family: 'mixtral' });
    const d = detectFamily({ ...src.config, model_type: 'mixtral_custom' }, src.tensors);
    assert.equal(d.family.id, 'mixtral');
    assert.equal(d.confidence, 'config');
    assert.match(d.note!, /model_type "mixtral_custom" is unknown/);
  });

  it('config naming a family whose names do not fit falls back to the names', () => {
    const src = tinyMoeSource({ family: 'qwen3_moe' });
    const names = [...src.tensors.keys()].map((n) => n.replace(/^model\./, 'transformer.'));
    const d = detectFamily({ model_type: 'qwen3_moe' }, names);
    assert.equal(d.family.id, 'generic');
    assert.match(d.note!, /do not follow its table/);
  });

  it('opens any numbered-layer checkpoint as generic, with a note', () => {
    const names = ['transformer.wte.weight', 'transformer.h.0.attn.c_attn.weight', 'transformer.h.0.mlp.c_fc.weight',
      'transformer.h.1.ln_1.weight', 'transformer.ln_f.weight'];
    const d = detectFamily({ model_type: 'gpt2', n_layer: 2 }, names);
    assert.equal(d.family.id, 'generic');
    assert.equal(d.confidence, 'generic');
    assert.equal(d.family.layerPrefix, 'transformer.h.{i}.');
    assert.equal(d.family.layerCountKey, 'n_layer');
    assert.match(d.note!, /"gpt2".*not a known family/);
    assert.equal(detectFamily(null, ['encoder.blocks.3.ff.weight']).family.layerPrefix, 'encoder.blocks.{i}.');
  });

  it('throws a FamilyError when nothing fits', () => {
    assert.throws(() => detectFamily(null, ['weight', 'bias']), (e: unknown) => e instanceof FamilyError && e.details.key === 'model_type'
      && /cannot tell the model family/.test(e.message));
  });
});
