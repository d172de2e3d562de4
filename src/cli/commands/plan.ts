// `graft plan SRC --recipe R`: preview a growth plan; writes nothing.
import { buildGrowthPlan, planOverview, planSummary } from '../../core/growth/index';
import { openCheckpoint } from '../../core/safetensors/index';
import { UsageError } from '../args';
import type { Command } from '../command';
import { loadRecipe } from './grow';

export const planCommand: Command = {
  name: 'plan',
  summary: 'preview a growth recipe on a checkpoint: layer map, experts, params, bytes, function preserved? (writes nothing)',
  usage: 'plan SRC --recipe R [--json [--tensors]]',
  flags: {
    recipe: { type: 'string', short: 'r', description: 'recipe file (graft/recipe@1 YAML or JSON, or mergekit slices)' },
    json: { type: 'boolean', description: 'print the plan as JSON' },
    tensors: { type: 'boolean', description: 'with --json: include every output tensor with its source and transform' },
  },
  async run(args, io) {
    if (args.positionals.length !== 1) throw new UsageError('expected one source checkpoint');
    if (!args.flags.recipe) throw new UsageError('missing --recipe R');
    const recipe = await loadRecipe(args.flags.recipe as string);
    const src = await openCheckpoint(args.positionals[0], { signal: io.signal });
    const plan = buildGrowthPlan(src, recipe, { recipeFile: args.flags.recipe as string });
    if (args.flags.json) io.out(JSON.stringify(args.flags.tensors ? plan : planOverview(plan), null, 2) + '\n');
    else io.out(planSummary(plan));
    return 0;
  },
};
