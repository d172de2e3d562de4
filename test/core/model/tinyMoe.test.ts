import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { classifyTensor, getFamily } from '../../../src/core/families/index';
import { buildModelTree, makeTinyMoe, tinyMoeSource, type TinyWriteOptions } from '../../../src/core/model/index';
import { FilePool, openCheckpoint, readTensorFloat32 } from '../../../src/core/safetensors/index';

const dir = mkdtempSync(join(tmpdir(), 'graft-tiny-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const FIXTURES: TinyWriteOptions[] = [
  { family: 'mixtral' }, { family: 'qwen2_moe' }, { family: 'qwen3_moe' }, { family: 'olmoe' },
  { family: 'deepseek_v3', mtpLayers: 1 }, { family: 'gpt_oss' }, { family: 'hf5_fused_moe', base: 'qwen3_moe' }, { family: 'llama' },
];

describe('makeTinyMoe', () => {
  for (const o of FIXTURES) {
    it(`${o.family}: written files reopen to the same tree as the in-memory source`, async () => {
      const dest = join(dir, `${o.family}-${o.base ?? ''}`);
      await makeTinyMoe(dest, { ...o, layers: 3, experts: 4, hidden: 32, intermediate: 48, heads: 2, kvHeads: 1 });
      const src = await openCheckpoint(dest);
      const tree = buildModelTree(src);
      const mem = buildModelTree(tinyMoeSource({ ...o, layers: 3, experts: 4, hidden: 32, intermediate: 48, heads: 2, kvHeads: 1 }));
      assert.equal(tree.family, mem.family);
      assert.deepEqual(tree.totals, mem.totals);
      assert.deepEqual(tree.layers, mem.layers);
      assert.equal(JSON.parse(readFileSync(join(dest, 'generation_config.json'), 'utf8')).eos_token_id, 257);
    });
  }

  it('is deterministic for a seed and differs across seeds', async () => {
    const a = await makeTinyMoe(join(dir, 'seed-a'), { seed: 7, layers: 2 });
    const b = await makeTinyMoe(join(dir, 'seed-b'), { seed: 7, layers: 2 });
    const c = await makeTinyMoe(join(dir, 'seed-c'), { seed: 8, layers: 2 });
    const bytes = (d: string) => readFileSync(join(d, 'model.safetensors'));
    assert.ok(bytes(a.dest).equals(bytes(b.dest)));
    assert.ok(!bytes(a.dest).equals(bytes(c.dest)));
  });

  it('expert RMS rises with depth and dips at the last layer (the norm profile of a trained model)', async () => {
    const dest = join(dir, 'profile');
    await makeTinyMoe(dest, { layers: 6, seed: 3 });
    const src = await openCheckpoint(dest);
    const fam = getFamily('mixtral');
    const pool = new FilePool();
    const sum = new Array(6).fill(0), cnt = new Array(6).fill(0);
    for (const [name, ref] of src.tensors) {
      const c = classifyTensor(fam, name);
      if (c.role !== 'expert') continue;
      const v = await readTensorFloat32(pool, ref);
      sum[c.layer!] += Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);
      cnt[c.layer!]++;
    }
    await pool.close();
    const profile = sum.map((s, i) => s / cnt[i]);
    for (let l = 1; l < 5; l++) assert.ok(profile[l] > profile[l - 1], `layer ${l}: ${profile}`);
    assert.ok(profile[5] < profile[4]);
  });

  it('writes sharded checkpoints and omits config.json on request', async () => {
    const dest = join(dir, 'sharded');
    const r = await makeTinyMoe(dest, { family: 'qwen2_moe', shardBytes: 400_000, omitConfig: true });
    assert.ok(r.files.some((f) => f.endsWith('model.safetensors.index.json')));
    const tree = buildModelTree(await openCheckpoint(dest));
    assert.equal(tree.family, 'qwen2_moe');
    assert.equal(tree.confidence, 'names');
    assert.ok(tree.source.files > 1);
  });
});
