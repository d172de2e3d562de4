// "Graft: Open Checkpoint Folder…": pick a Hugging Face folder (or take the explorer's), open its index or
// safetensors file in the Graft editor.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { GraftError } from '../../core/errors';
import { loadReader } from '../checkpointDocument';
import { GraftEditorProvider } from '../graftEditorProvider';
import { reportError } from '../log';

export const OPEN_CHECKPOINT_FOLDER = 'graft.openCheckpointFolder';

export function registerOpenCheckpointFolder(context: vscode.ExtensionContext): vscode.Disposable {
  const command = vscode.commands.registerCommand(OPEN_CHECKPOINT_FOLDER, async (folder?: vscode.Uri) => {
    try {
      const target = folder ?? (await pickFolder());
      if (!target) return;
      const file = await checkpointFileIn(target);
      if (file) await vscode.commands.executeCommand('vscode.openWith', file, GraftEditorProvider.viewType);
    } catch (err) {
      reportError('Cannot open checkpoint folder', err);
    }
  });
  context.subscriptions.push(command);
  return command;
}

async function pickFolder(): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFolders: true, canSelectFiles: false, canSelectMany: false,
    openLabel: 'Open Checkpoint', title: 'Open a checkpoint folder (config.json + *.safetensors)',
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  return picked?.[0];
}

/** The file that stands for the folder's checkpoint: its index, else its only .safetensors, else the user's pick. */
export async function checkpointFileIn(folder: vscode.Uri): Promise<vscode.Uri | undefined> {
  let names: string[];
  try {
    names = (await readdir(folder.fsPath)).filter((n) => !n.startsWith('.')).sort(new Intl.Collator('en', { numeric: true }).compare);
  } catch (err) {
    throw new GraftError('extension.folder_unreadable', `cannot list the folder: ${(err as Error).message}`, { file: folder.fsPath }, { cause: err });
  }
  const { INDEX_NAME } = await loadReader();
  const indexes = names.includes(INDEX_NAME) ? [INDEX_NAME] : names.filter((n) => n.endsWith('.safetensors.index.json'));
  if (indexes.length === 1) return vscode.Uri.file(join(folder.fsPath, indexes[0]));
  const files = names.filter((n) => n.endsWith('.safetensors'));
  if (files.length === 0 && indexes.length === 0) {
    throw new GraftError('extension.no_checkpoint', 'the folder holds no .safetensors file or index', { file: folder.fsPath, rule: 'a checkpoint needs at least one .safetensors file' });
  }
  const candidates = indexes.length > 1 ? indexes : files;
  if (candidates.length === 1) return vscode.Uri.file(join(folder.fsPath, candidates[0]));
  const pick = await vscode.window.showQuickPick(candidates, { title: 'Which file opens this checkpoint?' });
  return pick ? vscode.Uri.file(join(folder.fsPath, pick)) : undefined;
}
