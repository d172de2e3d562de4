import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lrAt, validateSchedule, type Schedule } from '../../src/train/schedules';
import { TrainError } from '../../src/core/errors';

const base: Schedule = { kind: 'constant', lr: 1e-3, totalSteps: 100, warmup: 10, minLrRatio: 0.1, decayFrac: 0.2 };
const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);

test('linear warmup reaches the peak at the end of warmup, for every kind', () => {
  for (const kind of ['constant', 'cosine', 'wsd', 'linear'] as const) {
    const s = { ...base, kind };
    close(lrAt(s, 0), 1e-4);
    close(lrAt(s, 4), 5e-4);
    close(lrAt(s, 9), 1e-3);
    close(lrAt(s, 10), 1e-3);
  }
});

test('constant stays; cosine and linear end at minLrRatio·lr; cosine is at the midpoint halfway', () => {
  close(lrAt(base, 99), 1e-3);
  const cos = { ...base, kind: 'cosine' as const };
  close(lrAt(cos, 55), 1e-4 + 0.5 * 9e-4);
  close(lrAt(cos, 100), 1e-4);
  close(lrAt({ ...base, kind: 'linear' }, 100), 1e-4);
  close(lrAt({ ...base, kind: 'linear' }, 55), 1e-3 - 9e-4 * 0.5);
});

test('WSD: stable until the last decayFrac of steps, then linear decay to the floor', () => {
  const s = { ...base, kind: 'wsd' as const };
  close(lrAt(s, 79), 1e-3);
  close(lrAt(s, 80), 1e-3 - 9e-4 / 20);
  close(lrAt(s, 99), 1e-4);
  assert.ok(lrAt(s, 90) < lrAt(s, 85));
});

test('invalid schedules are typed errors naming the key', () => {
  assert.throws(() => validateSchedule({ ...base, warmup: 101 }), (e: unknown) => e instanceof TrainError && e.details.key === 'warmup');
  assert.throws(() => validateSchedule({ ...base, lr: -1 }), (e: unknown) => e instanceof TrainError && e.details.key === 'lr');
});
