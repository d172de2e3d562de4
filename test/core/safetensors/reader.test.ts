// One test per validation rule of the header, each with a hand-made malformed file, plus the happy path.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { readSafetensorsHeader, sniffSafetensors } from '../../../src/core/safetensors/reader';
import { expectRule, withTmp, writeRaw } from './helpers';

const ok = (begin: number, end: number, shape = [(end - begin) / 4], dtype = 'F32') => ({ dtype, shape, data_offsets: [begin, end] });

test('reads a valid header: offset order, absolute offsets, metadata, sha256', () => withTmp(async (dir) => {
  const f = join(dir, 'a.safetensors');
  await writeRaw(f, { b: ok(8, 16), __metadata__: { format: 'pt' }, a: ok(0, 8) }, new Uint8Array(16));
  const h = await readSafetensorsHeader(f);
  assert.deepEqual(h.tensors.map((t) => t.name), ['a', 'b']);
  assert.equal(h.dataOffset, 8 + h.headerLength);
  assert.equal(h.tensors[1].offset, h.dataOffset + 8);
  assert.deepEqual(h.metadata, { format: 'pt' });
  assert.equal(h.fileSize, h.dataOffset + 16);
  assert.match(h.headerSha256, /^[0-9a-f]{64}$/);
  assert.equal(await sniffSafetensors(f), true);
}));

test('sniff rejects non-safetensors files without throwing', () => withTmp(async (dir) => {
  await writeFile(join(dir, 'x.json'), '{"a": 1}');
  await writeFile(join(dir, 'short'), 'abc');
  assert.equal(await sniffSafetensors(join(dir, 'x.json')), false);
  assert.equal(await sniffSafetensors(join(dir, 'short')), false);
  assert.equal(await sniffSafetensors(join(dir, 'missing')), false);
}));

test('a header of 100 kB+ is read with a second read', () => withTmp(async (dir) => {
  const f = join(dir, 'big.safetensors');
  const header: Record<string, unknown> = {};
  for (let i = 0; i < 3000; i++) header[`t.${i}`] = ok(i * 4, i * 4 + 4, [1]);
  await writeRaw(f, header, new Uint8Array(12000));
  const h = await readSafetensorsHeader(f);
  assert.ok(h.headerLength > 64 * 1024);
  assert.equal(h.tensors.length, 3000);
  assert.equal(h.tensors[2999].name, 't.2999');
}));

