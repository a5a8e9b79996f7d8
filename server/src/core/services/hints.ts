// The simulation in the text: an inlay hint after each `irq` with its placement, and a code lens
// "Show route" above devices and interrupts.

import type { Position, Range } from '../syntax/ast';
import { placementText, routeOf } from './routes';
import type { AnalysisLike } from './util';

export interface InlayHint {
  position: Position;
  label: string;
  /** Markdown: every interrupt of the statement */
  tooltip: string;
}

const MAX_IN_LABEL = 3;

/** One hint per `irq` statement of the file (within `range` when given). */
export function inlayHints(a: AnalysisLike, uri: string, range?: Range): InlayHint[] {
  if (!a.simulation) return [];
  const out: InlayHint[] = [];
  for (const dev of a.model.devices)
    for (const g of dev.groups) {
      if (g.uri !== uri || g.irqs.length === 0) continue;
      const st = g.statement;
      if (range && (st.range.end.line < range.start.line || st.range.start.line > range.end.line)) continue;
      const routes = g.irqs.map((i) => ({ irq: i, route: routeOf(a, i) }));
      if (routes.every((r) => !r.route)) continue;
      const text = (r: (typeof routes)[number]) => (r.route ? placementText(r.route) : '→ not simulated');
      let label: string;
      if (routes.length === 1) label = text(routes[0]);
      else {
        const parts = routes
          .slice(0, MAX_IN_LABEL)
          .map((r) => `[${r.irq.index}] ${text(r).replace(/^→ /, '')}`);
        label = `→ ${parts.join(', ')}${routes.length > MAX_IN_LABEL ? `, … (${routes.length})` : ''}`;
      }
      const tooltip = routes
        .map((r) => `\`${r.irq.id}\` ${text(r)}${r.route ? `  (${r.route.path.join(' → ')})` : ''}`)
        .join('\n\n');
      const end = st.source?.range.end ?? st.target.range.end;
      out.push({ position: end, label, tooltip });
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
  const out: CodeLens[] = [];
  for (const dev of a.model.devices) {
    if (dev.irqs.length === 0) continue;
    if (dev.uri === uri)
      out.push({
        range: dev.range,
        title: `Show route${dev.irqs.length > 1 ? `s (${dev.irqs.length} interrupts)` : ''}`,
        command: 'irqtopo.showRoute',
        args: { uri, device: dev.name, irqs: dev.irqs.map((i) => i.id) },
      });
    for (const g of dev.groups) {
      if (g.uri !== uri || g.irqs.length === 0) continue;
      out.push({
        range: g.statement.range,
        title: g.irqs.length > 1 ? `Show routes (${g.irqs.length})` : 'Show route',
        command: 'irqtopo.showRoute',
        args: { uri, device: dev.name, irqs: g.irqs.map((i) => i.id) },
      });
    }
  }
  return out.sort((x, y) => x.range.start.line - y.range.start.line);
}
