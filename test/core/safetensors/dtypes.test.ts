// The dtype table and float32 conversions: hand-computed values, round-to-nearest-even ties, exhaustive
// decode→encode identity for the 16- and 8-bit floats, unaligned input, and a bytes round trip of all 22 dtypes.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { alignmentBytes, byteLengthOf, decodeToFloat32, DTYPES, encodeFromFloat32, isDType } from '../../../src/core/safetensors/dtypes';
import { openCheckpoint } from '../../../src/core/safetensors/checkpoint';
import { FilePool, readTensorBytes, readTensorFloat32 } from '../../../src/core/safetensors/tensorIO';
import { bufferTensor, writeCheckpoint } from '../../../src/core/safetensors/writer';
import type { DType } from '../../../src/core/safetensors/types';
import { expectRule, randomBytes, withTmp } from './helpers';

const ALL = Object.keys(DTYPES) as DType[];

function dec(dtype: DType, bytes: number[]): number[] {
  const src = Uint8Array.from(bytes);
  const n = (bytes.length * 8) / DTYPES[dtype].bits;
  const out = new Float32Array(n);
  decodeToFloat32(dtype, src, out, n);
  return [...out];
}
function enc(dtype: DType, values: number[]): number[] {
  const out = new Uint8Array((values.length * DTYPES[dtype].bits) / 8);
  encodeFromFloat32(dtype, Float32Array.from(values), out, values.length);
  return [...out];
}
const u16 = (...codes: number[]) => codes.flatMap((c) => [c & 0xff, c >> 8]);

test('the table has the 22 safetensors dtypes', () => {
  assert.equal(ALL.length, 22);
  assert.ok(isDType('BF16') && !isDType('bf16') && !isDType('toString') && !isDType(3));
  assert.equal(DTYPES.F4.bits, 4);
  assert.equal(DTYPES.F6_E2M3.bits, 6);
  assert.equal(DTYPES.C64.float32, false);
});

test('byteLengthOf: sub-byte dtypes must fill whole bytes; overflow is caught', async () => {
  assert.equal(byteLengthOf('BF16', [3, 5]), 30);
  assert.equal(byteLengthOf('F4', [6]), 3);
  assert.equal(byteLengthOf('F6_E2M3', [4]), 3);
  assert.equal(byteLengthOf('F32', []), 4);
  assert.equal(byteLengthOf('F32', [0, 7]), 0);
  assert.equal(alignmentBytes('F6_E3M2'), 3);
  assert.equal(alignmentBytes('F4'), 1);
  assert.equal(alignmentBytes('C64'), 8);
  await expectRule(Promise.resolve().then(() => byteLengthOf('F4', [3])), 'subByteAlignment');
  await expectRule(Promise.resolve().then(() => byteLengthOf('F64', [2 ** 26, 2 ** 26, 2 ** 26])), 'numelOverflow');
});

test('decode: hand-computed values', () => {
  assert.deepEqual(dec('BF16', u16(0x3f80, 0xc000, 0x7f80, 0x0001)), [1, -2, Infinity, 2 ** -133]);
  assert.deepEqual(dec('F16', u16(0x3c00, 0x0001, 0x03ff, 0x7bff, 0xfc00, 0x8000)), [1, 2 ** -24, 1023 * 2 ** -24, 65504, -Infinity, -0]);
  assert.ok(Number.isNaN(dec('F16', u16(0x7e00))[0]));
  assert.deepEqual(dec('F8_E4M3', [0x38, 0x7e, 0xfe, 0x01, 0x08]), [1, 448, -448, 2 ** -9, 2 ** -6]);
  assert.ok(dec('F8_E4M3', [0x7f, 0xff]).every(Number.isNaN));
  assert.equal(dec('F8_E4M3', [0x78])[0], 256); // exponent 15 is finite in the "fn" format
  assert.deepEqual(dec('F8_E5M2', [0x3c, 0x7b, 0x7c, 0xfc, 0x01]), [1, 57344, Infinity, -Infinity, 2 ** -16]);
  assert.ok(dec('F8_E5M2', [0x7d, 0x7f]).every(Number.isNaN));
  assert.deepEqual(dec('F8_E4M3FNUZ', [0x40, 0x7f, 0x00, 0x01]), [1, 240, 0, 2 ** -10]);
  assert.deepEqual(dec('F8_E5M2FNUZ', [0x40, 0x7f, 0x01]), [1, 57344, 2 ** -17]);
  assert.ok(Number.isNaN(dec('F8_E4M3FNUZ', [0x80])[0]) && Number.isNaN(dec('F8_E5M2FNUZ', [0x80])[0]));
  assert.deepEqual(dec('F8_E8M0', [0x7f, 0x80, 0x00]), [1, 2, 2 ** -127]);
  assert.ok(Number.isNaN(dec('F8_E8M0', [0xff])[0]));
  assert.deepEqual(dec('I8', [0xff, 0x7f]), [-1, 127]);
  assert.deepEqual(dec('U16', u16(0xffff)), [65535]);
  assert.deepEqual(dec('I64', [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 1, 0, 0, 0]), [-2, 2 ** 32]);
  assert.deepEqual(dec('BOOL', [0, 1, 7]), [0, 1, 1]);
  assert.deepEqual(dec('F64', [...new Uint8Array(Float64Array.of(0.1).buffer)]), [Math.fround(0.1)]);
});

