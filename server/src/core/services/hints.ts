// The simulation in the text: an inlay hint after each `irq` with its placement, and a code lens
// "Show route" above devices and interrupts.

import { groupsOfDevice, irqDead, irqName } from '../model';
import type { Position, Range } from '../syntax/ast';
import { placementText, routeOf } from './routes';
import { fileOf, type AnalysisLike } from './util';

export interface InlayHint {
  position: Position;
  label: string;
  /** Markdown: every interrupt of the statement */
  tooltip: string;
}

const MAX_IN_LABEL = 3;
/** Interrupts listed in one hint's tooltip. */
const MAX_IN_TOOLTIP = 64;

/** One hint per `irq` statement of the file (within `range` when given); reads only the statements in range. */
export function inlayHints(a: AnalysisLike, uri: string, range?: Range): InlayHint[] {
  const sim = a.simulation;
  const m = a.model;
  const file = fileOf(m, uri);
  if (!sim || !file) return [];
  const t = file.tree;
  const lo = range ? file.offset(range.start) : 0;
  const hi = range ? file.offset({ line: range.end.line + 1, character: 0 }) : t.text.length;
  const out: InlayHint[] = [];
  const G = m.groups;
  const fi = m.files.indexOf(file);
  // groups are in allocation order: those of this file are contiguous runs; test each quickly
  for (let g = 0; g < G.count; g++) {
    if (G.file[g] !== fi) continue;
    const s = G.stmt[g];
    if (t.sEnd[s] < lo || t.sStart[s] > hi) continue;
    const ks: number[] = [];
    for (let i = 0; i < G.size[g]; i++) if (!irqDead(m, G.order[g] + i)) ks.push(G.order[g] + i);
    if (ks.length === 0) continue;
    const routes = ks.map((k) => ({ k, route: routeOf(a, k) }));
    if (routes.every((r) => !r.route)) continue;
    const text = (r: (typeof routes)[number]) => (r.route ? placementText(r.route) : '→ not simulated');
    let label: string;
    if (routes.length === 1) label = text(routes[0]);
    else {
      const parts = routes
        .slice(0, MAX_IN_LABEL)
        .map((r) => `[${G.first[g] + (r.k - G.order[g])}] ${text(r).replace(/^→ /, '')}`);
      label = `→ ${parts.join(', ')}${routes.length > MAX_IN_LABEL ? `, … (${routes.length})` : ''}`;
    }
    const tooltip = routes
      .slice(0, MAX_IN_TOOLTIP)
      .map((r) => `\`${irqName(m, r.k)}\` ${text(r)}${r.route ? `  (${r.route.path.join(' → ')})` : ''}`)
      .concat(routes.length > MAX_IN_TOOLTIP ? [`… and ${routes.length - MAX_IN_TOOLTIP} more`] : [])
      .join('\n\n');
    const n = t.sNArgs[s];
    const end =
      t.sD[s] >= 0
        ? n > 0
          ? t.aEnd(t.sArgs[s] + n - 1)
          : t.aEnd(t.sD[s])
        : t.sC[s] >= 0
          ? t.aEnd(t.sC[s])
          : t.aEnd(t.sB[s]);
    out.push({ position: file.position(end), label, tooltip });
  }
  return out.sort((x, y) => x.position.line - y.position.line || x.position.character - y.position.character);
}

/** The argument of the `irqtopo.showRoute` command (the client shows the routes it names). */
export interface ShowRouteArgs {
  uri: string;
  device: string;
  /** the interrupts, e.g. `nvme0.io[0]`; every interrupt of the device when the lens is on it */
  irqs: string[];
}

export interface CodeLens {
  range: Range;
  title: string;
  command: 'irqtopo.showRoute';
  args: ShowRouteArgs;
}

export function codeLenses(a: AnalysisLike, uri: string): CodeLens[] {
  const m = a.model;
  const file = fileOf(m, uri);
  if (!file) return [];
  const t = file.tree;
  const out: CodeLens[] = [];
  const D = m.devices;
  const G = m.groups;
  const ids = (g: number) => {
    const out: string[] = [];
    for (let i = 0; i < G.size[g]; i++) if (!irqDead(m, G.order[g] + i)) out.push(irqName(m, G.order[g] + i));
    return out;
  };
  for (let dev = 0; dev < D.count; dev++) {
    if (D.irqs[dev] === 0) continue;
    const groups = groupsOfDevice(m, dev);
    const name = D.name[dev];
    if (m.files[D.file[dev]] === file) {
      const all = [...groups].flatMap(ids);
      out.push({
        range: file.range(D.start[dev], D.end[dev]),
        title: `Show route${all.length > 1 ? `s (${all.length} interrupts)` : ''}`,
        command: 'irqtopo.showRoute',
        args: { uri, device: name, irqs: all },
      });
    }
    for (const g of groups) {
      if (m.files[G.file[g]] !== file) continue;
      const list = ids(g);
      if (list.length === 0) continue;
      const s = G.stmt[g];
      out.push({
        range: file.range(t.sStart[s], t.sEnd[s]),
        title: list.length > 1 ? `Show routes (${list.length})` : 'Show route',
        command: 'irqtopo.showRoute',
        args: { uri, device: name, irqs: list },
      });
    }
  }
  return out.sort((x, y) => x.range.start.line - y.range.start.line);
}
