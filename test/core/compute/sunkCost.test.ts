import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chinchillaFlops, growthAdvice, trainingFlops } from '../../../src/core/compute/sunkCost';

test('training FLOPs are 6·N·D and the Chinchilla budget 120·N²', () => {
  assert.equal(trainingFlops(3e9, 1e12), 1.8e22);
  assert.equal(chinchillaFlops(1e9), 1.2e20);
  // 120·N² is 6·N·(20·N): the same budget through both formulas
  assert.equal(chinchillaFlops(2e9), trainingFlops(2e9, 20 * 2e9));
});

test('a base trained past F_c gets interposition; an under-trained one stack', () => {
  const over = growthAdvice({ activeParams: 1e9, tokensTrained: 40e9 });
  assert.equal(over.depthMethod, 'interposition');
  assert.ok(Math.abs(over.chinchillaMultiple - 2) < 1e-12);
  const under = growthAdvice({ activeParams: 1e9, tokensTrained: 10e9 });
  assert.equal(under.depthMethod, 'stack');
  assert.ok(Math.abs(under.chinchillaMultiple - 0.5) < 1e-12);
});

test('growth is advised only when the extra budget covers the sunk cost', () => {
  const sunk = trainingFlops(1e9, 40e9);
  assert.equal(growthAdvice({ activeParams: 1e9, tokensTrained: 40e9, extraBudgetFlops: sunk }).verdict, 'grow');
  assert.equal(growthAdvice({ activeParams: 1e9, tokensTrained: 40e9, extraBudgetFlops: sunk / 2 }).verdict, 'train-from-scratch');
  assert.equal(growthAdvice({ activeParams: 1e9, tokensTrained: 40e9 }).verdict, 'grow-if-budget-allows');
  const annealed = growthAdvice({ activeParams: 1e9, tokensTrained: 40e9, lrPhase: 'annealed' });
  assert.ok(annealed.reasons.some((r) => r.includes('constant-LR')));
});
