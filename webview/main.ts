// The Graft editor's webview: waits for the host's content after saying "ready", then shows either the model
// (summary + layer/expert listing) or why it could not be read. Imports only the protocol and browser libraries.
import { h } from './dom.js';
import { renderError } from './errorView.js';
import { host, listen, loadState, reportError, type HostMessage } from './host.js';
import { LayerListing } from './layerListing.js';
import { renderPending } from './pendingChanges.js';
import { renderSummary } from './summaryView.js';
import { registerToolkit } from './toolkit.js';

registerToolkit();
const app = document.getElementById('app')!;
let listing: LayerListing | undefined;
/** Where the pending-changes panel goes (filled by edits/show, which follows every model/show). */
let pendingSlot: HTMLElement | undefined;
/** A selection that arrived before the model did (or for a node this model lacks). */
let pendingSelection: string | undefined;

function handle(message: HostMessage): void {
  switch (message.type) {
    case 'model/show': {
      document.title = message.title;
      listing = new LayerListing(message.model, loadState());
      const previous = pendingSlot?.firstElementChild;
      pendingSlot = h('div', { class: 'pending-slot' }, previous ?? null);
      app.replaceChildren(h('div', { class: 'page' }, renderSummary(message.title, message.model), pendingSlot, listing.element));
      app.dataset.state = 'model';
      if (pendingSelection && listing.select(pendingSelection)) pendingSelection = undefined;
      return;
    }
    case 'error/show':
      listing = undefined;
      pendingSlot = undefined;
      document.title = message.title;
      renderError(app, message.title, message.error);
      app.dataset.state = 'error';
      return;
    case 'edits/show':
      pendingSlot?.replaceChildren(renderPending(message));
      return;
    case 'tree/select':
      if (!listing?.select(message.nodeId)) pendingSelection = message.nodeId;
      return;
  }
}

window.addEventListener('error', (e) => reportError(`${e.message} (${e.filename}:${e.lineno})`));
// A blocked resource or style is a bug in the webview: make it visible in the host's log, not only in devtools.
document.addEventListener('securitypolicyviolation', (e) => reportError(`CSP blocked ${e.violatedDirective} (${e.sourceFile}:${e.lineNumber})`));
window.addEventListener('unhandledrejection', (e) => reportError(`unhandled rejection: ${e.reason}`));
listen((message) => {
  try {
    handle(message);
  } catch (err) {
    reportError(`handling ${message.type}: ${(err as Error).stack ?? err}`);
  }
});
host.send({ type: 'ready' });
