// One HTML tooltip per chart host. HTML rather than SVG <title>: it appears at once, follows keyboard focus as well
// as the pointer, and stays out of the exported SVG. Text only (textContent): profile sources are untrusted paths.
// Positions go through element.style (CSSOM), which a webview CSP without 'unsafe-inline' still allows.

export interface TooltipContent {
  heading: string;
  rows: [label: string, value: string][];
}

export class ChartTooltip {
  readonly element: HTMLDivElement;

  constructor(private readonly host: HTMLElement) {
    this.element = document.createElement('div');
    this.element.className = 'graft-chart-tooltip';
    this.element.setAttribute('role', 'tooltip');
    this.element.hidden = true;
    host.append(this.element);
  }

  /** Shows `content` next to (x, y), given in the host's coordinates, flipping sides to stay inside the host. */
  show(content: TooltipContent, x: number, y: number): void {
    const heading = document.createElement('div');
    heading.className = 'graft-chart-tooltip-heading';
    heading.textContent = content.heading;
    const table = document.createElement('dl');
    for (const [label, value] of content.rows) {
      const dt = document.createElement('dt');
      dt.textContent = label;
      const dd = document.createElement('dd');
      dd.textContent = value;
      table.append(dt, dd);
    }
    this.element.replaceChildren(heading, table);
    this.element.hidden = false;
    const gap = 12;
    const w = this.element.offsetWidth, h = this.element.offsetHeight;
    const maxX = this.host.clientWidth, maxY = this.host.scrollHeight;
    // Below-right of the point, so the chart's title and legend stay readable; flipped at the host's edges.
    const left = x + gap + w > maxX ? Math.max(0, x - gap - w) : x + gap;
    const top = y + gap + h > maxY ? Math.max(0, y - gap - h) : y + gap;
    this.element.style.left = `${left}px`;
    this.element.style.top = `${top}px`;
  }

  hide(): void {
    this.element.hidden = true;
  }
}

/** Four significant digits, as the tooltips and the CLI's table agree on; null reads as a dash. */
export function fmt4(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toPrecision(4);
}
