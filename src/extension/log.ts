// The "Graft" log channel and the one way errors reach the user: logged, then one notification with "Show Log".
import * as vscode from 'vscode';
import { GraftError } from '../core/errors';

let channel: vscode.LogOutputChannel | undefined;

export function log(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel('Graft', { log: true });
  return channel;
}

/** Registers the channel with the extension's lifetime. */
export function registerLog(context: vscode.ExtensionContext): void {
  context.subscriptions.push(log(), { dispose: () => (channel = undefined) });
}

/** One line for the user: typed errors carry their own wording; anything else is a bug and says so. */
export function describeError(err: unknown): string {
  if (err instanceof GraftError) return err.message;
  if (err instanceof Error) return `Internal error: ${err.message}`;
  return `Internal error: ${String(err)}`;
}

/** Logs `err` with its stack and shows a notification whose "Show Log" button opens the channel. */
export function reportError(context: string, err: unknown): void {
  const message = `${context}: ${describeError(err)}`;
  log().error(message);
  if (err instanceof Error && !(err instanceof GraftError) && err.stack) log().error(err.stack);
  void vscode.window.showErrorMessage(message, 'Show Log').then((choice) => {
    if (choice === 'Show Log') log().show(true);
  });
}
