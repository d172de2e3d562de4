import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addNormal, addNormalJs, makeStream, noiseHelpersReady, setNoiseThreads, type NoiseStream } from '../../../src/core/rng/index';

// The WebAssembly SIMD kernel (noiseKernel.ts) must give the bytes of the JavaScript reference (addNormalJs), for
// any start, length, mode and thread count.
const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

function check(st: NoiseStream, start: number, count: number, replace: boolean, label: string): void {
  const src = new Float32Array(count);
  for (let i = 0; i < count; i++) src[i] = Math.sin(i * 0.37) * (i % 7 === 0 ? 1e-3 : 3);
  const a = src.slice(), b = src.slice();
  addNormalJs(a, count, 0.0123, st, start, replace, replace ? -0.25 : 0);
  addNormal(b, count, 0.0123, st, start, replace, replace ? -0.25 : 0);
  assert.ok(bytes(a).equals(bytes(b)), `${label}: start ${start}, count ${count}, replace ${replace}`);
}

test('the WebAssembly kernel gives the bytes of the JavaScript reference', () => {
  const st = makeStream(1234567890123, 'model.layers.3.block_sparse_moe.experts.11.w2.weight');
  for (const start of [0, 1, 2, 3, 4, 17, 1000])
    for (const count of [0, 1, 3, 4, 15, 16, 17, 63, 64, 65, 1001, 4099])
      for (const replace of [false, true]) check(st, start, count, replace, 'small');
  // More than one scratch piece (2^20 elements), an odd tail.
  check(st, 6, (1 << 21) + 37, false, 'pieces');
  // The block counter's low word wraps inside a group of four blocks.
  check(st, 4 * (2 ** 32 - 3) + 1, 400, false, 'counter carry');
  check(makeStream(2 ** 53 - 1, ''), 2 ** 40, 999, true, 'large seed and index');
});

test('worker threads do not change the bytes', async () => {
  const st = makeStream(7, 'threads');
  const n = (1 << 21) + 5;
  const ref = new Float32Array(n);
  addNormalJs(ref, n, 0.5, st, 3);
  try {
    assert.equal(setNoiseThreads(3), 3);
    for (let t = 0; t < 100 && noiseHelpersReady() < 2; t++) await new Promise((r) => setTimeout(r, 50)); // workers compile the module
    assert.equal(noiseHelpersReady(), 2, 'both workers take work');
    const got = new Float32Array(n);
    addNormal(got, n, 0.5, st, 3);
    assert.ok(bytes(ref).equals(bytes(got)));
  } finally {
    setNoiseThreads(1);
  }
});
