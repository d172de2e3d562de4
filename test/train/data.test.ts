import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkVocab, evalBatches, loadTokens, trainBatch } from '../../src/train/data';
import { TrainError } from '../../src/core/errors';

const dir = mkdtempSync(join(tmpdir(), 'graft-data-'));

test('text is tokenized as UTF-8 bytes with a tail validation split', () => {
  const p = join(dir, 'a.txt');
  writeFileSync(p, 'héllo world, '.repeat(20));
  const d = loadTokens(p, 0.1);
  const bytes = Buffer.from('héllo world, '.repeat(20));
  assert.equal(d.tokenizer, 'bytes');
  assert.equal(d.train.length + d.val.length, bytes.length);
  assert.equal(d.val.length, Math.floor(bytes.length * 0.1));
  assert.deepEqual([...d.train.subarray(0, 3)], [0x68, 0xc3, 0xa9]);
});

test('uint16 and uint32 token files, and JSONL text', () => {
  const u16 = Uint16Array.from({ length: 100 }, (_, i) => i * 300);
  writeFileSync(join(dir, 't.bin'), u16);
  const d = loadTokens(join(dir, 't.bin'));
  assert.equal(d.tokenizer, 'pretokenized-u16');
  assert.equal(d.maxToken, 99 * 300);
  assert.equal(d.train[5], 1500);
  writeFileSync(join(dir, 't.u32.bin'), Uint32Array.from([70000, 1, 2, 3, 4, 5]));
  assert.equal(loadTokens(join(dir, 't.u32.bin')).train[0], 70000);
  writeFileSync(join(dir, 'd.jsonl'), '{"text":"ab"}\n{"text":"cd"}\n');
  assert.deepEqual([...loadTokens(join(dir, 'd.jsonl'), 0.2).train], [97, 98, 10, 99, 100]);
  writeFileSync(join(dir, 'bad.jsonl'), '{"text":"ab"}\nnot json\n');
  assert.throws(() => loadTokens(join(dir, 'bad.jsonl')), (e: unknown) => e instanceof TrainError && /line 2/.test(e.message));
  assert.throws(() => checkVocab(d, 1000), (e: unknown) => e instanceof TrainError && e.details.key === 'vocab_size');
});

test('batches depend only on (seed, step) and are windows of the data', () => {
  const tokens = Uint32Array.from({ length: 1000 }, (_, i) => i);
  const a = trainBatch(tokens, 4, 16, 7, 3);
  assert.deepEqual(a, trainBatch(tokens, 4, 16, 7, 3));
  assert.notDeepEqual(a, trainBatch(tokens, 4, 16, 7, 4));
  assert.notDeepEqual(a, trainBatch(tokens, 4, 16, 8, 3));
  for (let b = 0; b < 4; b++) for (let t = 1; t < 17; t++) assert.equal(a[b * 17 + t], a[b * 17 + t - 1] + 1n);
  const evs = [...evalBatches(tokens, 2, 10, 100)];
  assert.equal(evs.length, Math.floor(Math.floor(999 / 10) / 2));
  assert.equal(evs[1][0], 20n);
});
