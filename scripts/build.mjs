// Bundles: the extension host (node, vscode external), the CLI, the engine worker, and the webview (browser).
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', legalComments: 'none' };
const nodeExternal = ['vscode', 'onnxruntime-node'];

const builds = [
  { ...common, entryPoints: { extension: 'src/extension/extension.ts' }, outdir: 'dist', platform: 'node', format: 'cjs', target: 'node20', external: nodeExternal },
  { ...common, entryPoints: { cli: 'src/cli/main.ts' }, outdir: 'dist', platform: 'node', format: 'cjs', target: 'node20', external: nodeExternal },
  { ...common, entryPoints: { worker: 'src/cli/worker.ts' }, outdir: 'dist', platform: 'node', format: 'cjs', target: 'node20', external: nodeExternal },
  { ...common, entryPoints: { engineWorker: 'src/cli/engineWorker.ts' }, outdir: 'dist', platform: 'node', format: 'cjs', target: 'node20', external: nodeExternal },
  { ...common, entryPoints: { webview: 'webview/main.ts' }, outdir: 'dist', platform: 'browser', format: 'iife', target: 'es2022' },
  { ...common, entryPoints: { statsWorker: 'src/cli/statsWorker.ts' }, outdir: 'dist', platform: 'node', format: 'cjs', target: 'node20', external: nodeExternal },
  // The norm-chart panel's webview: dist/charts.js and, from the stylesheet it imports, dist/charts.css.
  { ...common, entryPoints: { charts: 'webview/chartsMain.ts' }, outdir: 'dist', platform: 'browser', format: 'iife', target: 'es2022' },
].filter((b) => Object.values(b.entryPoints).every((p) => existsSync(p)));

if (watch) {
  for (const b of builds) (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  console.log(`built ${builds.map((b) => Object.keys(b.entryPoints)[0]).join(', ')}`);
}
