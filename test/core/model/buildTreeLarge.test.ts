import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildModelTree, findNode, tinyMoeSource, walkTree } from '../../../src/core/model/index';

// A checkpoint at the scale of the 1 TB bench (100k+ tensors), in memory: structure and counts, not time.
const H = 16, I = 32, V = 259, L = 96, E = 346, K = 2, heads = 4, kv = 2, d = 4;
const ATTN = H * heads * d * 2 + 2 * H * kv * d;
const EXPERT = 3 * H * I;

describe('buildModelTree at 100k tensors', () => {
  it('groups every tensor of a 100k-tensor Mixtral checkpoint into layers and experts, with exact counts', () => {
    const src = tinyMoeSource({ family: 'mixtral', layers: L, experts: E, topK: K, hidden: H, intermediate: I, heads, kvHeads: kv });
    assert.ok(src.tensors.size > 100_000, `${src.tensors.size} tensors`);
    const t = buildModelTree(src);
    assert.equal(t.totals.tensors, src.tensors.size);
    assert.deepEqual([t.family, t.numLayers, t.numExperts, t.topK, t.layers.length], ['mixtral', L, E, K, L]);
    assert.deepEqual(t.moeLayers, Array.from({ length: L }, (_, i) => i));
    const perLayer = ATTN + 2 * H + E * H + E * EXPERT;
    const total = L * perLayer + 2 * V * H + H;
    assert.equal(t.totals.params, total);
    assert.equal(t.totals.bytes, total * 4);
    assert.equal(t.totals.expertParams, L * E * EXPERT);
    assert.equal(t.totals.active!.withEmbeddings, total - L * E * EXPERT + L * K * EXPERT);

    const layers = findNode(t.root, 'layers')!;
    assert.deepEqual(layers.children.map((l) => l.id), Array.from({ length: L }, (_, i) => `layers.${i}`));
    for (const s of t.layers) assert.deepEqual([s.kind, s.experts, s.expertParams, s.params], ['moe', E, EXPERT, perLayer]);
    const experts = findNode(t.root, 'layers.57.experts')!;
    assert.equal(experts.label, `Experts (${E})`);
    assert.deepEqual(experts.children.map((e) => e.expert), Array.from({ length: E }, (_, e) => e));
    const e301 = experts.children[301];
    assert.deepEqual([e301.id, e301.label, e301.layer, e301.params, e301.dtypes], ['layers.57.experts.301', 'Expert 301', 57, EXPERT, ['F32']]);
    // In checkpoint order: gate (w1), up (w3), down (w2).
    assert.deepEqual(e301.tensors, ['w1', 'w3', 'w2'].map((w) => `model.layers.57.block_sparse_moe.experts.301.${w}.weight`));

    // Every tensor in exactly one node, node ids unique.
    const seen = new Set<string>();
    const ids = new Set<string>();
    let nodes = 0;
    for (const n of walkTree(t.root)) {
      nodes++;
      assert.ok(!ids.has(n.id), n.id);
      ids.add(n.id);
      for (const name of n.tensors) {
        assert.ok(!seen.has(name), name);
        seen.add(name);
      }
    }
    assert.equal(seen.size, src.tensors.size);
    // model, embeddings, layers, final norm, head + per layer: layer, attention, norms, router, experts, E experts.
    assert.equal(nodes, 5 + L * (5 + E));
  });

  it('mixed dtypes, fused and shared experts and MTP layers at scale match the small-model rules', () => {
    const src = tinyMoeSource({ family: 'deepseek_v3', layers: 40, experts: 256, hidden: 16, intermediate: 8, heads: 2, kvHeads: 2, mtpLayers: 2, firstDense: 3 });
    let i = 0;
    for (const r of src.tensors.values()) if (i++ % 97 === 0) r.dtype = 'BF16';
    const t = buildModelTree(src);
    assert.ok(src.tensors.size > 30_000, `${src.tensors.size} tensors`);
    assert.deepEqual(t.mtpLayers, [40, 41]);
    assert.deepEqual(t.moeLayers, Array.from({ length: 37 }, (_, k) => k + 3));
    assert.equal(t.layers[0].kind, 'dense');
    assert.deepEqual(t.totals.dtypes, ['BF16', 'F32']);
    let sum = 0;
    for (const n of walkTree(t.root)) for (const name of n.tensors) sum += src.tensors.get(name)!.shape.reduce((a, b) => a * b, 1);
    assert.equal(t.totals.params, sum);
    const ex = findNode(t.root, 'layers.10.experts')!;
    assert.equal(ex.children.length, 256);
    assert.equal(ex.params, ex.children.reduce((s, c) => s + c.params, 0));
    assert.deepEqual(ex.dtypes, [...new Set(ex.children.flatMap((c) => c.dtypes))].sort());

    const fused = buildModelTree(tinyMoeSource({ family: 'gpt_oss', layers: 8, experts: 128, hidden: 16, intermediate: 8, heads: 2, kvHeads: 2 }));
    const fe = findNode(fused.root, 'layers.7.experts')!;
    assert.equal(fe.children.length, 128);
    assert.ok(fe.children.every((c) => c.virtual && c.params === fe.params / 128 && c.slices!.length === 4));
  });
});
