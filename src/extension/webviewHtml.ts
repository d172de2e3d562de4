// The webview's HTML shell: a strict CSP (nothing by default; scripts only with this load's nonce; style sheets, fonts
// and images only from the extension's own roots; no inline style attributes), and every asset through asWebviewUri.
// The nonce is also published as <meta property="csp-nonce">, where the UI toolkit's FAST runtime looks for it: its
// one <style> element (a :focus-visible feature probe) carries the nonce instead of needing 'unsafe-inline'.
import * as vscode from 'vscode';

/** The only folders a Graft webview may load from. */
export function webviewRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')];
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: webviewRoots(extensionUri) };
}

export interface ShellParts {
  title: string;
  /** Style sheets, each a path under the extension root. */
  styles: string[][];
  /** The script bundle, a path under the extension root. */
  script: string[];
  /** The <body> content before the script. */
  body: string;
  /** Extra img-src sources beyond the extension's roots and data: (the chart's PNG export needs blob:). */
  imgSrc?: string[];
}

/** The one HTML shell every Graft webview uses, with its CSP and nonce. */
export function webviewShell(webview: vscode.Webview, extensionUri: vscode.Uri, parts: ShellParts): string {
  // Web Crypto is a global in Node 20: no need to load node:crypto at activation for 16 random bytes.
  const nonce = Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(16))).toString('base64');
  const asset = (path: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...path)).toString();
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
    `img-src ${[webview.cspSource, ...(parts.imgSrc ?? []), 'data:'].join(' ')}`,
  ].join('; ');
  const links = parts.styles.map((p) => `  <link rel="stylesheet" href="${asset(p)}">\n`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <meta property="csp-nonce" content="${nonce}">
${links}  <title>${escapeHtml(parts.title)}</title>
</head>
<body>
  ${parts.body}
  <script nonce="${nonce}" src="${asset(parts.script)}"></script>
</body>
</html>`;
}

export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, title: string): string {
  return webviewShell(webview, extensionUri, {
    title,
    styles: [['media', 'codicons', 'codicon.css'], ['media', 'graft.css']],
    script: ['dist', 'webview.js'],
    body: '<main id="app" aria-live="polite"><p class="loading">Reading checkpoint…</p></main>',
  });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
