// The VS Code document of an open checkpoint: a thin shell over the plain model (CheckpointSource + ModelTree from
// src/core). Read-only for now; growth edits will be pushed onto `edits` (src/core/edits) and this shell will fire
// them as undoable changes, as hexeditor's HexDocument does. A checkpoint that cannot be read is still a document:
// it holds the error, so the editor can show it and reload when the file is fixed.
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import { EditStack } from '../core/edits/editStack';
import { GraftError } from '../core/errors';
import type { ModelTree } from '../core/model/index';
import type { CheckpointSource } from '../core/safetensors/index';
import type { ErrorView, TensorView } from '../protocol';
import type * as Reader from './checkpointReader';
import { Disposable } from './dispose';

let reader: typeof Reader | undefined;
/** The checkpoint reader, loaded on first use (not at activation). */
export async function loadReader(): Promise<typeof Reader> {
  reader ??= await import('./checkpointReader');
  return reader;
}

/** A growth operation on the document. None exist yet: growth lands with src/core/growth. */
export type CheckpointEditOp = never;

export type CheckpointState =
  | { kind: 'model'; source: CheckpointSource; model: ModelTree }
  /** `cause` (the thrown value, with its stack) stays in the host, for the log. */
  | { kind: 'error'; error: ErrorView; cause: unknown };

export class CheckpointDocument extends Disposable implements vscode.CustomDocument {
  static async open(uri: vscode.Uri): Promise<CheckpointDocument> {
    const doc = new CheckpointDocument(uri);
    await doc.reload();
    return doc;
  }

  readonly edits = new EditStack<CheckpointEditOp>();
  private _state: CheckpointState = { kind: 'error', error: { name: 'Pending', code: 'pending', message: 'not read yet' }, cause: undefined };
  private _loading: Promise<void> | undefined;

  private readonly _onDidDispose = this._register(new vscode.EventEmitter<void>());
  /** Fired once, when VS Code drops the document; listeners attached for it are released then. */
  readonly onDidDispose = this._onDidDispose.event;
  private readonly _onDidChangeState = this._register(new vscode.EventEmitter<CheckpointState>());
  /** Fired after every (re)load, with what the document now shows. */
  readonly onDidChangeState = this._onDidChangeState.event;

  private constructor(readonly uri: vscode.Uri) {
    super();
    this._register(this.watchFiles());
  }

  get state(): CheckpointState {
    return this._state;
  }

  /** Title for the editor and the tree view: the file, or the folder of an index. */
  get title(): string {
    const name = basename(this.uri.fsPath);
    return name.endsWith('.index.json') ? basename(dirname(this.uri.fsPath)) : name;
  }

  /** Reads the checkpoint again (after a change on disk, or a revert); concurrent calls share one read. */
  reload(): Promise<void> {
    this._loading ??= this.load().finally(() => (this._loading = undefined));
    return this._loading;
  }

  private async load(): Promise<void> {
    try {
      if (this.uri.scheme !== 'file') {
        throw new GraftError('extension.unsupported_scheme', `Graft reads checkpoints from local files only, not ${this.uri.scheme}: URIs`, { file: this.uri.toString() });
      }
      const { source, model } = await (await loadReader()).readCheckpoint(this.uri.fsPath);
      this._state = { kind: 'model', source, model };
    } catch (err) {
      this._state = { kind: 'error', error: toErrorView(err), cause: err };
    }
    if (!this.isDisposed) this._onDidChangeState.fire(this._state);
  }

  /** The tensors a node holds directly (for fused layouts, a virtual expert's slices), with header facts. */
  tensorsOf(nodeId: string): TensorView[] | undefined {
    return this._state.kind === 'model' && reader ? reader.tensorViews(this._state, nodeId) : undefined;
  }

  // Saving, reverting and backing up: nothing to write while the edit list is empty (growth brings the executor).
  async save(_cancellation: vscode.CancellationToken): Promise<void> {
    this.edits.markSaved();
  }

  async saveAs(_target: vscode.Uri, _cancellation: vscode.CancellationToken): Promise<void> {
    throw new GraftError('extension.save_as_unsupported', 'Save As needs a growth edit to write; this checkpoint has none');
  }

  async revert(_cancellation: vscode.CancellationToken): Promise<void> {
    this.edits.reset();
    await this.reload();
  }

  async backup(destination: vscode.Uri, _cancellation: vscode.CancellationToken): Promise<vscode.CustomDocumentBackup> {
    // The edit list is the whole unsaved state; with no edits there is nothing to back up.
    return { id: destination.toString(), delete: () => undefined };
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this._onDidDispose.fire();
    super.dispose();
  }

  /** Reloads when any file of the checkpoint's folder changes (a fixed header, a new shard, config.json). */
  private watchFiles(): vscode.Disposable {
    if (this.uri.scheme !== 'file') return { dispose: () => undefined };
    const folder = vscode.Uri.file(dirname(this.uri.fsPath));
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '{*.safetensors,*.index.json,config.json}'));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const schedule = () => {
      clearTimeout(timer);
      timer = setTimeout(() => void this.reload(), 300);
    };
    const subs = [watcher, watcher.onDidChange(schedule), watcher.onDidCreate(schedule), watcher.onDidDelete(schedule)];
    return { dispose: () => { clearTimeout(timer); subs.forEach((s) => s.dispose()); } };
  }
}

export function toErrorView(err: unknown): ErrorView {
  if (err instanceof GraftError) {
    const { file, tensor, rule } = err.details;
    return { name: err.name, code: err.code, message: err.message, file, tensor, rule };
  }
  const e = err instanceof Error ? err : new Error(String(err));
  return { name: e.name, code: 'internal', message: `Internal error: ${e.message}` };
}
