// The writer: sharding and index, header layout, refusal to overwrite, atomic temp folder cleaned on abort and
// on a tensor that writes the wrong number of bytes.
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { CancelledError } from '../../../src/core/errors';
import { openCheckpoint } from '../../../src/core/safetensors/checkpoint';
import { readSafetensorsHeader } from '../../../src/core/safetensors/reader';
import { FilePool, readTensorBytes } from '../../../src/core/safetensors/tensorIO';
import { bufferTensor, copyTensor, writeCheckpoint, type OutTensor } from '../../../src/core/safetensors/writer';
import { expectRule, randomBytes, withTmp } from './helpers';

const f32 = (name: string, n: number, seed: number) => bufferTensor(name, 'F32', [n], randomBytes(4 * n, seed));

test('one shard: model.safetensors, config.json, extra files; header padded to 8 and in write order', () => withTmp(async (dir) => {
  await writeFile(join(dir, 'tok.json'), '{"x":1}');
  const dest = join(dir, 'out');
  const tensors = [f32('z', 3, 1), f32('10', 2, 2), f32('2', 1, 3)];
  const r = await writeCheckpoint(dest, {
    tensors, config: { model_type: 'mixtral', n: 1 }, metadata: { format: 'pt' },
    extraFiles: [{ name: 'tokenizer.json', from: join(dir, 'tok.json') }, { name: 'README.md', content: 'hi' }],
  });
  assert.deepEqual((await readdir(dest)).sort(), ['README.md', 'config.json', 'model.safetensors', 'tokenizer.json']);
  assert.equal(r.tensorCount, 3);
  assert.equal(r.totalBytes, 24);
  assert.equal(await readFile(join(dest, 'config.json'), 'utf8'), '{\n  "model_type": "mixtral",\n  "n": 1\n}\n');
  const h = await readSafetensorsHeader(join(dest, 'model.safetensors'));
  assert.equal(h.dataOffset % 8, 0);
  assert.deepEqual(h.tensors.map((t) => t.name), ['z', '10', '2']);
  assert.deepEqual(h.metadata, { format: 'pt' });
  assert.deepEqual((await readdir(dir)).filter((n) => n.startsWith('.')), [], 'no temp folder left');
}));

test('sharded: split at shardBytes without splitting a tensor, index with total_size, copyTensor streams bytes', () => withTmp(async (dir) => {
  const tensors = Array.from({ length: 7 }, (_, i) => f32(`layer.${i}.w`, 100 + i, i + 10));
  const dest = join(dir, 'sharded');
  const r = await writeCheckpoint(dest, { tensors, shardBytes: 1000 });
  const files = (await readdir(dest)).sort();
  assert.deepEqual(files, ['model-00001-of-00004.safetensors', 'model-00002-of-00004.safetensors', 'model-00003-of-00004.safetensors',
    'model-00004-of-00004.safetensors', 'model.safetensors.index.json']);
  const index = JSON.parse(await readFile(join(dest, 'model.safetensors.index.json'), 'utf8'));
  assert.equal(index.metadata.total_size, r.totalBytes);
  assert.equal(index.weight_map['layer.2.w'], 'model-00002-of-00004.safetensors');
  const src = await openCheckpoint(dest);
  assert.equal(src.kind, 'folder');
  assert.deepEqual([...src.tensors.keys()], tensors.map((t) => t.name));
  // Copy it through copyTensor into one file and compare bytes.
  const pool = new FilePool();
  try {
    const back = join(dir, 'back');
    await writeCheckpoint(back, { tensors: [...src.tensors.values()].map((ref) => copyTensor(pool, ref, `copy.${ref.name}`)) });
    const again = await openCheckpoint(join(back, 'model.safetensors'));
    assert.equal(again.kind, 'file');
    for (const t of tensors) {
      assert.deepEqual(await readTensorBytes(pool, again.tensors.get(`copy.${t.name}`)!), await readTensorBytes(pool, src.tensors.get(t.name)!));
    }
  } finally {
    await pool.close();
  }
}));

