// The WebAssembly host pass of the fast statistics path: d = fl32(x − k) bit for bit, exact min/max, and NaN/Inf
// detection, against the reader's decoder for every BF16 and F16 code and for F32 specials, at every tail length.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeToFloat32 } from '../../../src/core/safetensors/index';
import { ShiftKernel, type KernelDType } from '../../../src/engine/stats/shiftKernel';
import { gaussianValues } from '../fixtures/values';

function check(kernel: ShiftKernel, dtype: KernelDType, count: number, k: number, what: string): void {
  const size = dtype === 'F32' ? 4 : 2;
  const src = kernel.input(0);
  const x = new Float32Array(count);
  decodeToFloat32(dtype, src.subarray(0, count * size), x, count);
  const kf = Math.fround(k);
  const got = kernel.shift(dtype, src, count, kf);
  let min = Infinity, max = -Infinity, finite = true;
  for (let i = 0; i < count; i++) {
    const v = x[i];
    if (!Number.isFinite(v)) finite = false;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  assert.equal(got.finite, finite, `${what}: finite`);
  if (!finite) return;
  assert.equal(got.min, min, `${what}: min`);
  assert.equal(got.max, max, `${what}: max`);
  const want = new Float32Array(count);
  for (let i = 0; i < count; i++) want[i] = x[i] - kf;
  for (let i = 0; i < count; i++) {
    if (!Object.is(kernel.out[i], want[i])) assert.fail(`${what}: d[${i}] = ${kernel.out[i]}, want ${want[i]} (x ${x[i]})`);
  }
}

test('BF16 and F16: every finite code decodes and shifts exactly; NaN/Inf anywhere are detected', () => {
  const kernel = new ShiftKernel(1 << 17, 1 << 19);
  for (const dtype of ['BF16', 'F16'] as const) {
    const inf = dtype === 'BF16' ? 0x7f80 : 0x7c00;
    const codes = new Uint16Array(kernel.input(0).buffer, kernel.input(0).byteOffset, 65536);
    // All finite codes (both signs, zeros, subnormals), in a scrambled order.
    let n = 0;
    for (let i = 0; i < 65536; i++) {
      const c = (i * 40503) & 0xffff;
      if ((c & 0x7fff) < inf) codes[n++] = c;
    }
    for (const k of [0, 0.013, -3.5, 1e-3]) check(kernel, dtype, n, k, `${dtype} all finite codes, k ${k}`);
    for (const count of [1, 7, 8, 9, 15, 16, 17, 1023]) check(kernel, dtype, count, 0.25, `${dtype} first ${count}`);
    for (const bad of [inf, inf | 0x8000, inf + 1, 0xffff]) {
      for (const at of [0, 5, 8, 1000, 1001 + 6]) {
        const keep = codes[at];
        codes[at] = bad;
        assert.equal(kernel.shift(dtype, kernel.input(0), 1008, 0).finite, false, `${dtype} code ${bad.toString(16)} at ${at}`);
        codes[at] = keep;
      }
    }
  }
});

test('F32: gaussian, specials, tails; min/max over signed zeros and denormals', () => {
  const kernel = new ShiftKernel(1 << 16, 1 << 18);
  const f = new Float32Array(kernel.input(1).buffer, kernel.input(1).byteOffset, 1 << 16);
  f.set(gaussianValues(50_000, 0.1, 2, 4));
  f[3] = -0; f[10] = 1e-42; f[11] = -3e-45; f[12] = 3e38; f[49_999] = -2e38;
  const src = kernel.input(1);
  for (const count of [50_000, 49_999, 5, 13]) {
    const x = f.slice(0, count);
    const got = kernel.shift('F32', src, count, Math.fround(0.1));
    let min = Infinity, max = -Infinity;
    for (const v of x) { if (v < min) min = v; if (v > max) max = v; }
    assert.ok(got.finite);
    assert.equal(got.min, min);
    assert.equal(got.max, max);
    for (let i = 0; i < count; i++) assert.ok(Object.is(kernel.out[i], Math.fround(x[i] - Math.fround(0.1))), `d[${i}]`);
  }
  f[20_000] = NaN;
  assert.equal(kernel.shift('F32', src, 50_000, 0).finite, false);
  f[20_000] = -Infinity;
  assert.equal(kernel.shift('F32', src, 50_000, 0).finite, false);
  assert.throws(() => kernel.shift('F32', new Uint8Array(64), 8, 0), /view of input/);
});
