// One typed TrainConfig holds every training setting and its default (nanoGPT: defaults at the top).
import type { ProviderChoice } from '../engine/providers';
import { ADAMW_DEFAULTS, type AdamWOptions } from '../engine/model/adamw';
import type { Dispatch } from '../engine/model/moe';
import type { ScheduleKind } from './schedules';

export interface TrainConfig {
  checkpoint: string;
  data: string;
  out: string;
  steps: number;
  lr: number;
  schedule: ScheduleKind;
  warmup: number;
  minLrRatio: number;
  decayFrac: number;
  batch: number;
  seq: number;
  seed: number;
  provider: ProviderChoice;
  threads: number;
  dispatch: Dispatch;
  /** Save a checkpoint every N steps (and always at the end); 0 = only at the end. */
  saveEvery: number;
  /** Validation loss every N steps; 0 = never. */
  evalEvery: number;
  evalBatches: number;
  valFraction: number;
  adamw: AdamWOptions;
}

export const TRAIN_DEFAULTS: Omit<TrainConfig, 'checkpoint' | 'data' | 'out'> = {
  steps: 100, lr: 3e-4, schedule: 'constant', warmup: 0, minLrRatio: 0.1, decayFrac: 0.2, batch: 8, seq: 128, seed: 1337,
  provider: 'cpu', threads: 0, dispatch: 'sparse', saveEvery: 0, evalEvery: 0, evalBatches: 8, valFraction: 0.1, adamw: ADAMW_DEFAULTS,
};
