// Tensor reads: ranges that loop until complete, chunk boundaries on element groups, float32 decode, short reads.
import assert from 'node:assert/strict';
import { truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { openCheckpoint } from '../../../src/core/safetensors/checkpoint';
import { FilePool, readRange, readTensorFloat32, tensorChunks } from '../../../src/core/safetensors/tensorIO';
import { bufferTensor, writeCheckpoint } from '../../../src/core/safetensors/writer';
import { expectRule, randomBytes, withTmp } from './helpers';

test('tensorChunks yields whole element groups of one reused buffer and covers the tensor', () => withTmp(async (dir) => {
  const bytes = randomBytes(3000, 5);
  await writeCheckpoint(join(dir, 'o'), { tensors: [bufferTensor('pad', 'U8', [5], new Uint8Array(5)), bufferTensor('f6', 'F6_E2M3', [4000], bytes)] });
  const src = await openCheckpoint(join(dir, 'o'));
  const pool = new FilePool();
  try {
    const ref = src.tensors.get('f6')!;
    const got: Uint8Array[] = [];
    const buffers = new Set<ArrayBufferLike>();
    for await (const c of tensorChunks(pool, ref, 1000)) {
      assert.equal(c.length % 3, 0);
      buffers.add(c.buffer);
      got.push(c.slice());
    }
    assert.equal(buffers.size, 1);
    assert.deepEqual(got.map((c) => c.length), [999, 999, 999, 3]);
    assert.deepEqual(Buffer.concat(got), Buffer.from(bytes));
  } finally {
    await pool.close();
  }
}));

test('readTensorFloat32 decodes bf16 at an odd file offset; non-convertible dtypes are refused', () => withTmp(async (dir) => {
  const bf = Uint8Array.from([0x80, 0x3f, 0x00, 0xc0, 0x49, 0x40]); // 1, -2, 3.140625
  await writeCheckpoint(join(dir, 'o'), { tensors: [bufferTensor('b', 'BOOL', [3], Uint8Array.of(1, 0, 1)), bufferTensor('w', 'BF16', [3], bf),
    bufferTensor('c', 'C64', [1], new Uint8Array(8))] });
  const src = await openCheckpoint(join(dir, 'o'));
  const pool = new FilePool();
  try {
    assert.deepEqual([...(await readTensorFloat32(pool, src.tensors.get('w')!))], [1, -2, 3.140625]);
    assert.deepEqual([...(await readTensorFloat32(pool, src.tensors.get('b')!))], [1, 0, 1]);
    await expectRule(readTensorFloat32(pool, src.tensors.get('c')!), 'notConvertible', { tensor: 'c' });
  } finally {
    await pool.close();
  }
}));

test('a file truncated after opening is a short-read error naming the file', () => withTmp(async (dir) => {
  await writeCheckpoint(join(dir, 'o'), { tensors: [bufferTensor('w', 'U8', [4096], randomBytes(4096, 1))] });
  const src = await openCheckpoint(join(dir, 'o'));
  const ref = src.tensors.get('w')!;
  await truncate(ref.file, ref.offset + 100);
  const pool = new FilePool();
  try {
    await expectRule(readRange(pool, ref.file, ref.offset, ref.byteLength), 'shortRead', { file: ref.file });
    await expectRule(readRange(pool, join(dir, 'missing'), 0, 1), 'shortRead');
  } finally {
    await pool.close();
  }
}));
