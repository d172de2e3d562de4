// Function preservation through evaluation: expert duplication with α = 0 and top-k doubled computes the same
// loss (METHOD.md §2). The grown checkpoint is built here by hand from the family table's names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTinyMoe } from '../../src/core/model/index';
import { expertTensorName, routerTensorName } from '../../src/core/families/index';
import { bufferTensor, writeCheckpoint } from '../../src/core/safetensors/index';
import { loadTokens } from '../../src/train/data';
import { evaluate } from '../../src/train/evaluate';
import { loadModel } from '../../src/train/model';

const root = mkdtempSync(join(tmpdir(), 'graft-eval-'));
const bytes = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

for (const family of ['mixtral', 'qwen2_moe'] as const) {
  test(`${family}: α = 0 expert duplication with top-k doubled keeps the loss (1e-5), dense and sparse dispatch`, async () => {
    const { dest } = await makeTinyMoe(join(root, family), { family, layers: 2, experts: 4, topK: 2, hidden: 32, intermediate: 32, heads: 4, kvHeads: 2 });
    const m = await loadModel(dest);
    const t = m.family;
    const E = 4;
    const values = new Map(m.specs.map((s, i) => [s.name, { shape: s.shape, data: m.params[i] }]));
    const out = new Map(values);
    for (let l = 0; l < m.cfg.layers; l++) {
      if (m.cfg.mlp[l].kind !== 'moe') continue;
      const r = values.get(routerTensorName(t, l))!;
      const rows = new Float32Array(2 * r.data.length);
      rows.set(r.data);
      rows.set(r.data, r.data.length);
      out.set(routerTensorName(t, l), { shape: [2 * E, r.shape[1]], data: rows });
      for (let e = 0; e < E; e++) for (const k of ['gate', 'up', 'down'] as const) out.set(expertTensorName(t, l, E + e, k), values.get(expertTensorName(t, l, e, k))!);
    }
    const moe = t.moe!;
    const config = { ...m.source.config, [moe.expertCountKey]: 2 * E, [moe.topKKey]: 4 };
    const grown = join(root, `${family}-grown`);
    await writeCheckpoint(grown, { tensors: [...out].map(([n, v]) => bufferTensor(n, 'F32', v.shape, bytes(v.data))), config });
    const g = await loadModel(grown);
    assert.equal(g.specs.length, m.specs.length + m.cfg.mlp.filter((x) => x.kind === 'moe').length * E * 3);
    const data = loadTokens(join(__dirname, '..', '..', 'data', 'corpus'));
    for (const dispatch of ['dense', 'sparse'] as const) {
      const o = { batch: 2, seq: 64, batches: 3, threads: 1, dispatch };
      const before = await evaluate(m, m.params, data.val, o);
      const after = await evaluate(g, g.params, data.val, o);
      assert.ok(Math.abs(after.loss - before.loss) < 1e-5, `${dispatch}: ${after.loss} vs ${before.loss}`);
      assert.ok(before.loss > 0 && Number.isFinite(before.perplexity));
    }
  });
}
