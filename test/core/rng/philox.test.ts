import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addNormal, makeStream, normalFromWord, normals, philox4x32, streamIdHex } from '../../../src/core/rng/index';

const hex = (v: Uint32Array) => [...v].map((x) => x.toString(16).padStart(8, '0')).join(' ');

test('Philox4x32-10 matches the Random123 known-answer vectors', () => {
  assert.equal(hex(philox4x32(0, 0, 0, 0, 0, 0)), '6627e8d5 e169c58d bc57ac4c 9b00dbd8');
  const f = 0xffffffff;
  assert.equal(hex(philox4x32(f, f, f, f, f, f)), '408f276d 41c83b0e a20bc7c6 6d5451fd');
  assert.equal(hex(philox4x32(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0)), 'd16cfe09 94fdcceb 5001e420 24126ea1');
});

test('noise depends only on (seed, stream, index): any split into chunks gives the same values', () => {
  const st = makeStream(42, 'model.layers.0.mlp.experts.9.w1.weight');
  const whole = new Float32Array(1001);
  addNormal(whole, 1001, 0.5, st, 3);
  for (const cut of [1, 2, 3, 5, 64, 333]) {
    const parts = new Float32Array(1001);
    for (let at = 0; at < 1001; at += cut) {
      const k = Math.min(cut, 1001 - at);
      const view = parts.subarray(at, at + k);
      addNormal(view, k, 0.5, st, 3 + at);
    }
    assert.deepEqual(parts, whole, `chunks of ${cut}`);
  }
  const ref = normals(st, 3, 1001);
  for (let i = 0; i < 1001; i++) assert.equal(whole[i], Math.fround(0.5 * ref[i]));
});

test('streams and seeds differ; the stream id is sha256 of the name', () => {
  const a = normals(makeStream(0, 'a'), 0, 8);
  const b = normals(makeStream(0, 'b'), 0, 8);
  const c = normals(makeStream(1, 'a'), 0, 8);
  assert.notDeepEqual(a, b);
  assert.notDeepEqual(a, c);
  // sha256("a") = ca978112ca1bbdca…: first 8 bytes little-endian as a 64-bit number.
  assert.equal(streamIdHex('a'), 'cabd1bca128197ca');
});

test('normals have mean 0, std 1 and Gaussian tails', () => {
  const z = normals(makeStream(7, 'stats'), 0, 200_000);
  let s = 0, ss = 0, beyond2 = 0;
  for (const x of z) { s += x; ss += x * x; if (Math.abs(x) > 2) beyond2++; }
  const mean = s / z.length;
  const std = Math.sqrt(ss / z.length - mean * mean);
  assert.ok(Math.abs(mean) < 0.01, `mean ${mean}`);
  assert.ok(Math.abs(std - 1) < 0.01, `std ${std}`);
  // P(|Z| > 2) = 0.0455
  assert.ok(Math.abs(beyond2 / z.length - 0.0455) < 0.003, `tail ${beyond2 / z.length}`);
});

test('known values of the documented transform (a change here changes every grown checkpoint)', () => {
  const z = normals(makeStream(0, 'graft'), 0, 8);
  // Block 0 of stream "graft", seed 0: Philox words, then Φ⁻¹((x + ½) / 2^32) by the recipe of docs/noise.md.
  const st = makeStream(0, 'graft');
  const w = philox4x32(0, 0, st.s0, st.s1, st.k0, st.k1);
  assert.equal(hex(w), '5625fcd6 ace05035 41c90d32 2051558c');
  assert.deepEqual([...z], [
    -0.4219872950096493, 0.45458962430839306, -0.6527024754551976, -1.1443412996135383,
    -1.4411151499817934, -0.15327686410296051, 0.8571157553459607, 0.873877762818828,
  ]);
  for (let l = 0; l < 4; l++) assert.equal(z[l], normalFromWord(w[l]));
  // docs/noise.md's table: extreme and central words, bit for bit.
  const table: [number, number][] = [
    [0x00000000, -6.337957751843744], [0x00000001, -6.166429516609705], [0x12345678, -1.467565733144],
    [0x40000000, -0.6744897498570791], [0x7fffffff, -2.918099376209126e-10], [0x80000000, 2.918099376209126e-10],
    [0xc0000000, 0.6744897505897658], [0xffffffff, 6.337957751843744],
  ];
  for (const [x, v] of table) assert.equal(normalFromWord(x), v, `word ${x.toString(16)}`);
});

test('the transform is Φ⁻¹ to Acklam\'s accuracy, exactly odd, and capped near 6.34', () => {
  // Reference Φ⁻¹((x + ½) / 2^32) from Python's statistics.NormalDist (Wichura AS241, float64).
  const ref: [number, number][] = [
    [0, -6.337957754553789], [1, -6.166429517819749], [0x0634fde6, -1.973029676449609], [0x0634fde7, -1.973029672362174],
    [0x12345678, -1.4675657314922321], [0x40000000, -0.6744897498297384], [0x7fffffff, -2.9180993729166234e-10],
  ];
  for (const [x, v] of ref) assert.ok(Math.abs(normalFromWord(x) - v) <= 1.2e-9 * Math.abs(v), `word ${x}: ${normalFromWord(x)} vs ${v}`);
  let x = 0x9e3779b9;
  for (let k = 0; k < 100_000; k++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    const z = normalFromWord(x);
    assert.equal(normalFromWord((0xffffffff - x) >>> 0), -z);
    assert.ok(Math.abs(z) <= 6.337957751843744);
  }
});
