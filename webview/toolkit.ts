// The only module that touches @vscode/webview-ui-toolkit: the rest of the webview asks for elements by role, so
// the toolkit (deprecated upstream) can be swapped for plain elements or another library here, in one place.
// Only components whose templates need no inline style attribute are used: vscode-badge, vscode-tag (a FAST badge
// underneath) and vscode-progress-ring write `style="…"`, which the webview's CSP blocks; tags are plain spans.
import { provideVSCodeDesignSystem, vsCodeButton, vsCodeDivider } from '@vscode/webview-ui-toolkit';

let registered = false;

/** Registers the components the webview uses (once). */
export function registerToolkit(): void {
  if (registered) return;
  provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeDivider());
  registered = true;
}

/** A small uppercase label in the theme's badge colours (styled in media/graft.css). */
export function tag(text: string): HTMLElement {
  const el = document.createElement('span');
  el.className = 'tag';
  el.textContent = text;
  return el;
}

export function divider(): HTMLElement {
  return document.createElement('vscode-divider');
}

export function button(label: string, onClick: () => void, appearance: 'primary' | 'secondary' = 'primary'): HTMLElement {
  const el = document.createElement('vscode-button');
  el.setAttribute('appearance', appearance);
  el.textContent = label;
  el.addEventListener('click', onClick);
  return el;
}
