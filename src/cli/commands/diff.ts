// `graft diff A B`: added, removed and reshaped tensors; per common tensor max |B − A| and std(B − A)/std(A). When B
// was grown by Graft from A (its graft-recipe.yaml rebuilds a plan that matches B), every added or reshaped tensor
// (and every copy under another name) is also compared with its source from the plan.
import { pairingSummary, pairLine, pairWithSources } from '../../core/growth/diffPairs';
import { diffCheckpoints } from '../../core/growth/index';
import { openCheckpoint } from '../../core/safetensors/index';
import { UsageError } from '../args';
import type { Command } from '../command';

export const diffCommand: Command = {
  name: 'diff',
  summary: 'compare two checkpoints tensor by tensor (streamed)',
  usage: 'diff A B [--json] [--all]',
  flags: {
    json: { type: 'boolean', description: 'print the diff as JSON' },
    all: { type: 'boolean', description: 'list identical tensors too' },
  },
  async run(args, io) {
    if (args.positionals.length !== 2) throw new UsageError('expected two checkpoints');
    const [a, b] = await Promise.all(args.positionals.map((p) => openCheckpoint(p, { signal: io.signal })));
    const d = await diffCheckpoints(a, b, { signal: io.signal });
    const pairing = await pairWithSources(a, b, { signal: io.signal });
    const shown = args.flags.all ? d.compared : d.compared.filter((x) => !x.identical);
    if (args.flags.json) {
      const extra = pairing.matched
        ? { pairing: { by: pairing.by, recipeHash: pairing.recipeHash, sigma: pairing.sigma, zeroed: pairing.zeroed, initialised: pairing.initialised }, pairs: pairing.pairs }
        : { pairsSkipped: pairing.reason };
      io.out(JSON.stringify({ ...d, compared: shown, identical: d.compared.filter((x) => x.identical).length, ...extra }, null, 2) + '\n');
      return 0;
    }
    const L: string[] = [];
    for (const x of d.added) L.push(`+ ${x.name} ${x.dtype} [${x.shape.join(', ')}]`);
    for (const x of d.removed) L.push(`- ${x.name} ${x.dtype} [${x.shape.join(', ')}]`);
    for (const x of d.changed) L.push(`~ ${x.name} ${x.from.dtype} [${x.from.shape.join(', ')}] → ${x.to.dtype} [${x.to.shape.join(', ')}]`);
    for (const x of shown) L.push(`${x.identical ? '=' : '≠'} ${x.name}  max|Δ| ${x.maxAbsDiff.toExponential(3)}  std(Δ)/std(A) ${x.relNoiseStd.toExponential(3)}`);
    if (pairing.matched) {
      // Per pair with --all; otherwise only copies that should be exact and are not.
      for (const x of pairing.pairs) if (args.flags.all || (!x.identical && x.alpha === undefined && x.kind !== 'drop')) L.push(pairLine(x));
      L.push(...pairingSummary(pairing));
    } else {
      L.push(`pairing with sources skipped: ${pairing.reason}`);
    }
    L.push(`${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} reshaped, ${d.compared.filter((x) => !x.identical).length} differ, ${d.compared.filter((x) => x.identical).length} identical`);
    io.out(L.join('\n') + '\n');
    return 0;
  },
};
