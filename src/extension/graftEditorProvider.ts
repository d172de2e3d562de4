// The Graft custom editor for *.safetensors and *.safetensors.index.json: a CustomEditorProvider whose documents keep
// growth edits. The document fires each edit; this provider passes it on through onDidChangeCustomDocument (VS Code's
// undo/redo and dirty indicator), and save/revert/backup delegate to the document.
import * as vscode from 'vscode';
import { formatCount } from '../protocol';
import { CheckpointDocument, type CheckpointState } from './checkpointDocument';
import { CheckpointEditor } from './checkpointEditor';
import type { CheckpointRegistry } from './checkpointRegistry';
import { Disposable } from './dispose';
import { EngineClient } from './engineClient';
import { GrowthSaver } from './growthSaver';
import { log, reportError } from './log';
import { settings } from './settings';

export class GraftEditorProvider extends Disposable implements vscode.CustomEditorProvider<CheckpointDocument> {
  static readonly viewType = 'graft.checkpoint';

  static register(context: vscode.ExtensionContext, registry: CheckpointRegistry): vscode.Disposable {
    const provider = new GraftEditorProvider(context.extensionUri, registry, new EngineClient(context.extensionPath));
    const registration = vscode.window.registerCustomEditorProvider(GraftEditorProvider.viewType, provider, {
      supportsMultipleEditorsPerDocument: true,
    });
    const both = vscode.Disposable.from(registration, provider);
    context.subscriptions.push(both);
    return both;
  }

  private readonly _onDidChangeCustomDocument = this._register(new vscode.EventEmitter<vscode.CustomDocumentEditEvent<CheckpointDocument>>());
  readonly onDidChangeCustomDocument = this._onDidChangeCustomDocument.event;

  private readonly saver: GrowthSaver;

  private constructor(private readonly extensionUri: vscode.Uri, private readonly registry: CheckpointRegistry, engine: EngineClient) {
    super();
    this._register(engine);
    this.saver = new GrowthSaver(engine);
  }

  async openCustomDocument(uri: vscode.Uri, openContext: vscode.CustomDocumentOpenContext): Promise<CheckpointDocument> {
    const t0 = performance.now();
    const backup = openContext.backupId ? vscode.Uri.parse(openContext.backupId) : undefined;
    const document = await CheckpointDocument.open(uri, this.saver, { seed: settings().seed, backup });
    this.logState(document, document.state, performance.now() - t0);
    const subs = [
      document.onDidChangeState((state) => this.logState(document, state)),
      document.onDidEdit((edit) => {
        log().info(`${document.title}: ${edit.label}`);
        this._onDidChangeCustomDocument.fire({ document, ...edit });
      }),
    ];
    document.onDidDispose(() => subs.forEach((s) => s.dispose()));
    return document;
  }

  async resolveCustomEditor(document: CheckpointDocument, panel: vscode.WebviewPanel): Promise<void> {
    const editor = new CheckpointEditor(document, panel, this.extensionUri, this.registry);
    document.onDidDispose(() => editor.dispose());
  }

  saveCustomDocument(document: CheckpointDocument, cancellation: vscode.CancellationToken): Thenable<void> {
    return document.save(cancellation);
  }

  saveCustomDocumentAs(document: CheckpointDocument, destination: vscode.Uri, cancellation: vscode.CancellationToken): Thenable<void> {
    return document.saveAs(destination, cancellation);
  }

  revertCustomDocument(document: CheckpointDocument, cancellation: vscode.CancellationToken): Thenable<void> {
    return document.revert(cancellation);
  }

  backupCustomDocument(document: CheckpointDocument, context: vscode.CustomDocumentBackupContext, cancellation: vscode.CancellationToken): Thenable<vscode.CustomDocumentBackup> {
    return document.backup(context.destination, cancellation);
  }

  /** Every read is logged; a failed one is also shown as a notification (the editor shows it too). */
  private logState(document: CheckpointDocument, state: CheckpointState, ms?: number): void {
    const path = document.uri.fsPath;
    if (state.kind === 'error') {
      reportError(`Cannot open ${document.title}`, state.cause);
      return;
    }
    const m = state.model;
    const took = ms === undefined ? '' : ` in ${ms.toFixed(0)} ms`;
    log().info(`Read ${path}${took}: ${m.familyLabel}, ${m.numLayers} layers, ${m.numExperts ?? 0} experts, ${formatCount(m.totals.params)} parameters`);
  }
}
