// Which Graft editors are open and which one is active: the Checkpoint tree follows the active one, and the two
// reach each other through here (tree selection → editor highlight; webview click → tree reveal).
import * as vscode from 'vscode';
import type { CheckpointDocument } from './checkpointDocument';
import { Disposable } from './dispose';

/** What the registry needs of an editor panel. */
export interface RegisteredEditor {
  readonly document: CheckpointDocument;
  readonly panel: vscode.WebviewPanel;
  /** Scrolls the webview to a node and highlights it. */
  select(nodeId: string): void;
}

/** The Checkpoint tree, as the editors see it. */
export interface TreeRevealer {
  reveal(document: CheckpointDocument, nodeId: string): Promise<boolean>;
}

export class CheckpointRegistry extends Disposable {
  static register(context: vscode.ExtensionContext): CheckpointRegistry {
    const registry = new CheckpointRegistry();
    context.subscriptions.push(registry);
    return registry;
  }

  private readonly editors = new Set<RegisteredEditor>();
  private _active: RegisteredEditor | undefined;
  private revealer: TreeRevealer | undefined;
  private readonly _onDidChangeActive = this._register(new vscode.EventEmitter<CheckpointDocument | undefined>());
  /** The document the tree should show changed (another editor became active, or the last one closed). */
  readonly onDidChangeActive = this._onDidChangeActive.event;

  get activeDocument(): CheckpointDocument | undefined {
    return this._active?.document;
  }

  /** Tracks `editor` until its panel closes; the newest or most recently focused editor is the active one. */
  add(editor: RegisteredEditor): void {
    this.editors.add(editor);
    const subs = [
      editor.panel.onDidChangeViewState(() => {
        if (editor.panel.active) this.setActive(editor);
      }),
      editor.panel.onDidDispose(() => {
        subs.forEach((s) => s.dispose());
        this.editors.delete(editor);
        if (this._active === editor) this.setActive([...this.editors].find((e) => e.panel.visible) ?? [...this.editors].at(-1));
      }),
    ];
    this.setActive(editor);
  }

  /** Highlights a node in the active editor (when it shows `document`). */
  selectInEditor(document: CheckpointDocument, nodeId: string): void {
    if (this._active?.document === document) this._active.select(nodeId);
  }

  setRevealer(revealer: TreeRevealer): vscode.Disposable {
    this.revealer = revealer;
    return { dispose: () => (this.revealer = this.revealer === revealer ? undefined : this.revealer) };
  }

  /** Reveals a node in the tree, making `document` the tree's document first. */
  async revealInTree(editor: RegisteredEditor, nodeId: string): Promise<boolean> {
    this.setActive(editor);
    return (await this.revealer?.reveal(editor.document, nodeId)) ?? false;
  }

  private setActive(editor: RegisteredEditor | undefined): void {
    if (this._active === editor) return;
    const previous = this._active?.document;
    this._active = editor;
    if (editor?.document !== previous) this._onDidChangeActive.fire(editor?.document);
  }
}
