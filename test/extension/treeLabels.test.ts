import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shortNames } from '../../src/extension/treeLabels';

test('sibling tensors lose their shared prefix', () => {
  const p = 'model.layers.0.block_sparse_moe.experts.3.';
  assert.deepEqual(shortNames([`${p}w1.weight`, `${p}w2.weight`, `${p}w3.weight`]), ['w1.weight', 'w2.weight', 'w3.weight']);
});

test('a lone tensor keeps its last two parts; none gives none', () => {
  assert.deepEqual(shortNames(['model.layers.0.block_sparse_moe.gate.weight']), ['gate.weight']);
  assert.deepEqual(shortNames([]), []);
});

test('the last part always stays, even when names share everything but it', () => {
  assert.deepEqual(shortNames(['a.weight', 'a.bias']), ['weight', 'bias']);
  assert.deepEqual(shortNames(['x', 'x']), ['x', 'x']);
});
