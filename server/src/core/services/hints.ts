// The simulation in the text: an inlay hint at the end of each `irq` statement with its placement
// (a range summarised: `→ CPUs 0-7 · 0x20-0x21`), and "Show route" code lenses on device lines (and,
// when asked, one per interrupt on irq lines).

import { GroupFlag } from '../model/types';
import { groupsOfDevice, irqDead, irqName } from '../model';
import type { Position, Range } from '../syntax/ast';
import type { Route } from '../simulate/types';
import { spreadMaskText } from './history';
import { placementText, rangeText, routeOf } from './routes';
import { fileOf, type AnalysisLike } from './util';
import { md, mdCode } from './markdown';

export interface InlayHint {
  position: Position;
  label: string;
  /** Markdown: every interrupt of the statement */
  tooltip: string;
}

/** Interrupts listed in one hint's tooltip. */
const MAX_IN_TOOLTIP = 64;

/**
 * One hint per `irq` statement of the file (within `range` when given), at the end of the statement
 * (after its block); reads only the statements in range. Observed values (pins) are marked
 * `(observed)`; see docs/language.md, "Inlay hints".
 */
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
  for (let g = 0; g < G.count; g++) {
    if (G.file[g] !== fi) continue;
    const s = G.stmt[g];
    if (t.sEnd[s] < lo || t.sStart[s] > hi) continue;
    const routes: Route[] = [];
    for (let i = 0; i < G.size[g]; i++) {
      const k = G.order[g] + i;
      if (irqDead(m, k)) continue;
      const r = routeOf(a, k);
      if (r) routes.push(r);
    }
    if (routes.length === 0) continue;
    const inactive = (G.flags[g] & GroupFlag.Inactive) !== 0;
    const label = rangeText(routes, inactive);
    const tooltip = routes
      .slice(0, MAX_IN_TOOLTIP)
      .map((r) => {
        const mask = spreadMaskText(m, r.k);
        // Markdown: the names escaped (a quoted name may hold a link or an image)
        return `${mdCode(r.irq)} ${placementText(r, inactive)}${mask !== undefined ? ` · mask ${mask}` : ''}${r.path.length ? `  (${r.path.map(md).join(' → ')})` : ''}`;
      })
      .concat(routes.length > MAX_IN_TOOLTIP ? [`… and ${routes.length - MAX_IN_TOOLTIP} more`] : [])
      .join('\n\n');
    out.push({ position: file.position(t.sEnd[s]), label, tooltip });
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

export interface CodeLensOptions {
  /** lenses on irq lines too, one per interrupt (default false: one lens per device line) */
  interrupts?: boolean;
}

/** Element lenses on one irq line; a longer range gets these and one lens for all of it. */
const MAX_ELEMENT_LENSES = 32;

/**
 * "Show route" / "Show routes (N)" on each device line that has interrupts; with `interrupts`, on each
 * irq line too: "Show route" for a single interrupt, and for a range one lens per element
 * (`Show route q[0]`, then `q[1]`, ...), each naming that element alone.
 */
export function codeLenses(a: AnalysisLike, uri: string, options: CodeLensOptions = {}): CodeLens[] {
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
  // a statement whose interrupts a later `release` freed is history: its names now mean the new ones
  const released = (g: number) => {
    for (let i = 0; i < G.size[g]; i++) {
      const k = G.order[g] + i;
      if (!irqDead(m, k) && routeOf(a, k)?.failure?.code !== 'released') return false;
    }
    return !!a.simulation;
  };
  const show = (n: number) => (n > 1 ? `Show routes (${n})` : 'Show route');
  for (let dev = 0; dev < D.count; dev++) {
    if (D.irqs[dev] === 0) continue;
    const groups = groupsOfDevice(m, dev);
    const name = D.name[dev];
    if (m.files[D.file[dev]] === file) {
      const all = [...new Set([...groups].flatMap(ids))];
      if (all.length)
        out.push({
          range: file.range(D.start[dev], D.end[dev]),
          title: show(all.length),
          command: 'irqtopo.showRoute',
          args: { uri, device: name, irqs: all },
        });
    }
    if (!options.interrupts) continue;
    for (const g of groups) {
      if (m.files[G.file[g]] !== file) continue;
      const list = ids(g);
      if (list.length === 0 || released(g)) continue;
      const s = G.stmt[g];
      const range = file.range(t.sStart[s], t.sEnd[s]);
      const lens = (title: string, irqs: string[]) =>
        out.push({ range, title, command: 'irqtopo.showRoute', args: { uri, device: name, irqs } });
      if (G.first[g] < 0) {
        lens(show(1), list);
        continue;
      }
      // the element's own name (`q[3]`): the statement's name and the element's index
      const short = (id: string) => `${G.name[g]}${id.slice(id.lastIndexOf('['))}`;
      list
        .slice(0, MAX_ELEMENT_LENSES)
        .forEach((id, i) => lens(i === 0 ? `Show route ${short(id)}` : short(id), [id]));
      if (list.length > MAX_ELEMENT_LENSES) lens(`… ${show(list.length)}`, list);
    }
  }
  return out.sort((x, y) => x.range.start.line - y.range.start.line);
}
