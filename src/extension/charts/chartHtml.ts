// The norm-chart panel's HTML: the shared shell (src/extension/webviewHtml.ts) with its own bundle, plus
// `img-src blob:` because the PNG export rasterises the chart's SVG through an <img> loaded from a blob: URL.
import type * as vscode from 'vscode';
import { webviewShell } from '../webviewHtml';

export function chartHtml(webview: vscode.Webview, extensionUri: vscode.Uri, title: string): string {
  return webviewShell(webview, extensionUri, {
    title,
    styles: [['dist', 'charts.css']],
    script: ['dist', 'charts.js'],
    body: '<main id="charts" aria-live="polite"></main>',
    imgSrc: ['blob:'],
  });
}
