// `graft upcycle`: dense → MoE (sparse upcycling, optionally Drop-Upcycling), llama/mistral → mixtral, qwen2 → qwen2_moe,
// qwen3 → qwen3_moe.
import { buildGrowthPlan, validateRecipe } from '../../core/growth/index';
import { openCheckpoint } from '../../core/safetensors/index';
import { UsageError } from '../args';
import type { Command } from '../command';
import { executeFlags, runPlan } from './grow';

export const upcycleCommand: Command = {
  name: 'upcycle',
  summary: 'turn a dense checkpoint into an MoE one: E copies of each MLP and a new router',
  usage: 'upcycle SRC --experts E --topk K [--router-init zeros|normal] [--alpha A] [--drop-ratio R] -o OUT',
  flags: {
    experts: { type: 'number', description: 'experts per layer', default: 8 },
    topk: { type: 'number', description: 'experts per token', default: 2 },
    'router-init': { type: 'string', description: 'new router weights', choices: ['zeros', 'normal'], default: 'zeros' },
    'router-std': { type: 'number', description: 'std of a normal router init', default: 0.02 },
    alpha: { type: 'number', description: 'noise α on experts 1..E−1', default: 0 },
    'drop-ratio': { type: 'number', description: 'Drop-Upcycling: fraction of channels re-initialised', default: 0 },
    seed: { type: 'number', description: 'seed', default: 0 },
    ...executeFlags,
  },
  async run(args, io) {
    if (args.positionals.length !== 1) throw new UsageError('expected one source checkpoint');
    const f = args.flags;
    const recipe = validateRecipe({
      schema: 'graft/recipe@1', seed: f.seed,
      ops: [{ op: 'upcycle', experts: f.experts, topk: f.topk, router_init: f['router-init'], router_std: f['router-std'], alpha: f.alpha, drop_ratio: f['drop-ratio'] }],
    }, '(flags)');
    const src = await openCheckpoint(args.positionals[0], { signal: io.signal });
    return runPlan(buildGrowthPlan(src, recipe), args, io);
  },
};
