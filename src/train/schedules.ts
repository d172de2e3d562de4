// Learning-rate schedules: pure functions of the step (0-based) and the run's length. The host computes lr
// and feeds it to the train-step graph.
import { TrainError } from '../core/errors';

export type ScheduleKind = 'constant' | 'cosine' | 'wsd' | 'linear';
export const SCHEDULES: ScheduleKind[] = ['constant', 'cosine', 'wsd', 'linear'];

export interface Schedule {
  kind: ScheduleKind;
  /** Peak learning rate. */
  lr: number;
  totalSteps: number;
  /** Linear warmup steps from 0 to lr (all kinds). */
  warmup: number;
  /** Final lr as a fraction of lr (cosine, wsd, linear). */
  minLrRatio: number;
  /** WSD: fraction of the steps spent in the final decay. */
  decayFrac: number;
}

export function validateSchedule(s: Schedule): void {
  const bad = (key: string, rule: string) => new TrainError('train/schedule', `schedule: ${key} ${rule}`, { key, rule });
  if (!SCHEDULES.includes(s.kind)) throw bad('schedule', `must be one of ${SCHEDULES.join(', ')}`);
  if (!(s.lr > 0) || !Number.isFinite(s.lr)) throw bad('lr', 'must be a positive number');
  if (!Number.isInteger(s.totalSteps) || s.totalSteps < 1) throw bad('steps', 'must be an integer >= 1');
  if (!Number.isInteger(s.warmup) || s.warmup < 0 || s.warmup > s.totalSteps) throw bad('warmup', 'must be an integer in [0, steps]');
  if (!(s.minLrRatio >= 0 && s.minLrRatio <= 1)) throw bad('min-lr-ratio', 'must be in [0, 1]');
  if (!(s.decayFrac >= 0 && s.decayFrac <= 1)) throw bad('decay-frac', 'must be in [0, 1]');
}

/** Learning rate at 0-based `step`. */
export function lrAt(s: Schedule, step: number): number {
  if (step < s.warmup) return (s.lr * (step + 1)) / s.warmup;
  const min = s.lr * s.minLrRatio;
  const after = step - s.warmup;
  const span = Math.max(1, s.totalSteps - s.warmup);
  switch (s.kind) {
    case 'constant':
      return s.lr;
    case 'linear':
      return s.lr - (s.lr - min) * Math.min(1, after / span);
    case 'cosine':
      return min + 0.5 * (s.lr - min) * (1 + Math.cos(Math.PI * Math.min(1, after / span)));
    case 'wsd': {
      // Warmup, then stable at lr, then a linear decay over the last decayFrac of all steps.
      const decaySteps = Math.round(s.totalSteps * s.decayFrac);
      const decayStart = s.totalSteps - decaySteps;
      if (step < decayStart || decaySteps === 0) return s.lr;
      return s.lr - (s.lr - min) * Math.min(1, (step - decayStart + 1) / decaySteps);
    }
  }
}
