// Context keys for menus' `when` clauses: what the active Graft editor's (pending) model is, so "Grow Experts…" shows
// only for MoE models and "Upcycle to MoE…" only for dense ones.
import * as vscode from 'vscode';
import type { CheckpointDocument } from './checkpointDocument';
import type { CheckpointRegistry } from './checkpointRegistry';
import { Disposable } from './dispose';

/** `graft.modelKind`: 'moe' | 'dense' for a readable active Graft editor, '' otherwise. */
export const MODEL_KIND = 'graft.modelKind';

export function modelKindOf(document: CheckpointDocument | undefined): 'moe' | 'dense' | '' {
  const m = document?.shownModel;
  if (!m) return '';
  return m.moeLayers.length > 0 ? 'moe' : 'dense';
}

export class ContextKeys extends Disposable {
  static register(context: vscode.ExtensionContext, registry: CheckpointRegistry): ContextKeys {
    const keys = new ContextKeys(registry);
    context.subscriptions.push(keys);
    return keys;
  }

  private sub: vscode.Disposable | undefined;

  private constructor(private readonly registry: CheckpointRegistry) {
    super();
    this._register(registry.onDidChangeActive((doc) => this.follow(doc)));
    this._register({ dispose: () => this.sub?.dispose() });
    this.follow(registry.activeDocument);
  }

  private follow(document: CheckpointDocument | undefined): void {
    this.sub?.dispose();
    const update = () => void vscode.commands.executeCommand('setContext', MODEL_KIND, modelKindOf(this.registry.activeDocument));
    const subs = document ? [document.onDidChangeState(update), document.onDidChangeEdits(update)] : [];
    this.sub = { dispose: () => subs.forEach((s) => s.dispose()) };
    update();
  }
}
