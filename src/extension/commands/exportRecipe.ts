// "Graft: Export Recipe…": the active document's pending growth edits as a recipe file (YAML or JSON, by extension)
// that `graft grow SRC --recipe FILE -o OUT` and `graft plan` accept.
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { recipeFormatOf, recipeText } from '../../core/edits/recipeExport';
import type { CheckpointRegistry } from '../checkpointRegistry';
import { log, reportError } from '../log';
import { targetDocument } from './growthTarget';

export const EXPORT_RECIPE = 'graft.exportRecipe';

export function registerExportRecipe(context: vscode.ExtensionContext, registry: CheckpointRegistry): vscode.Disposable {
  const command = vscode.commands.registerCommand(EXPORT_RECIPE, async () => {
    const document = targetDocument(registry);
    if (!document) return;
    try {
      const recipe = document.recipe();
      if (!recipe) {
        void vscode.window.showInformationMessage('No pending growth edits to export: grow depth or experts first.');
        return;
      }
      const uri = await vscode.window.showSaveDialog({
        title: 'Export the pending growth as a recipe',
        defaultUri: vscode.Uri.file(join(dirname(document.uri.fsPath), `${document.title.replace(/\.safetensors$/, '')}-recipe.yaml`)),
        filters: { 'Recipe (YAML)': ['yaml', 'yml'], 'Recipe (JSON)': ['json'] },
        saveLabel: 'Export Recipe',
      });
      if (!uri) return;
      await vscode.workspace.fs.writeFile(uri, Buffer.from(recipeText(recipe, recipeFormatOf(uri.fsPath), document.uri.fsPath)));
      log().info(`Exported the recipe of ${document.title} to ${uri.fsPath}`);
    } catch (err) {
      reportError('Cannot export the recipe', err);
    }
  });
  context.subscriptions.push(command);
  return command;
}
