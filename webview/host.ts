// The webview's end of the protocol: every message from the host is validated before it is handled, replies settle
// requests, and the view state (expanded rows, selection) survives the webview being hidden and shown again.
import { Messenger, parseToWebview, type FromWebview, type Reply, type ToWebview } from '../src/protocol.js';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();

export const host = new Messenger<FromWebview>((m) => api.postMessage(m));

export type HostMessage = Exclude<ToWebview, Reply>;

export function listen(handler: (message: HostMessage) => void): void {
  window.addEventListener('message', (event: MessageEvent) => {
    let message: ToWebview;
    try {
      message = parseToWebview(event.data);
    } catch (err) {
      reportError(`rejected a message from the host: ${(err as Error).message}`);
      return;
    }
    if (message.type === 'reply') host.settle(message);
    else handler(message);
  });
}

export function reportError(message: string): void {
  host.send({ type: 'webview/error', message });
}

export interface ViewState {
  /** Node ids whose rows are expanded. */
  expanded: string[];
  selected?: string;
}

export function loadState(): ViewState {
  const s = api.getState() as Partial<ViewState> | undefined;
  return { expanded: Array.isArray(s?.expanded) ? s.expanded.filter((x) => typeof x === 'string') : [], selected: typeof s?.selected === 'string' ? s.selected : undefined };
}

export function saveState(state: ViewState): void {
  api.setState(state);
}
