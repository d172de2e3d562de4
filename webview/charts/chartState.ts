// The chart app's plain inputs and its view state. The state is what the host keeps through getState/setState, so
// it is parsed defensively: a stale or hand-edited state must fall back to defaults, never break rendering.
import { PROFILE_KINDS, type NormProfile, type ProfileKind } from './sharedChart.js';

export type ChartView = 'profile' | 'heatmap';
export const CHART_VIEWS: readonly ChartView[] = ['profile', 'heatmap'];

export interface ChartState {
  kind: ProfileKind;
  view: ChartView;
}

export const DEFAULT_STATE: ChartState = { kind: 'experts', view: 'profile' };

/** What the host gives the chart app: plain JSON, nothing to call back into. */
export interface ChartData {
  before: NormProfile;
  /** The grown model's profile (a pending edit's preview or a saved result), overlaid on `before`. */
  after?: NormProfile;
  /** What produced `after`, as the edit stack words it, e.g. "Grow depth ×2 (interposition)". */
  pendingLabel?: string;
  /** Depth growth's layer map: after layer j is a copy of source layer layerMap[j]. With it the source curve is
   *  drawn under its copies and stack seams are marked; without it both curves use their own layer index. */
  layerMap?: number[];
}

export type ExportFormat = 'svg' | 'png' | 'csv';

export function parseState(raw: unknown): ChartState {
  const s = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const kind = PROFILE_KINDS.find((k) => k === s.kind) ?? DEFAULT_STATE.kind;
  const view = CHART_VIEWS.find((v) => v === s.view) ?? DEFAULT_STATE.view;
  return { kind, view };
}

function hasKind(p: NormProfile | undefined, kind: ProfileKind): boolean {
  return !!p?.layers.some((l) => l.values[kind] !== null && Number.isFinite(l.values[kind]));
}

/** Kinds with at least one value in either profile: the others are shown but disabled. */
export function availableKinds(data: ChartData): ProfileKind[] {
  return PROFILE_KINDS.filter((k) => hasKind(data.before, k) || hasKind(data.after, k));
}

export function hasPerExpert(p: NormProfile | undefined): boolean {
  return !!p?.layers.some((l) => l.perExpert?.some((v) => v !== null));
}

/** The state actually drawn: a kind or view the data cannot show falls back to one it can. */
export function effectiveState(state: ChartState, data: ChartData): ChartState {
  const kinds = availableKinds(data);
  const kind = kinds.includes(state.kind) ? state.kind : (kinds[0] ?? state.kind);
  const view = state.view === 'heatmap' && !hasPerExpert(data.before) && !hasPerExpert(data.after) ? 'profile' : state.view;
  return { kind, view };
}

/** Legend and CSV label of the overlaid series. */
export function afterLabel(data: ChartData): string {
  return data.pendingLabel ? `after: ${data.pendingLabel}` : 'after growth';
}

export const BEFORE_LABEL = 'source';
