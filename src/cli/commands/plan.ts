// `graft plan SRC --recipe R`: preview a growth plan; writes nothing. With --verify, the plan is also executed into
// a temporary folder (removed afterwards) and source and grown model are compared by a forward pass
// (src/train/verifyGrowth.ts): "verified preserved", "not preserved (Δ = …)" or "cannot verify: …".
import { resolve } from 'node:path';
import { buildGrowthPlan, planOverview, planSummary } from '../../core/growth/index';
import { openCheckpoint } from '../../core/safetensors/index';
import { PROVIDER_CHOICES, type ProviderChoice } from '../../engine/providers';
import { VERIFY_DEFAULT_TOKENS, verifyGrowth, verifySummary } from '../../train/verifyGrowth';
import { UsageError } from '../args';
import type { Command } from '../command';
import { loadRecipe } from './grow';

export const planCommand: Command = {
  name: 'plan',
  summary: 'preview a growth recipe on a checkpoint: layer map, experts, params, bytes, function preserved? (writes nothing; --verify checks by a forward pass)',
  usage: 'plan SRC --recipe R [--json [--tensors]] [--verify [--tokens N] [--seed S | --data D] [--provider P]]',
  flags: {
    recipe: { type: 'string', short: 'r', description: 'recipe file (graft/recipe@1 YAML or JSON, or mergekit slices)' },
    json: { type: 'boolean', description: 'print the plan as JSON' },
    tensors: { type: 'boolean', description: 'with --json: include every output tensor with its source and transform' },
    verify: { type: 'boolean', description: 'execute the plan into a temporary folder and compare source and grown logits on one token batch' },
    tokens: { type: 'number', default: VERIFY_DEFAULT_TOKENS, description: 'with --verify: tokens in the batch' },
    seed: { type: 'number', default: 0, description: 'with --verify: seed of the random tokens' },
    data: { type: 'string', description: 'with --verify: take the first tokens of this data instead of random ones (as graft eval --data)' },
    provider: { type: 'string', choices: [...PROVIDER_CHOICES], default: 'cpu', description: 'with --verify: ONNX Runtime execution provider' },
    threads: { type: 'number', description: 'with --verify: ONNX Runtime intra-op threads' },
  },
  async run(args, io) {
    if (args.positionals.length !== 1) throw new UsageError('expected one source checkpoint');
    if (!args.flags.recipe) throw new UsageError('missing --recipe R');
    const recipe = await loadRecipe(args.flags.recipe as string);
    const src = await openCheckpoint(args.positionals[0], { signal: io.signal });
    const plan = buildGrowthPlan(src, recipe, { recipeFile: args.flags.recipe as string });
    const verification = args.flags.verify
      ? await verifyGrowth(resolve(args.positionals[0]), recipe, {
        plan, tokens: args.flags.tokens as number, seed: args.flags.seed as number, data: args.flags.data as string | undefined,
        provider: args.flags.provider as ProviderChoice, threads: args.flags.threads as number | undefined, signal: io.signal,
      })
      : undefined;
    if (args.flags.json) {
      const body = args.flags.tensors ? plan : planOverview(plan);
      io.out(JSON.stringify(verification ? { ...body, verification } : body, null, 2) + '\n');
    } else {
      io.out(planSummary(plan));
      if (verification) io.out(verifySummary(verification));
    }
    // The rule and the forward pass disagreeing is a bug, never a silent pass.
    if (verification?.preservedByRule && verification.verified === 'changed') {
      io.err('graft plan --verify: the plan says the function is preserved, but the forward pass differs\n');
      return 1;
    }
    return 0;
  },
};
