import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FamilyError } from '../../../src/core/errors';
import { buildModelTree, findNode, tinyMoeSource, walkTree } from '../../../src/core/model/index';

// Hand formulas (SwiGLU, GQA, untied head): attention q,k,v,o = H·(h·d) + 2·H·(kv·d) + (h·d)·H.
const H = 64, I = 128, V = 259, L = 4, E = 8, K = 2, heads = 4, kv = 2, d = 16;
const ATTN = H * heads * d * 2 + 2 * H * kv * d;
const EXPERT = 3 * H * I;
const NORMS = 2 * H;
const EMB = V * H;

describe('buildModelTree', () => {
  it('mixtral: totals and active parameters by formula', () => {
    const t = buildModelTree(tinyMoeSource({ family: 'mixtral' }));
    const perLayer = ATTN + NORMS + E * H + E * EXPERT;
    const total = L * perLayer + 2 * EMB + H;
    assert.equal(t.totals.params, total);
    const active = total - L * E * EXPERT + L * K * EXPERT;
    assert.deepEqual(t.totals.active, { withEmbeddings: active, withoutEmbeddings: active - 2 * EMB, embeddingsCounted: 'input embedding and LM head' });
    assert.equal(t.totals.bytes, total * 4);
    assert.deepEqual(t.totals.dtypes, ['F32']);
    assert.deepEqual([t.family, t.numLayers, t.numExperts, t.topK, t.hiddenSize], ['mixtral', 4, 8, 2, 64]);
    assert.deepEqual(t.moeLayers, [0, 1, 2, 3]);
    assert.equal(t.layers[2].expertParams, EXPERT);
    const e5 = findNode(t.root, 'layers.2.experts.5')!;
    assert.equal(e5.params, EXPERT);
    assert.equal(e5.tensors.length, 3);
    assert.equal(findNode(t.root, 'layers.2.router')!.params, E * H);
    assert.equal(findNode(t.root, 'layers.2.attention')!.params, ATTN);
  });

  it('deepseek_v3: dense first layer, shared experts, correction bias, MTP excluded from active', () => {
    const t = buildModelTree(tinyMoeSource({ family: 'deepseek_v3', mtpLayers: 1 }));
    // MLA (q_lora 32, kv_lora 16, nope 16, rope 8, v 16, 4 heads).
    const mla = 32 * H + 32 + heads * 24 * 32 + (16 + 8) * H + 16 + heads * 32 * 16 + H * heads * 16;
    const dense = 3 * H * 2 * I;
    const moeLayer = mla + NORMS + E * H + E + E * EXPERT + EXPERT; // router, bias, experts, 1 shared (width I)
    const mtp = moeLayer + EMB + 2 * H + 2 * H * H + H + EMB;
    const total = (mla + NORMS + dense) + 3 * moeLayer + mtp + 2 * EMB + H;
    assert.equal(t.totals.params, total);
    assert.deepEqual(t.moeLayers, [1, 2, 3]);
    assert.deepEqual(t.mtpLayers, [4]);
    assert.equal(t.layers[0].kind, 'dense');
    assert.equal(findNode(t.root, 'layers.1.router')!.tensors.length, 2);
    assert.equal(findNode(t.root, 'layers.1.shared_experts')!.params, EXPERT);
    const active = total - mtp - 3 * E * EXPERT + 3 * K * EXPERT;
    assert.equal(t.totals.active!.withEmbeddings, active);
    assert.deepEqual([t.scoring, t.nGroup, t.topkGroup, t.numSharedExperts], ['sigmoid', 4, 2, 1]);
  });

  it('gpt_oss: virtual per-expert nodes view slices of the fused tensors', () => {
    const t = buildModelTree(tinyMoeSource({ family: 'gpt_oss' }));
    const experts = findNode(t.root, 'layers.0.experts')!;
    const fusedParams = E * (H * 2 * I + 2 * I + I * H + H);
    assert.equal(experts.params, fusedParams);
    assert.equal(experts.children.length, E);
    const e3 = experts.children[3];
    assert.equal(e3.virtual, true);
    assert.equal(e3.params, fusedParams / E);
    assert.deepEqual(e3.slices!.map((s) => s.index), [3, 3, 3, 3]);
    assert.equal(t.layers[0].expertParams, fusedParams / E);
    const attn = ATTN + heads * d + 2 * kv * d + H + heads; // + q/k/v/o biases + sinks
    const total = L * (attn + NORMS + E * H + E + fusedParams) + 2 * EMB + H;
    assert.equal(t.totals.params, total);
    assert.equal(t.totals.active!.withEmbeddings, total - L * fusedParams + L * K * (fusedParams / E));
  });

  it('tied embeddings are counted once and say so', () => {
    const t = buildModelTree(tinyMoeSource({ family: 'qwen3', tie: true }));
    assert.equal(t.tiedEmbeddings, true);
    assert.equal(findNode(t.root, 'head'), undefined);
    const layer = ATTN + 2 * d + NORMS + 3 * H * I;
    assert.equal(t.totals.params, L * layer + EMB + H);
    assert.equal(t.totals.active!.withEmbeddings, t.totals.params);
    assert.equal(t.totals.active!.withoutEmbeddings, t.totals.params - EMB);
    assert.match(t.totals.active!.embeddingsCounted, /tied/);
  });

  it('every tensor appears in exactly one node, ids are unique, and the tree survives JSON', () => {
    for (const family of ['mixtral', 'qwen2_moe', 'hf5_fused_moe', 'llama'] as const) {
      const src = tinyMoeSource({ family });
      const t = buildModelTree(src);
      const seen = new Map<string, string>();
      const ids = new Set<string>();
      for (const n of walkTree(t.root)) {
        assert.ok(!ids.has(n.id), n.id);
        ids.add(n.id);
        for (const name of n.tensors) {
          assert.ok(!seen.has(name), `${name} in ${seen.get(name)} and ${n.id}`);
          seen.set(name, n.id);
        }
      }
      assert.equal(seen.size, src.tensors.size);
      assert.deepEqual(JSON.parse(JSON.stringify(t)), t);
    }
  });

  it('config expert count that disagrees with the tensors is a FamilyError naming config.json and the key', () => {
    const src = tinyMoeSource({ family: 'mixtral' }, '/m/tiny');
    src.config = { ...src.config, num_local_experts: 6 };
    assert.throws(() => buildModelTree(src), (e: unknown) => e instanceof FamilyError && e.details.key === 'num_local_experts'
      && e.details.file === '/m/tiny/config.json');
    const fewer = tinyMoeSource({ family: 'qwen3_moe' }, '/m/tiny');
    fewer.config = { ...fewer.config, num_hidden_layers: 6 };
    assert.throws(() => buildModelTree(fewer), (e: unknown) => e instanceof FamilyError && e.details.key === 'num_hidden_layers');
  });

  it('a checkpoint without config.json opens from names, with experts counted and active left unknown', () => {
    const t = buildModelTree(tinyMoeSource({ family: 'mixtral', omitConfig: true }));
    assert.equal(t.confidence, 'names');
    assert.equal(t.numExperts, 8);
    assert.equal(t.topK, undefined);
    assert.equal(t.totals.active, null);
    assert.deepEqual(t.moeLayers, [0, 1, 2, 3]);
  });
});
