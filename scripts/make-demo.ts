// Writes demo/tiny-mixtral/: a 4-layer, 8-expert, top-2 Mixtral-layout MoE (hidden 64, F32, byte-level vocab),
// deterministic for its seed. The training engine later replaces its weights with trained ones.
// Run: npx tsx scripts/make-demo.ts [DEST]
import { join } from 'node:path';
import { makeTinyMoe } from '../src/core/model/tinyMoe';

async function main(): Promise<void> {
  const dest = process.argv[2] ?? join(__dirname, '..', 'demo', 'tiny-mixtral');
  const r = await makeTinyMoe(dest, {
    family: 'mixtral', layers: 4, experts: 8, topK: 2, hidden: 64, intermediate: 128, heads: 4, kvHeads: 2,
    dtype: 'F32', seed: 20251009, overwrite: true,
  });
  process.stdout.write(`wrote ${r.dest}: ${r.files.map((f) => f.slice(r.dest.length + 1)).join(', ')}\n`);
}

main().catch((e) => {
  process.stderr.write(`make-demo: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
