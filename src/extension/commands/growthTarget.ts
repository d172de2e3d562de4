// What the growth commands share: the document they act on (the tree's and the editor's: the registry's active one,
// also when invoked from a tree row, the editor title or the webview's context menu), small typed pickers, and
// applying an op with its error worded for the user.
import * as vscode from 'vscode';
import type { GrowthOp } from '../../core/growth/index';
import type { CheckpointDocument } from '../checkpointDocument';
import type { CheckpointRegistry } from '../checkpointRegistry';
import { log, reportError } from '../log';

export function targetDocument(registry: CheckpointRegistry): CheckpointDocument | undefined {
  const doc = registry.activeDocument;
  if (!doc || !doc.shownModel) {
    void vscode.window.showWarningMessage('Open a checkpoint in the Graft editor first (a .safetensors file or an index).');
    return undefined;
  }
  return doc;
}

export interface Choice<T> extends vscode.QuickPickItem {
  value: T;
}

/** One step of a command: a quick pick of choices, each explained in a line; undefined when dismissed. */
export async function pick<T>(title: string, choices: Choice<T>[], placeHolder?: string): Promise<T | undefined> {
  const picked = await vscode.window.showQuickPick(choices, { title, placeHolder, matchOnDetail: true, ignoreFocusOut: true });
  return picked?.value;
}

/** A number from an input box, checked while typing; undefined when dismissed. */
export async function askNumber(title: string, opts: { value: number; prompt: string; min: number; max: number; integer?: boolean }): Promise<number | undefined> {
  const text = await vscode.window.showInputBox({
    title, prompt: opts.prompt, value: String(opts.value), ignoreFocusOut: true,
    validateInput: (v) => {
      const n = Number(v);
      if (v.trim() === '' || !Number.isFinite(n)) return 'a number';
      if (opts.integer && !Number.isInteger(n)) return 'a whole number';
      if (n < opts.min || n > opts.max) return `between ${opts.min} and ${opts.max}`;
      return undefined;
    },
  });
  return text === undefined ? undefined : Number(text);
}

/** Applies `op` to the document; a PlanError (the op does not fit this model) is shown and nothing changes. */
export function applyGrowth(document: CheckpointDocument, op: GrowthOp): boolean {
  try {
    const label = document.applyEdit(op);
    const p = document.pending?.preview;
    if (p) log().info(`Pending: ${p.layers.after} layers, ${p.experts?.after ?? 0} experts, function preserved: ${p.functionPreserved.preserved}`);
    void vscode.window.setStatusBarMessage(`Graft: ${label} (pending — Save writes it to a new folder)`, 5000);
    return true;
  } catch (err) {
    reportError('Cannot apply this growth', err);
    return false;
  }
}