const cases: [string, Parameters<typeof expectRule>[1], (f: string) => Promise<void>, string?][] = [
  ['file shorter than 8 bytes', 'fileTooSmall', (f) => writeFile(f, Buffer.from([1, 2, 3]))],
  ['header length above 100 MB', 'headerTooLarge', (f) => writeRaw(f, {}, undefined, 100_000_001n)],
  ['header length past the end of the file', 'headerPastEnd', (f) => writeRaw(f, {}, undefined, 1000n)],
  ['invalid UTF-8', 'invalidUtf8', (f) => writeRaw(f, Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]))],
  ['invalid JSON', 'invalidJson', (f) => writeRaw(f, '{"a": {"dtype": "F32",')],
  ['header is a list', 'headerNotObject', (f) => writeRaw(f, '[1, 2]')],
  ['header starts with a space', 'headerNotObject', (f) => writeRaw(f, ' {}')],
  ['duplicate tensor name', 'duplicateName', (f) => writeRaw(f, `{"a": ${JSON.stringify(ok(0, 4))}, "a": ${JSON.stringify(ok(0, 4))}}`, new Uint8Array(4)), 'a'],
  ['duplicate field inside an entry', 'duplicateName', (f) => writeRaw(f, '{"w": {"dtype": "F32", "dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}', new Uint8Array(4)), 'w'],
  ['entry is not an object', 'badEntry', (f) => writeRaw(f, { w: 5 }), 'w'],
  ['entry misses data_offsets', 'badEntry', (f) => writeRaw(f, { w: { dtype: 'F32', shape: [1] } }, new Uint8Array(4)), 'w'],
  ['entry has an extra field', 'badEntry', (f) => writeRaw(f, { w: { ...ok(0, 4), extra: 1 } }, new Uint8Array(4)), 'w'],
  ['dtype is not a string', 'badEntry', (f) => writeRaw(f, { w: { dtype: 3, shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)), 'w'],
  ['data_offsets of three numbers', 'badEntry', (f) => writeRaw(f, { w: { dtype: 'F32', shape: [1], data_offsets: [0, 4, 8] } }, new Uint8Array(4)), 'w'],
  ['unknown dtype', 'unknownDtype', (f) => writeRaw(f, { w: ok(0, 4, [1], 'F12') }, new Uint8Array(4)), 'w'],
  ['negative dimension', 'badShape', (f) => writeRaw(f, { w: ok(0, 4, [-1]) }, new Uint8Array(4)), 'w'],
  ['fractional dimension', 'badShape', (f) => writeRaw(f, { w: ok(0, 4, [1.5]) }, new Uint8Array(4)), 'w'],
  ['shape not a list', 'badShape', (f) => writeRaw(f, { w: { dtype: 'F32', shape: 1, data_offsets: [0, 4] } }, new Uint8Array(4)), 'w'],
  ['metadata value not a string', 'badMetadata', (f) => writeRaw(f, { __metadata__: { a: 1 } })],
  ['metadata a list', 'badMetadata', (f) => writeRaw(f, { __metadata__: ['a'] })],
  ['numel overflow', 'numelOverflow', (f) => writeRaw(f, { w: ok(0, 4, [2 ** 30, 2 ** 30, 2 ** 30]) }, new Uint8Array(4)), 'w'],
  ['F4 with an odd element count', 'subByteAlignment', (f) => writeRaw(f, { w: ok(0, 1, [3], 'F4') }, new Uint8Array(1)), 'w'],
  ['F6 with 3 elements (18 bits)', 'subByteAlignment', (f) => writeRaw(f, { w: ok(0, 2, [3], 'F6_E2M3') }, new Uint8Array(2)), 'w'],
  ['begin after end', 'offsetsReversed', (f) => writeRaw(f, { w: ok(4, 0, [1]) }, new Uint8Array(4)), 'w'],
  ['end beyond the data section', 'offsetsOutOfBounds', (f) => writeRaw(f, { w: ok(0, 8, [2]) }, new Uint8Array(4)), 'w'],
  ['hole between tensors', 'offsetsHole', (f) => writeRaw(f, { a: ok(0, 4), b: ok(8, 12) }, new Uint8Array(12)), 'b'],
  ['hole before the first tensor', 'offsetsHole', (f) => writeRaw(f, { a: ok(4, 8) }, new Uint8Array(8)), 'a'],
  ['overlapping tensors', 'offsetsOverlap', (f) => writeRaw(f, { a: ok(0, 8), b: ok(4, 12) }, new Uint8Array(12)), 'b'],
  ['trailing bytes after the last tensor', 'trailingBytes', (f) => writeRaw(f, { a: ok(0, 4) }, new Uint8Array(8))],
  ['byte length does not match shape', 'byteLengthMismatch', (f) => writeRaw(f, { a: ok(0, 8, [3]) }, new Uint8Array(8)), 'a'],
];

for (const [what, rule, make, tensor] of cases) {
  test(`rule ${rule}: ${what}`, () => withTmp(async (dir) => {
    const f = join(dir, 'bad.safetensors');
    await make(f);
    const err = await expectRule(readSafetensorsHeader(f), rule, { file: f, tensor });
    assert.ok(err.message.includes(f), 'message names the file');
  }));
}

test('F6 with 4 elements (24 bits = 3 bytes) is valid, and zero-size tensors are allowed anywhere', () => withTmp(async (dir) => {
  const f = join(dir, 'f6.safetensors');
  await writeRaw(f, { a: ok(0, 3, [4], 'F6_E3M2'), e: ok(3, 3, [0, 5]), z: ok(3, 7, [2, 4], 'F4') }, new Uint8Array(7));
  const h = await readSafetensorsHeader(f);
  assert.deepEqual(h.tensors.map((t) => [t.name, t.byteLength]), [['a', 3], ['e', 0], ['z', 4]]);
}));

test('escaped quotes in names do not confuse duplicate detection', () => withTmp(async (dir) => {
  const f = join(dir, 'esc.safetensors');
  await writeRaw(f, { 'a\\"b': ok(0, 4), 'a"b': ok(4, 8), 'c\\': ok(8, 12) }, new Uint8Array(12));
  assert.equal((await readSafetensorsHeader(f)).tensors.length, 3);
}));
