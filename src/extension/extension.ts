// Entry point: activate only registers. Nothing here loads onnxruntime-node; engines load on first use.
import { activationTiming, markBundleLoaded } from './activationClock';
import type * as vscode from 'vscode';
import { CheckpointRegistry } from './checkpointRegistry';
import { CheckpointTreeProvider } from './checkpointTreeProvider';
import { registerOpenCheckpointFolder } from './commands/openCheckpointFolder';
import { GraftEditorProvider } from './graftEditorProvider';
import { log, registerLog } from './log';

markBundleLoaded();

export function activate(context: vscode.ExtensionContext): void {
  const start = performance.now();
  registerLog(context);
  const registry = CheckpointRegistry.register(context);
  GraftEditorProvider.register(context, registry);
  CheckpointTreeProvider.register(context, registry);
  registerOpenCheckpointFolder(context);
  const t = activationTiming(start, performance.now());
  // The e2e tests read this line from the log file.
  log().info(`Graft activated in ${t.total.toFixed(1)} ms (bundle load ${t.load.toFixed(1)} ms, activate ${t.activate.toFixed(1)} ms)`);
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}