test('encode: round to nearest, ties to even, saturation and NaN per format', () => {
  assert.deepEqual(enc('BF16', [1 + 2 ** -8, 1 + 3 * 2 ** -8, -1]), u16(0x3f80, 0x3f82, 0xbf80));
  assert.deepEqual(enc('F16', [1 + 2 ** -11, 1 + 3 * 2 ** -11, 65519, 65520, 2 ** -25, 3 * 2 ** -25, -0]),
    u16(0x3c00, 0x3c02, 0x7bff, 0x7c00, 0x0000, 0x0002, 0x8000));
  assert.deepEqual(enc('F8_E4M3', [464, 465, 1e6, -1e6, -0, 1.0625, 1.1875]), [0x7e, 0x7e, 0x7e, 0xfe, 0x80, 0x38, 0x3a]);
  assert.deepEqual(enc('F8_E4M3', [NaN, Infinity]), [0x7f, 0x7f]);
  assert.deepEqual(enc('F8_E5M2', [61440, 61439, Infinity, 2 ** -17]), [0x7c, 0x7b, 0x7c, 0x00]);
  assert.deepEqual(enc('F8_E4M3FNUZ', [-0, 240, 1000, NaN]), [0x00, 0x7f, 0x7f, 0x80]);
  assert.deepEqual(enc('F8_E8M0', [1, 3, 2.5, 0.75]), [0x7f, 0x81, 0x80, 0x7f]);
  assert.deepEqual(enc('I8', [2.5, 3.5, -300, NaN]), [2, 4, 0x80, 0]);
  assert.deepEqual(enc('U8', [-1, 256, 1.5]), [0, 255, 2]);
});

test('decode then encode is the identity for every non-NaN code of the 8- and 16-bit floats', () => {
  for (const dtype of ['F16', 'BF16', 'F8_E4M3', 'F8_E5M2', 'F8_E4M3FNUZ', 'F8_E5M2FNUZ', 'F8_E8M0'] as DType[]) {
    const size = DTYPES[dtype].bits / 8;
    const n = 1 << DTYPES[dtype].bits;
    const codes = new Uint8Array(n * size);
    for (let c = 0; c < n; c++) for (let k = 0; k < size; k++) codes[c * size + k] = (c >> (8 * k)) & 0xff;
    const f = new Float32Array(n);
    decodeToFloat32(dtype, codes, f, n);
    const back = new Uint8Array(n * size);
    encodeFromFloat32(dtype, f, back, n);
    for (let c = 0; c < n; c++) {
      if (Number.isNaN(f[c])) continue;
      const got = size === 2 ? back[2 * c] | (back[2 * c + 1] << 8) : back[c];
      assert.equal(got, c, `${dtype} code 0x${c.toString(16)} (${f[c]}) came back as 0x${got.toString(16)}`);
    }
  }
});

test('unaligned input and output views give the same values', () => {
  const values = Float32Array.from({ length: 1001 }, (_, i) => (i - 500) * 0.37);
  for (const dtype of ['F16', 'BF16', 'F32', 'F64', 'I32', 'U64', 'F8_E5M2'] as DType[]) {
    const size = DTYPES[dtype].bits / 8;
    const aligned = new Uint8Array(values.length * size);
    encodeFromFloat32(dtype, values, aligned, values.length);
    const odd = new Uint8Array(values.length * size + 1).subarray(1);
    encodeFromFloat32(dtype, values, odd, values.length);
    assert.deepEqual(odd, aligned, dtype);
    const a = new Float32Array(values.length);
    const b = new Float32Array(values.length);
    decodeToFloat32(dtype, aligned, a, values.length);
    decodeToFloat32(dtype, odd, b, values.length);
    assert.deepEqual(b, a, dtype);
  }
});

test('non-convertible dtypes throw a typed error', async () => {
  for (const dtype of ['C64', 'F4', 'F6_E2M3', 'F6_E3M2'] as DType[]) {
    await expectRule(Promise.resolve().then(() => decodeToFloat32(dtype, new Uint8Array(8), new Float32Array(2), 1)), 'notConvertible');
  }
});

test('every one of the 22 dtypes round-trips through a file byte for byte', () => withTmp(async (dir) => {
  const tensors = ALL.map((dtype, i) => {
    const shape = [3, 8];
    return bufferTensor(`t.${dtype}`, dtype, shape, randomBytes(byteLengthOf(dtype, shape), i + 1));
  });
  await writeCheckpoint(join(dir, 'out'), { tensors });
  const src = await openCheckpoint(join(dir, 'out'));
  const pool = new FilePool();
  try {
    for (const t of tensors) {
      const ref = src.tensors.get(t.name)!;
      assert.equal(ref.dtype, t.dtype);
      const bytes = await readTensorBytes(pool, ref);
      let expected: Uint8Array | undefined;
      await t.write({ write: async (c) => void (expected = c) });
      assert.deepEqual(bytes, expected, t.dtype);
      if (DTYPES[t.dtype].float32) {
        const f = await readTensorFloat32(pool, ref);
        const direct = new Float32Array(24);
        decodeToFloat32(t.dtype, bytes, direct, 24);
        assert.deepEqual(f, direct);
      }
    }
  } finally {
    await pool.close();
  }
}));

test('decoding is fast (a regression guard, far below the expected speed)', () => {
  const n = 1 << 22;
  const src = randomBytes(2 * n, 9);
  const out = new Float32Array(n);
  for (const dtype of ['BF16', 'F16'] as DType[]) {
    decodeToFloat32(dtype, src, out, n);
    const t0 = performance.now();
    decodeToFloat32(dtype, src, out, n);
    const mbs = (2 * n) / 1e6 / ((performance.now() - t0) / 1e3);
    assert.ok(mbs > 100, `${dtype} decode at ${mbs.toFixed(0)} MB/s`);
  }
});
