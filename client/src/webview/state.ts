// The diagram page's state: the payloads of the followed document, what the user chose, the laid-out
// graph and the view. Part of it is saved with vscode.setState, so that a hidden and shown again panel
// (no retainContextWhenHidden) and a window reload (the host's serializer) come back as they were.
import type { VisGraph } from '../shared/graph';
import type { Box } from '../shared/layout';
import type { Diagram, Routes } from '../shared/types';
import { vscode } from './dom';

export interface View {
  /** the diagram point at the canvas centre */
  cx: number;
  cy: number;
  /** CSS pixels per diagram unit */
  k: number;
}

/** What survives a reload: also read by the host's serializer (`doc`, `irqByDoc`). */
export interface SavedState {
  doc: string | null;
  irqByDoc: Record<string, string>;
  expandedByDoc: Record<string, string[]>;
  viewByDoc: Record<string, View>;
  focusMode: boolean;
}

const MAX_DOCS = 20;

function loadSaved(): SavedState {
  const s = (vscode.getState() ?? {}) as Partial<SavedState>;
  const rec = <T>(v: unknown): Record<string, T> =>
    v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, T>) : {};
  return {
    doc: typeof s.doc === 'string' ? s.doc : null,
    irqByDoc: rec<string>(s.irqByDoc),
    expandedByDoc: rec<string[]>(s.expandedByDoc),
    viewByDoc: rec<View>(s.viewByDoc),
    focusMode: s.focusMode === true,
  };
}

export const saved = loadSaved();

export const state = {
  doc: null as string | null,
  diagram: null as Diagram | null,
  routes: null as Routes | null,
  clusterAbove: 8,
  title: '',
  expanded: new Set<string>(),
  irq: null as string | null,
  note: null as string | null,
  focusNode: null as string | null,
  focusMode: saved.focusMode,
  /** the CPU clicked in the chart */
  cpu: null as number | null,
  activeHop: -1,
  graph: null as VisGraph | null,
  signature: '',
  positions: new Map<string, Box>(),
  edgeRoutes: new Map<string, [number, number][]>(),
  bounds: { w: 0, h: 0 },
  view: { cx: 0, cy: 0, k: 1 },
  /** set when the next render must choose the first view (a new document) */
  freshView: true,
  rendering: Promise.resolve() as Promise<unknown>,
};

function trim<T>(r: Record<string, T>, keep: string | null): Record<string, T> {
  const keys = Object.keys(r);
  if (keys.length <= MAX_DOCS) return r;
  const out: Record<string, T> = {};
  for (const k of keys.slice(-MAX_DOCS)) out[k] = r[k];
  if (keep && r[keep] !== undefined) out[keep] = r[keep];
  return out;
}

export function save(): void {
  const d = state.doc;
  if (d) {
    if (state.irq) saved.irqByDoc[d] = state.irq;
    else delete saved.irqByDoc[d];
    saved.expandedByDoc[d] = [...state.expanded];
    // the view is the document's only once it was drawn (not the previous document's)
    if (!state.freshView) saved.viewByDoc[d] = { ...state.view };
  }
  saved.doc = d;
  saved.focusMode = state.focusMode;
  saved.irqByDoc = trim(saved.irqByDoc, d);
  saved.expandedByDoc = trim(saved.expandedByDoc, d);
  saved.viewByDoc = trim(saved.viewByDoc, d);
  vscode.setState(saved);
}
