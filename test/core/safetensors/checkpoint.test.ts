// Opening checkpoints: file, index, folder; every index/shard disagreement is an error naming file and tensor.
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { openCheckpoint, readIndex } from '../../../src/core/safetensors/checkpoint';
import { bufferTensor, writeCheckpoint } from '../../../src/core/safetensors/writer';
import { expectRule, randomBytes, withTmp } from './helpers';

async function sharded(dir: string): Promise<string> {
  const dest = join(dir, 'ck');
  const tensors = Array.from({ length: 6 }, (_, i) => bufferTensor(`m.${i}`, 'BF16', [8, 4], randomBytes(64, i)));
  await writeCheckpoint(dest, { tensors, shardBytes: 128, config: { model_type: 'llama' } });
  return dest;
}
const S1 = 'model-00001-of-00003.safetensors';
const S2 = 'model-00002-of-00003.safetensors';

async function editIndex(dest: string, edit: (ix: any) => void): Promise<string> {
  const p = join(dest, 'model.safetensors.index.json');
  const ix = JSON.parse(await readFile(p, 'utf8'));
  edit(ix);
  await writeFile(p, JSON.stringify(ix));
  return p;
}

test('folder, index and shard file all open; config is read', () => withTmp(async (dir) => {
  const dest = await sharded(dir);
  const a = await openCheckpoint(dest);
  const b = await openCheckpoint(join(dest, 'model.safetensors.index.json'));
  const c = await openCheckpoint(join(dest, S2));
  assert.equal(a.kind, 'folder');
  assert.equal(b.kind, 'index');
  assert.equal(c.kind, 'file');
  assert.equal(a.files.length, 3);
  assert.equal(a.tensors.size, 6);
  assert.equal(a.totalBytes, 384);
  assert.deepEqual(a.config, { model_type: 'llama' });
  assert.deepEqual([...b.tensors.keys()], [...a.tensors.keys()]);
  assert.deepEqual([...c.tensors.keys()], ['m.2', 'm.3']);
  const ix = await readIndex(join(dest, 'model.safetensors.index.json'));
  assert.equal(ix.totalSize, 384);
  assert.deepEqual(ix.shards, [S1, S2, 'model-00003-of-00003.safetensors']);
}));

test('folder without index: all .safetensors files; duplicates across files are an error', () => withTmp(async (dir) => {
  const dest = await sharded(dir);
  await rm(join(dest, 'model.safetensors.index.json'));
  assert.equal((await openCheckpoint(dest)).tensors.size, 6);
  await writeCheckpoint(join(dir, 'dup'), { tensors: [bufferTensor('m.0', 'U8', [1], new Uint8Array(1))] });
  await writeFile(join(dest, 'extra.safetensors'), await readFile(join(dir, 'dup', 'model.safetensors')));
  await expectRule(openCheckpoint(dest), 'duplicateAcrossFiles', { tensor: 'm.0' });
}));

test('empty folder and non-safetensors paths', () => withTmp(async (dir) => {
  await expectRule(openCheckpoint(dir), 'noSafetensors', { file: dir });
  await expectRule(openCheckpoint(join(dir, 'nope')), 'notSafetensors');
  await writeFile(join(dir, 'x.safetensors'), 'not a safetensors file at all');
  await expectRule(openCheckpoint(join(dir, 'x.safetensors')), 'headerTooLarge');
}));

test('index names a tensor its shard lacks', () => withTmp(async (dir) => {
  const dest = await sharded(dir);
  await editIndex(dest, (ix) => { ix.weight_map['ghost'] = S1; });
  await expectRule(openCheckpoint(dest), 'indexTensorMissing', { tensor: 'ghost', file: join(dest, S1) });
}));

test('shard holds a tensor the index lacks, or maps elsewhere', () => withTmp(async (dir) => {
  const dest = await sharded(dir);
  await editIndex(dest, (ix) => { delete ix.weight_map['m.1']; });
  await expectRule(openCheckpoint(dest), 'indexExtraTensor', { tensor: 'm.1', file: join(dest, S1) });
  await editIndex(dest, (ix) => { ix.weight_map['m.1'] = S2; });
  await expectRule(openCheckpoint(dest), 'indexExtraTensor', { tensor: 'm.1' });
}));

test('total_size must equal the tensor bytes; shards must exist and stay inside the folder', () => withTmp(async (dir) => {
  const dest = await sharded(dir);
  const p = await editIndex(dest, (ix) => { ix.metadata.total_size = 385; });
  await expectRule(openCheckpoint(dest), 'indexTotalSize', { file: p });
  await editIndex(dest, (ix) => { ix.metadata.total_size = 384; ix.weight_map['m.0'] = 'model-00009-of-00009.safetensors'; });
  await expectRule(openCheckpoint(dest), 'indexMissingShard', { file: p });
  await editIndex(dest, (ix) => { ix.weight_map['m.0'] = '../../etc/passwd'; });
  await expectRule(openCheckpoint(dest), 'indexShardPath', { tensor: 'm.0' });
  await writeFile(p, '{"weight_map": [1]}');
  await expectRule(openCheckpoint(dest), 'indexInvalid', { file: p });
  await writeFile(p, '{"weight_ma');
  await expectRule(openCheckpoint(dest), 'indexInvalid', { file: p });
}));

test('a bad config.json is a typed error', () => withTmp(async (dir) => {
  const dest = await sharded(dir);
  await writeFile(join(dest, 'config.json'), '[]');
  await expectRule(openCheckpoint(dest), 'badConfig');
}));

test('abort before opening shards is a cancellation', () => withTmp(async (dir) => {
  const dest = await sharded(dir);
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(openCheckpoint(dest, { signal: ac.signal }), { name: 'CancelledError' });
}));
