// The norm-chart panel's HTML shell: the same locked-down CSP as the editor's webview (nothing by default; scripts
// only with this load's nonce; styles from the extension's roots), plus `img-src blob: data:` because the PNG
// export rasterises the chart's SVG through an <img> loaded from a blob: URL.
import * as vscode from 'vscode';

export function chartHtml(webview: vscode.Webview, extensionUri: vscode.Uri, title: string): string {
  const nonce = Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(16))).toString('base64');
  const asset = (...path: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...path)).toString();
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} blob: data:`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <meta property="csp-nonce" content="${nonce}">
  <link rel="stylesheet" href="${asset('dist', 'charts.css')}">
  <title>${escapeHtml(title)}</title>
</head>
<body>
  <main id="charts" aria-live="polite"></main>
  <script nonce="${nonce}" src="${asset('dist', 'charts.js')}"></script>
</body>
</html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
