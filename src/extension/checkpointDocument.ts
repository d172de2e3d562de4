// The VS Code document of an open checkpoint: a thin shell over the plain models of src/core (CheckpointSource +
// ModelTree, and GrowthEditModel for growth edits). Growth ops are pushed onto `edits` and fired as undoable changes,
// as hexeditor's HexDocument does; Save and Save As execute the recipe into a new folder (never over the source).
// A checkpoint that cannot be read is still a document: it holds the error, so the editor can show it and reload
// when the file is fixed.
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import { EditStack } from '../core/edits/editStack';
import { GrowthEditModel } from '../core/edits/growthEditModel';
import type { PendingModel } from '../core/edits/growthPreview';
import { GraftError } from '../core/errors';
import type { GrowthOp, Recipe } from '../core/growth/index';
import type { ModelTree } from '../core/model/index';
import type { CheckpointSource } from '../core/safetensors/index';
import type { ErrorView, TensorView } from '../protocol';
import type * as Reader from './checkpointReader';
import { Disposable } from './dispose';
import { log } from './log';

let reader: typeof Reader | undefined;
/** The checkpoint reader, loaded on first use (not at activation). */
export async function loadReader(): Promise<typeof Reader> {
  reader ??= await import('./checkpointReader');
  return reader;
}

/** A growth operation on the document: one step of the recipe that Save executes. */
export type CheckpointEditOp = GrowthOp;

/** What a document needs from the extension to save: a destination, the engine, and what to do after. */
export interface DocumentSaver {
  /** Asks where to write (Save); undefined when the user cancels. */
  pickDestination(document: CheckpointDocument): Promise<string | undefined>;
  /** Executes `recipe` on the document's source into `dest` (rejects on failure or cancellation). */
  write(document: CheckpointDocument, recipe: Recipe, dest: string, cancellation: vscode.CancellationToken): Promise<void>;
}

/** The edit event VS Code's undo stack and dirty indicator consume. */
export interface CheckpointEdit {
  label: string;
  undo(): void;
  redo(): void;
}

export type CheckpointState =
  | { kind: 'model'; source: CheckpointSource; model: ModelTree }
  /** `cause` (the thrown value, with its stack) stays in the host, for the log. */
  | { kind: 'error'; error: ErrorView; cause: unknown };

export class CheckpointDocument extends Disposable implements vscode.CustomDocument {
  static async open(uri: vscode.Uri, saver: DocumentSaver, opts: { seed: number; backup?: vscode.Uri }): Promise<CheckpointDocument> {
    const doc = new CheckpointDocument(uri, saver, opts.seed);
    await doc.reload();
    if (opts.backup) await doc.restoreBackup(opts.backup);
    return doc;
  }

  readonly edits = new EditStack<CheckpointEditOp>();
  private growth: GrowthEditModel | undefined;
  private seed: number;
  private _state: CheckpointState = { kind: 'error', error: { name: 'Pending', code: 'pending', message: 'not read yet' }, cause: undefined };
  private _loading: Promise<void> | undefined;
  /** The save in flight, which a concurrent save joins. */
  private saving: Promise<void> | undefined;
  /** Cancelled when the document is dropped: aborts a write still running. */
  private readonly closing = this._register(new vscode.CancellationTokenSource());

  private readonly _onDidDispose = this._register(new vscode.EventEmitter<void>());
  /** Fired once, when VS Code drops the document; listeners attached for it are released then. */
  readonly onDidDispose = this._onDidDispose.event;
  private readonly _onDidChangeState = this._register(new vscode.EventEmitter<CheckpointState>());
  /** Fired after every (re)load, with what the document now shows. */
  readonly onDidChangeState = this._onDidChangeState.event;
  private readonly _onDidEdit = this._register(new vscode.EventEmitter<CheckpointEdit>());
  /** A growth op was applied: the provider passes this on as onDidChangeCustomDocument. */
  readonly onDidEdit = this._onDidEdit.event;
  private readonly _onDidChangeEdits = this._register(new vscode.EventEmitter<void>());
  /** The applied edits changed (apply, undo, redo, save, revert): the shown model and the pending list follow. */
  readonly onDidChangeEdits = this._onDidChangeEdits.event;

  private constructor(readonly uri: vscode.Uri, private readonly saver: DocumentSaver, seed: number) {
    super();
    this.seed = seed;
    this._register(this.watchFiles());
    const sub = this.edits.onDidChange(() => {
      if (!this.isDisposed) this._onDidChangeEdits.fire();
    });
    this._register({ dispose: () => sub.dispose() });
  }

  /** Applies a growth op (checked against the applied ones first: a PlanError pushes nothing) and fires the edit. */
  applyEdit(op: GrowthOp): string {
    if (!this.growth) throw new GraftError('extension.no_model', `${this.title} could not be read: there is nothing to grow`);
    const { label, handle } = this.growth.apply(op);
    this._onDidEdit.fire({ label, undo: handle.undo, redo: handle.redo });
    return label;
  }

  /** The grown model of the applied edits; undefined without edits (or when they no longer apply after a reload). */
  get pending(): PendingModel | undefined {
    try {
      return this.growth?.pending();
    } catch {
      return undefined;
    }
  }