test('refuses to overwrite unless asked; overwrite replaces the folder', () => withTmp(async (dir) => {
  const dest = join(dir, 'out');
  await mkdir(dest);
  await writeFile(join(dest, 'keep.txt'), 'x');
  await expectRule(writeCheckpoint(dest, { tensors: [f32('a', 1, 1)] }), 'destExists', { file: dest });
  assert.deepEqual(await readdir(dest), ['keep.txt']);
  await writeCheckpoint(dest, { tensors: [f32('a', 1, 1)], overwrite: true });
  assert.deepEqual(await readdir(dest), ['model.safetensors']);
  assert.deepEqual(await readdir(dir), ['out']);
}));

test('abort mid-write removes the temp folder and leaves no destination', () => withTmp(async (dir) => {
  const ac = new AbortController();
  const slow: OutTensor = {
    name: 'slow', dtype: 'U8', shape: [64 << 20], byteLength: 64 << 20,
    async write(sink) {
      const chunk = new Uint8Array(1 << 20);
      for (let i = 0; i < 64; i++) {
        if (i === 20) ac.abort();
        await sink.write(chunk);
      }
    },
  };
  await assert.rejects(writeCheckpoint(join(dir, 'out'), { tensors: [f32('a', 4, 1), slow], signal: ac.signal }), CancelledError);
  assert.deepEqual(await readdir(dir), []);
}));

test('a tensor writing too few or too many bytes is an error naming it; bad specs are refused', () => withTmp(async (dir) => {
  const short: OutTensor = { name: 'short', dtype: 'F32', shape: [4], byteLength: 16, write: (s) => s.write(new Uint8Array(12)) };
  await expectRule(writeCheckpoint(join(dir, 'o1'), { tensors: [short] }), 'writeLength', { tensor: 'short' });
  const long: OutTensor = { name: 'long', dtype: 'F32', shape: [1], byteLength: 4, write: (s) => s.write(new Uint8Array(8)) };
  await expectRule(writeCheckpoint(join(dir, 'o2'), { tensors: [long] }), 'writeLength', { tensor: 'long' });
  await expectRule(writeCheckpoint(join(dir, 'o3'), { tensors: [bufferTensor('x', 'F32', [2], new Uint8Array(4))] }), 'badOutTensor', { tensor: 'x' });
  await expectRule(writeCheckpoint(join(dir, 'o4'), { tensors: [f32('d', 1, 1), f32('d', 1, 2)] }), 'badOutTensor', { tensor: 'd' });
  await expectRule(writeCheckpoint(join(dir, 'o5'), { tensors: [f32('a', 1, 1)], extraFiles: [{ name: '../evil', content: 'x' }] }), 'badExtraFile');
  await expectRule(writeCheckpoint(join(dir, 'o6'), { tensors: [f32('a', 1, 1)], extraFiles: [{ name: 'config.json', content: 'x' }] }), 'badExtraFile');
  assert.deepEqual(await readdir(dir), []);
}));

test('progress reports bytes up to the total; memory is bounded (a 256 MiB tensor through 16 MiB buffers)', () => withTmp(async (dir) => {
  const n = 256 << 20;
  const chunk = new Uint8Array(4 << 20).fill(7);
  const big: OutTensor = { name: 'big', dtype: 'U8', shape: [n], byteLength: n, async write(s) { for (let i = 0; i < n; i += chunk.length) await s.write(chunk); } };
  const seen: number[] = [];
  const rss0 = process.memoryUsage().rss;
  await writeCheckpoint(join(dir, 'o'), { tensors: [big], onProgress: (p) => seen.push(p.done) });
  assert.ok(process.memoryUsage().rss - rss0 < 200 << 20, 'RSS grew by less than the tensor');
  assert.equal(seen[seen.length - 1], n);
  assert.ok(seen.every((v, i) => i === 0 || v > seen[i - 1]));
}));
