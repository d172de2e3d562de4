// `graft train CKPT --data D -o RUN_DIR`: continued training on ONNX Runtime (forward, backward, clipping and
// AdamW in one graph per step). Progress on stderr; metrics.jsonl, checkpoints and run.json in RUN_DIR.
// `graft train --resume RUN_DIR [--steps N]` continues a run with its recorded settings.
import { resolve } from 'node:path';
import { PROVIDER_CHOICES, type ProviderChoice } from '../../engine/providers';
import { TRAIN_DEFAULTS, type TrainConfig } from '../../train/config';
import { train } from '../../train/loop';
import { readRunJson } from '../../train/runDir';
import { SCHEDULES, type ScheduleKind } from '../../train/schedules';
import { UsageError } from '../args';
import type { Command } from '../command';

const D = TRAIN_DEFAULTS;

export const trainCommand: Command = {
  name: 'train',
  summary: 'continue training a checkpoint (AdamW, LR schedules, checkpoints, resume) on ONNX Runtime',
  usage: 'train CKPT --data D -o RUN_DIR [--steps N --lr X --schedule constant|cosine|wsd|linear --warmup N --batch B --seq T --seed S --provider P] | train --resume RUN_DIR [--steps N]',
  flags: {
    data: { type: 'string', description: 'token file (.bin uint16, *.u32.bin), text file/folder or .jsonl (byte tokenizer)' },
    out: { type: 'string', short: 'o', description: 'run directory' },
    resume: { type: 'string', description: 'resume the run in this directory' },
    steps: { type: 'number', description: `total optimizer steps (default ${D.steps})` },
    lr: { type: 'number', description: `peak learning rate (default ${D.lr})` },
    schedule: { type: 'string', choices: SCHEDULES, description: `learning-rate schedule (default ${D.schedule})` },
    warmup: { type: 'number', description: 'linear warmup steps (default 0)' },
    'min-lr-ratio': { type: 'number', description: `final lr / peak lr for cosine, wsd, linear (default ${D.minLrRatio})` },
    'decay-frac': { type: 'number', description: `WSD: fraction of steps in the final decay (default ${D.decayFrac})` },
    batch: { type: 'number', description: `sequences per step (default ${D.batch})` },
    seq: { type: 'number', description: `tokens per sequence (default ${D.seq})` },
    seed: { type: 'number', description: `data sampling seed (default ${D.seed})` },
    provider: { type: 'string', choices: [...PROVIDER_CHOICES], description: 'ONNX Runtime execution provider (default cpu)' },
    threads: { type: 'number', description: 'ONNX Runtime intra-op threads (default: one per core)' },
    dispatch: { type: 'string', choices: ['sparse', 'dense'], description: 'MoE dispatch: routed tokens only (sparse) or all experts masked (dense)' },
    'save-every': { type: 'number', description: 'checkpoint every N steps (default: only at the end)' },
    'eval-every': { type: 'number', description: 'validation loss every N steps (default: never)' },
    'weight-decay': { type: 'number', description: `AdamW weight decay on matrices (default ${D.adamw.weightDecay})` },
    clip: { type: 'number', description: `global gradient-norm clip, 0 = off (default ${D.adamw.clipNorm})` },
    json: { type: 'boolean', description: 'print the outcome as JSON' },
  },
  async run(args, io) {
    const f = args.flags;
    let cfg: TrainConfig;
    const resume = typeof f.resume === 'string';
    if (resume) {
      if (args.positionals.length) throw new UsageError('--resume takes the run directory; do not also give CKPT');
      const prev = readRunJson(resolve(f.resume as string)).config as TrainConfig;
      cfg = { ...prev, out: resolve(f.resume as string), steps: (f.steps as number | undefined) ?? prev.steps };
    } else {
      const [ckpt, ...extra] = args.positionals;
      if (!ckpt || extra.length) throw new UsageError('train needs exactly one CKPT (a Hugging Face checkpoint folder)');
      if (typeof f.data !== 'string') throw new UsageError('train needs --data');
      if (typeof f.out !== 'string') throw new UsageError('train needs -o RUN_DIR');
      const num = (k: string, d: number) => (f[k] as number | undefined) ?? d;
      cfg = {
        ...D, checkpoint: resolve(ckpt), data: resolve(f.data), out: resolve(f.out),
        steps: num('steps', D.steps), lr: num('lr', D.lr), schedule: ((f.schedule as string) ?? D.schedule) as ScheduleKind,
        warmup: num('warmup', D.warmup), minLrRatio: num('min-lr-ratio', D.minLrRatio), decayFrac: num('decay-frac', D.decayFrac),
        batch: num('batch', D.batch), seq: num('seq', D.seq), seed: num('seed', D.seed),
        provider: ((f.provider as string) ?? D.provider) as ProviderChoice, threads: num('threads', D.threads),
        dispatch: ((f.dispatch as string) ?? D.dispatch) as TrainConfig['dispatch'],
        saveEvery: num('save-every', D.saveEvery), evalEvery: num('eval-every', D.evalEvery),
        adamw: { ...D.adamw, weightDecay: num('weight-decay', D.adamw.weightDecay), clipNorm: num('clip', D.adamw.clipNorm) },
      };
    }
    for (const k of ['steps', 'batch', 'seq'] as const) {
      if (!Number.isInteger(cfg[k]) || cfg[k] < 1) throw new UsageError(`--${k} must be an integer >= 1`);
    }
    const outcome = await train(cfg, { signal: io.signal, log: (l) => io.err(`${l}\n`) }, resume);
    if (f.json) io.out(JSON.stringify(outcome, null, 2) + '\n');
    else io.out(`${outcome.status} at step ${outcome.step}, loss ${outcome.loss?.toFixed(4) ?? '-'}, ${Math.round(outcome.tokensPerSecond)} tokens/s; checkpoint ${outcome.lastCheckpoint}\n`);
    return outcome.status === 'cancelled' ? 130 : 0;
  },
};
