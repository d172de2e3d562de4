import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PlanError } from '../../../src/core/errors';
import { depthSlots, interpositionMap, llamaProSlots, slicesMap, solarMap, stackMap } from '../../../src/core/growth/index';

test('interposition, hand-written for n in {1, 2, 5}, k in {2, 3}', () => {
  assert.deepEqual(interpositionMap(1, 2), [0, 0]);
  assert.deepEqual(interpositionMap(1, 3), [0, 0, 0]);
  assert.deepEqual(interpositionMap(2, 2), [0, 0, 1, 1]);
  assert.deepEqual(interpositionMap(2, 3), [0, 0, 0, 1, 1, 1]);
  assert.deepEqual(interpositionMap(5, 2), [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
  assert.deepEqual(interpositionMap(5, 3), [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]);
});

test('stack, hand-written for n in {1, 2, 5}, k in {2, 3}', () => {
  assert.deepEqual(stackMap(1, 2), [0, 0]);
  assert.deepEqual(stackMap(1, 3), [0, 0, 0]);
  assert.deepEqual(stackMap(2, 2), [0, 1, 0, 1]);
  assert.deepEqual(stackMap(2, 3), [0, 1, 0, 1, 0, 1]);
  assert.deepEqual(stackMap(5, 2), [0, 1, 2, 3, 4, 0, 1, 2, 3, 4]);
  assert.deepEqual(stackMap(5, 3), [0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4]);
});

test('ignore_first / ignore_last: METHOD.md examples and edges', () => {
  assert.deepEqual(interpositionMap(4, 2, 1, 1), [0, 1, 1, 2, 2, 3]);
  assert.deepEqual(stackMap(4, 2, 1, 1), [0, 1, 2, 1, 2, 3]);
  assert.deepEqual(stackMap(4, 3, 1, 1), [0, 1, 2, 1, 2, 3, 1, 2, 3]);
  // n = 5, a = 2, b = 1, k = 3: interposition n + (k-1)(n-a-b) = 9; stack (n-b) + (k-1)(n-a) = 10.
  assert.deepEqual(interpositionMap(5, 3, 2, 1), [0, 1, 2, 2, 2, 3, 3, 3, 4]);
  assert.deepEqual(stackMap(5, 3, 2, 1), [0, 1, 2, 3, 2, 3, 4, 2, 3, 4]);
  // a + b = n: nothing repeats in interposition; stack still appends the tail blocks.
  assert.deepEqual(interpositionMap(2, 2, 1, 1), [0, 1]);
  assert.deepEqual(stackMap(2, 2, 1, 1), [0, 1]);
  assert.deepEqual(interpositionMap(5, 2, 5, 0), [0, 1, 2, 3, 4]);
  assert.deepEqual(stackMap(5, 2, 0, 5), [0, 1, 2, 3, 4]);
  assert.deepEqual(interpositionMap(5, 1), [0, 1, 2, 3, 4]);
  assert.throws(() => interpositionMap(4, 2, 3, 2), PlanError);
  assert.throws(() => stackMap(4, 0), PlanError);
});

test('LLaMA-Pro inserts identity copies after every floor(n/add)-th layer', () => {
  const s = llamaProSlots(4, 2);
  assert.deepEqual(s.map((x) => x.src), [0, 1, 1, 2, 3, 3]);
  assert.deepEqual(s.map((x) => x.identity), [false, false, true, false, false, true]);
  assert.deepEqual(llamaProSlots(5, 2).map((x) => `${x.src}${x.identity ? '*' : ''}`), ['0', '1', '1*', '2', '3', '3*', '4']);
  assert.deepEqual(llamaProSlots(5, 3).map((x) => `${x.src}${x.identity ? '*' : ''}`), ['0', '0*', '1', '1*', '2', '2*', '3', '4']);
  assert.equal(llamaProSlots(32, 8).length, 40);
  assert.throws(() => llamaProSlots(4, 5), PlanError);
});

test('SOLAR: [0, n-m) + [m, n); 32 -> 48 with m = 8', () => {
  assert.deepEqual(solarMap(5, 1), [0, 1, 2, 3, 1, 2, 3, 4]);
  const m = solarMap(32, 8);
  assert.equal(m.length, 48);
  assert.deepEqual(m.slice(22, 26), [22, 23, 8, 9]);
  assert.throws(() => solarMap(4, 4), PlanError);
});

test('mergekit slices are half-open and read one model', () => {
  assert.deepEqual(slicesMap(4, [{ sources: [{ model: 'm', layer_range: [0, 3] }] }, { sources: [{ model: 'm', layer_range: [1, 4] }] }]), [0, 1, 2, 1, 2, 3]);
  assert.throws(() => slicesMap(4, [{ sources: [{ layer_range: [0, 5] }] }]), /goes past/);
  assert.throws(() => slicesMap(4, [{ sources: [{ model: 'a', layer_range: [0, 2] }] }, { sources: [{ model: 'b', layer_range: [0, 2] }] }]), PlanError);
  assert.throws(() => depthSlots({ op: 'depth', method: 'map', map: [0, 4] }, 4), /map\[1\]/);
});