  /** What the tree and the editor show: the pending model while edits are applied, else the checkpoint. */
  get shownModel(): ModelTree | undefined {
    return this.pending?.model ?? (this._state.kind === 'model' ? this._state.model : undefined);
  }

  /** The applied edits as a recipe (Export Recipe, Save). */
  recipe(): Recipe | undefined {
    return this.growth && this.edits.applied().length ? this.growth.recipe() : undefined;
  }

  /** Whether the source is an MoE model (which growth commands apply). */
  get isMoe(): boolean {
    const m = this.shownModel;
    return !!m && m.moeLayers.length > 0;
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
      // The edits outlive a re-read: the same stack, planned again on the new source.
      this.growth = new GrowthEditModel(source, model, this.growth?.seed ?? this.seed, this.edits);
    } catch (err) {
      this._state = { kind: 'error', error: toErrorView(err), cause: err };
      this.growth = undefined;
    }
    if (!this.isDisposed) this._onDidChangeState.fire(this._state);
  }

  /** The tensors a node holds directly (for fused layouts, a virtual expert's slices), with header facts. */
  tensorsOf(nodeId: string): TensorView[] | undefined {
    if (this._state.kind !== 'model' || !reader) return undefined;
    const p = this.pending;
    return reader.tensorViews(p ? { source: p.source, model: p.model } : this._state, nodeId);
  }

  // Save never overwrites the source: it asks for a new folder and executes the recipe there.
  //
  // VS Code cancels a save's token when another save of the same document starts ("no longer required": its own
  // bookkeeping then waits for the newer save only). That token is not the user's Cancel: honouring it aborted a
  // running write and showed the folder dialog a second time. So a save that starts while one is in flight joins it
  // (same dialog, same write, one result for both), and only the progress notification's Cancel (or closing the
  // document) aborts the write.
  save(_cancellation: vscode.CancellationToken): Promise<void> {
    if (this.saving) {
      log().info(`${this.title}: a save is already running; waiting for it`);
      return this.saving;
    }
    this.saving = this.runSave().finally(() => (this.saving = undefined));
    return this.saving;
  }

  private async runSave(): Promise<void> {
    if (!this.growth || this.edits.applied().length === 0) {
      this.edits.markSaved();
      return;
    }
    const dest = await this.saver.pickDestination(this);
    if (!dest) throw new vscode.CancellationError();
    await this.writeTo(dest);
  }

  /** Save As: the chosen name, without `.safetensors` / `.index.json`, is the new folder (a whole Hugging Face checkpoint). */
  async saveAs(target: vscode.Uri, _cancellation: vscode.CancellationToken): Promise<void> {
    if (!this.growth || this.edits.applied().length === 0) {
      throw new GraftError('extension.save_as_unsupported', 'Save As writes a grown checkpoint: apply a growth edit first (Graft: Grow Depth…, Grow Experts…)');
    }
    await this.writeTo(destinationFolderOf(target.fsPath));
  }

  private async writeTo(dest: string): Promise<void> {
    const growth = this.growth!;
    await growth.save(dest, (recipe, d) => this.saver.write(this, recipe, d, this.closing.token));
  }

  async revert(_cancellation: vscode.CancellationToken): Promise<void> {
    this.edits.reset();
    await this.reload();
  }

  /** Hot exit: the applied edits as recipe JSON; restored as unsaved edits when the window comes back. */
  async backup(destination: vscode.Uri, _cancellation: vscode.CancellationToken): Promise<vscode.CustomDocumentBackup> {
    const recipe = this.recipe();
    if (recipe) await vscode.workspace.fs.writeFile(destination, Buffer.from(JSON.stringify(recipe)));
    return {
      id: destination.toString(),
      delete: () => void Promise.resolve(vscode.workspace.fs.delete(destination)).catch(() => undefined),
    };
  }

  private async restoreBackup(backup: vscode.Uri): Promise<void> {
    if (!this.growth) return;
    try {
      const { parseRecipe } = await import('../core/growth/recipe');
      this.growth.restore(parseRecipe(Buffer.from(await vscode.workspace.fs.readFile(backup)).toString('utf8'), backup.fsPath));
    } catch {
      // No backup file (nothing was pending) or an unreadable one: open the checkpoint as it is on disk.
    }
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.closing.cancel();
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

/** `/out/grown.safetensors` → `/out/grown`; `/out/grown/model.safetensors` → `/out/grown`; an index likewise. */
export function destinationFolderOf(path: string): string {
  const name = basename(path);
  if (name === 'model.safetensors' || name === 'model.safetensors.index.json') return dirname(path);
  return path.replace(/(\.safetensors)?(\.index\.json)?$/, '').replace(/\.safetensors$/, '');
}

export function toErrorView(err: unknown): ErrorView {
  if (err instanceof GraftError) {
    const { file, tensor, rule } = err.details;
    return { name: err.name, code: err.code, message: err.message, file, tensor, rule };
  }
  const e = err instanceof Error ? err : new Error(String(err));
  return { name: e.name, code: 'internal', message: `Internal error: ${e.message}` };
}
