// `npm run bench`: runs every bench/*.bench.ts (or those matching the arguments) in its own process, so that
// each reports its own peak RSS. Benchmarks print ratios against baselines measured in the same run; they never
// fail on timing. Data sets are generated once under bench-data/ (gitignored) and reused.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const filters = process.argv.slice(2);
const files = readdirSync('bench').filter((f) => f.endsWith('.bench.ts')).sort()
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
// Benchmarks time the bundled CLI (dist/cli.js), as users run it, not the TypeScript sources.
const build = spawnSync(process.execPath, ['scripts/build.mjs', '--production'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
let failed = 0;
for (const f of files) {
  console.log(`\n=== ${f} ===`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', `bench/${f}`], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.log(`${f} exited with ${r.status}`);
  }
}
process.exit(failed ? 1 : 0);
