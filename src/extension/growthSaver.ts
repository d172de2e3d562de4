// How a checkpoint document's Save runs: asks for a new folder, executes the recipe in the engine worker under a
// cancellable progress notification (Cancel → the worker aborts → no destination is left), then opens what it wrote
// in the Graft editor.
import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import * as vscode from 'vscode';
import { CancelledError, GraftError } from '../core/errors';
import { formatBytes, type Recipe } from '../core/growth/index';
import type { CheckpointDocument, DocumentSaver } from './checkpointDocument';
import type { EngineClient } from './engineClient';
import { log } from './log';
import { settings } from './settings';

export class GrowthSaver implements DocumentSaver {
  constructor(private readonly engine: EngineClient) {}

  async pickDestination(document: CheckpointDocument): Promise<string | undefined> {
    const uri = await vscode.window.showSaveDialog({
      title: 'Save the grown checkpoint as a new folder (the source is never overwritten)',
      defaultUri: vscode.Uri.file(defaultDestination(document.uri.fsPath)),
      saveLabel: 'Save Grown Checkpoint',
      filters: { 'Checkpoint folder': ['*'] },
    });
    return uri?.fsPath.replace(/\.safetensors$/, '');
  }

  async write(document: CheckpointDocument, recipe: Recipe, dest: string, cancellation: vscode.CancellationToken): Promise<void> {
    const folder = dirname(document.uri.fsPath);
    if (isInside(dest, folder)) {
      throw new GraftError('extension.dest_in_source', `${dest} is inside the source checkpoint's folder ${folder}: save the grown checkpoint next to it (the source folder stays untouched)`, { file: dest });
    }
    if (existsSync(dest)) throw new GraftError('extension.dest_exists', `${dest} exists: Graft writes a grown checkpoint into a new folder`, { file: dest });
    const s = settings();
    const source = document.uri.fsPath;
    const t0 = Date.now();
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Growing ${document.title} → ${basename(dest)}`, cancellable: true },
      async (progress, token) => {
        const ac = new AbortController();
        const subs = [token.onCancellationRequested(() => ac.abort()), cancellation.onCancellationRequested(() => ac.abort())];
        let shown = 0;
        try {
          return await this.engine.run(
            { kind: 'grow', recipe, source, dest, options: { shardBytes: s.outputShardBytes, threads: s.threads || undefined } },
            {
              signal: ac.signal,
              onProgress: (p) => {
                if (p.phase === 'scales') {
                  progress.report({ message: `noise scales ${p.done}/${p.total}` });
                  return;
                }
                const pct = (100 * p.done) / Math.max(1, p.total);
                progress.report({ increment: pct - shown, message: `${formatBytes(p.done)} / ${formatBytes(p.total)}, tensors ${p.tensorsDone}/${p.tensorsTotal}` });
                shown = pct;
              },
            },
          );
        } catch (err) {
          if (err instanceof CancelledError) {
            log().info(`Save of ${source} to ${dest} cancelled; nothing was left at the destination`);
            throw new vscode.CancellationError();
          }
          throw err;
        } finally {
          subs.forEach((x) => x.dispose());
        }
      },
    );
    log().info(`Wrote ${result.dest}: ${result.tensorCount} tensors, ${formatBytes(result.totalBytes)} in ${result.files.length} files, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const index = result.files.find((f) => f.endsWith('.index.json'));
    const first = index ?? result.files.find((f) => f.endsWith('.safetensors'));
    if (first) await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(join(result.dest, basename(first))), 'graft.checkpoint', { preview: false });
  }
}

/**
 * Where Save proposes to write: a sibling of the checkpoint's folder, `<folder>-grown` (then `-grown-2`, …, the first
 * that does not exist). Never inside the source folder: the source stays untouched, and its watcher would re-read.
 */
export function defaultDestination(sourceFile: string, exists: (p: string) => boolean = existsSync): string {
  const folder = dirname(resolve(sourceFile));
  const base = join(dirname(folder), `${basename(folder)}-grown`);
  if (!exists(base)) return base;
  let i = 2;
  while (exists(`${base}-${i}`)) i++;
  return `${base}-${i}`;
}

/** Whether `path` is `folder` or lies under it. */
export function isInside(path: string, folder: string): boolean {
  const rel = relative(resolve(folder), resolve(path));
  return rel === '' || !(rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel));
}
