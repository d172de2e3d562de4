// One Graft editor panel: the webview's HTML, and the host's side of the protocol for it. Messages are validated
// before anything acts on them; nothing is sent before the webview says "ready", and everything is sent again
// after a reload (retainContextWhenHidden is off, so a hidden webview reloads when shown).
import * as vscode from 'vscode';
import { Messenger, ProtocolViolation, parseFromWebview, replyTo, type FromWebview, type ToWebview } from '../protocol';
import type { CheckpointDocument } from './checkpointDocument';
import type { CheckpointRegistry, RegisteredEditor } from './checkpointRegistry';
import { Disposable } from './dispose';
import { log } from './log';
import { webviewHtml, webviewOptions } from './webviewHtml';

export class CheckpointEditor extends Disposable implements RegisteredEditor {
  private readonly messenger: Messenger<ToWebview>;
  private ready = false;

  constructor(
    readonly document: CheckpointDocument,
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly registry: CheckpointRegistry,
  ) {
    super();
    this.messenger = new Messenger<ToWebview>((m) => void this.panel.webview.postMessage(m));
    this._register({ dispose: () => this.messenger.dispose() });
    panel.webview.options = webviewOptions(extensionUri);
    panel.webview.html = webviewHtml(panel.webview, extensionUri, document.title);
    this._register(panel.webview.onDidReceiveMessage((raw) => this.receive(raw)));
    this._register(document.onDidChangeState(() => this.sendState()));
    this._register(document.onDidChangeEdits(() => this.sendState()));
    this._register(panel.onDidDispose(() => this.dispose()));
    registry.add(this);
  }

  select(nodeId: string): void {
    if (this.ready) this.messenger.send({ type: 'tree/select', nodeId });
  }

  private sendState(): void {
    if (!this.ready || this.isDisposed) return;
    const state = this.document.state;
    const title = this.document.title;
    const model = this.document.shownModel;
    if (state.kind === 'error' || !model) {
      this.messenger.send({ type: 'error/show', title, error: state.kind === 'error' ? state.error : { name: 'Error', code: 'internal', message: 'no model' } });
      return;
    }
    this.messenger.send({ type: 'model/show', title, model });
    const edits = this.document.edits;
    this.messenger.send({
      type: 'edits/show', applied: edits.applied().map((e) => e.label), redoable: edits.redoable().map((e) => e.label), dirty: edits.dirty,
      preview: this.document.pending?.preview ?? null,
    });
  }

  private receive(raw: unknown): void {
    let message: FromWebview;
    try {
      message = parseFromWebview(raw);
    } catch (err) {
      // Untrusted input: log and drop, never act on it.
      log().warn(`Ignored a message from the webview of ${this.document.uri.fsPath}: ${err instanceof ProtocolViolation ? err.message : err}`);
      return;
    }
    void this.handle(message).catch((err) => log().error(`Handling ${message.type} failed: ${err instanceof Error ? err.stack : err}`));
  }

  private async handle(message: FromWebview): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.sendState();
        return;
      case 'node/reveal': {
        const ok = await this.registry.revealInTree(this, message.nodeId);
        this.messenger.send(replyTo(message, ok ? { value: true } : { error: `no node ${message.nodeId} in the Checkpoint tree` }));
        return;
      }
      case 'node/tensors': {
        const tensors = this.document.tensorsOf(message.nodeId);
        this.messenger.send(replyTo(message, tensors ? { value: tensors } : { error: `no node ${message.nodeId}` }));
        return;
      }
      case 'log/show':
        log().show(true);
        return;
      case 'edits/undo':
      case 'edits/redo':
        // VS Code's own undo/redo, so its stack, the dirty indicator and this list stay one history.
        this.panel.reveal(undefined, false);
        await vscode.commands.executeCommand(message.type === 'edits/undo' ? 'undo' : 'redo');
        return;
      case 'webview/error':
        log().error(`Webview of ${this.document.uri.fsPath}: ${message.message}`);
        return;
    }
  }
}
