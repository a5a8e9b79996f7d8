// Interrupt routes as the client shows them, computed from the server's `irqtopo/routes` payload (never
// from the topology text): the text of a route, which element of a range statement the cursor means,
// the searchable picker's query language, and the hops of the focus strip. Pure (no `vscode`, no DOM):
// used by the host and the webview, unit-tested in test/core.
import type { Hop, Position, Range, RouteInfo, Routes } from './types';

export function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** A hop's resource, with its hwirq when the resource does not already say it (in decimal or hex). */
export function hopText(h: Hop): string {
  if (h.hwirq === null) return h.resource;
  const said = new RegExp(`(^|[^0-9a-fx])(${h.hwirq}|${hex(h.hwirq)})([^0-9a-f]|$)`, 'i').test(h.resource);
  return said ? h.resource : `${h.resource} (hwirq ${h.hwirq})`;
}

/** Where the interrupt landed, in one line: `CPU 3 · vector 0x24 · IRTE 17 · managed`, or its failure. */
export function placementText(r: RouteInfo): string {
  if (r.failure) return `not routed: ${r.failure.code}`;
  const p: string[] = [];
  if (r.cpu !== null) p.push(`CPU ${r.cpu}`);
  if (r.vector !== null) p.push(`vector ${hex(r.vector)}`);
  if (r.lpi !== null) p.push(`LPI ${r.lpi}`);
  if (r.irte !== null) p.push(`IRTE ${r.irte}`);
  if (r.event !== null) p.push(`event ${r.event}`);
  if (r.managed) p.push('managed');
  return p.join(' · ');
}

/** One line per hop, then the placement and the message: what the diagram prints beside a route. */
export function routeLines(r: RouteInfo): string[] {
  const out: string[] = [];
  r.hops.forEach((h, i) => out.push(`${i + 1}. ${h.domain}: ${hopText(h)}`));
  if (r.hops.length === 0) out.push(`path: ${r.path.join(' → ') || '(no domain)'}`);
  const place: string[] = [];
  if (r.cpu !== null) place.push(`CPU ${r.cpu}`);
  if (r.vector !== null) place.push(`vector ${hex(r.vector)}`);
  if (r.lpi !== null) place.push(`LPI ${r.lpi}`);
  if (r.irte !== null) place.push(`IRTE ${r.irte}`);
  if (r.event !== null) place.push(`event ${r.event}`);
  if (r.managed) place.push('managed');
  if (place.length) out.push(place.join(', '));
  if (r.message) out.push(messageText(r));
  if (r.failure) out.push(`${r.failure.code}: ${r.failure.message}`);
  return out;
}

export function messageText(r: RouteInfo): string {
  if (!r.message) return '';
  const m = r.message;
  return `message: address_hi ${hex(m.address_hi)}, address_lo ${hex(m.address_lo)}, data ${hex(m.data)}`;
}

/** Every route of the payload with its device, in payload order. */
export function allRoutes(r: Routes | null): { device: string; route: RouteInfo }[] {
  const out: { device: string; route: RouteInfo }[] = [];
  for (const d of r?.devices ?? []) for (const i of d.irqs) out.push({ device: d.device, route: i });
  return out;
}

/** The route of the interrupt `id`, if the payload has it. */
export function findRoute(r: Routes | null, id: string): RouteInfo | undefined {
  for (const dev of r?.devices ?? []) for (const i of dev.irqs) if (i.irq === id) return i;
  return undefined;
}

/** The device of an interrupt id (`nvme0.io[0]` -> `nvme0`), from the payload. */
export function deviceOfIrq(r: Routes | null, id: string): string | undefined {
  for (const dev of r?.devices ?? []) for (const i of dev.irqs) if (i.irq === id) return dev.device;
  return undefined;
}

function sameRange(a: Range, b: Range): boolean {
  return (
    a.start.line === b.start.line &&
    a.start.character === b.start.character &&
    a.end.line === b.end.line &&
    a.end.character === b.end.character
  );
}

function containsPos(r: Range, p: Position): boolean {
  if (p.line < r.start.line || p.line > r.end.line) return false;
  if (p.line === r.start.line && p.character < r.start.character) return false;
  if (p.line === r.end.line && p.character > r.end.character) return false;
  return true;
}

function rangeSize(r: Range): number {
  return (r.end.line - r.start.line) * 1e6 + (r.end.character - r.start.character);
}

/** The elements of the statement that declared `route` (one for `irq d.x`, eight for `irq d.q[0..7]`). */
export function statementElements(r: Routes | null, route: RouteInfo): RouteInfo[] {
  const out: RouteInfo[] = [];
  for (const d of r?.devices ?? [])
    for (const i of d.irqs) if (i.uri === route.uri && sameRange(i.range, route.range)) out.push(i);
  return out.length ? out : [route];
}

/** `nvme0.q[3]` -> `nvme0.q`, `3`; an id without an index -> the id, null. */
export function splitIndex(id: string): { base: string; index: number | null } {
  const m = /^(.*)\[(\d+)\]$/.exec(id);
  return m ? { base: m[1], index: Number(m[2]) } : { base: id, index: null };
}

/** A statement's elements in short: `nvme0.q[0..7]`, or the ids when they are not one run. */
export function elementsText(els: RouteInfo[]): string {
  if (els.length === 1) return els[0].irq;
  const parts = els.map((e) => splitIndex(e.irq));
  const base = parts[0].base;
  if (parts.every((p) => p.base === base && p.index !== null)) {
    const idx = parts.map((p) => p.index!);
    if (idx.every((v, i) => i === 0 || v === idx[i - 1] + 1))
      return `${base}[${idx[0]}..${idx[idx.length - 1]}]`;
  }
  return `${els[0].irq} … ${els[els.length - 1].irq}`;
}

export interface CursorElement {
  /** the interrupt the route box shows */
  irq: string;
  /** why this element of a range, when the cursor does not say which (null: no need to say) */
  note: string | null;
}

/**
 * Which interrupt the cursor at `pos` of `uri` means. On `irq nvme0.q[0..7]`: the element whose index the
 * cursor is on (the `0` or the `7`), else `current` when it is one of the statement's elements (the user
 * chose it in the list and the editor moved there), else the first element, with a note saying so.
 * `lineText` is the text of the cursor's line. Null: the cursor is on no irq statement.
 */
export function elementAt(
  routes: Routes | null,
  uri: string,
  pos: Position,
  lineText: string,
  current: string | null,
  same: (a: string, b: string) => boolean = (a, b) => a === b,
): CursorElement | null {
  let best: RouteInfo | undefined;
  for (const d of routes?.devices ?? [])
    for (const i of d.irqs)
      if (
        same(i.uri, uri) &&
        containsPos(i.range, pos) &&
        (!best || rangeSize(i.range) < rangeSize(best.range))
      )
        best = i;
  if (!best) return null;
  const els = statementElements(routes, best);
  if (els.length === 1) return { irq: els[0].irq, note: null };
  // the index under the cursor, on the statement's first line: `[A..B]`, `[A-B]` or `[A]`
  if (pos.line === best.range.start.line) {
    const from = best.range.start.character;
    const re = /\[\s*(0x[0-9a-fA-F]+|\d+)\s*(?:(?:\.\.|-)\s*(0x[0-9a-fA-F]+|\d+)\s*)?\]/g;
    re.lastIndex = from;
    const m = re.exec(lineText);
    if (m) {
      const a = m.index + m[0].indexOf(m[1]);
      const tokens: [number, string][] = [[a, m[1]]];
      if (m[2] !== undefined) tokens.push([m.index + m[0].lastIndexOf(m[2]), m[2]]);
      for (const [start, tok] of tokens)
        if (pos.character >= start && pos.character <= start + tok.length) {
          const n = Number(tok);
          const hit = els.find((e) => splitIndex(e.irq).index === n);
          if (hit) return { irq: hit.irq, note: null };
        }
    }
  }
  if (current && els.some((e) => e.irq === current)) return { irq: current, note: null };
  return {
    irq: els[0].irq,
    note: `The first of ${els.length} interrupts on this line (${elementsText(els)}): put the cursor on an index, or choose another in the list.`,
  };
}

// ---- the picker's query language ---------------------------------------------------------------------

export interface RouteQuery {
  cpu?: number;
  vector?: number;
  irte?: number;
  lpi?: number;
  event?: number;
  /** lower-case words every match's id (or device) must contain */
  words: string[];
}

const KEYS: Record<string, keyof Omit<RouteQuery, 'words'>> = {
  cpu: 'cpu',
  vector: 'vector',
  vec: 'vector',
  irte: 'irte',
  lpi: 'lpi',
  event: 'event',
};

/** `CPU 12`, `IRTE 40`, `vector 0x24`, `lpi 8193`, `event 3`, plain words for the id; combinable. */
export function parseRouteQuery(q: string): RouteQuery {
  const out: RouteQuery = { words: [] };
  const toks = q.trim().split(/\s+/).filter(Boolean);
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i].toLowerCase();
    // `cpu12` and `cpu 12`, `vector=0x24`, `irte:40`
    const glued = /^([a-z]+)[:=]?(0x[0-9a-f]+|\d+)$/.exec(t);
    if (glued && KEYS[glued[1]]) {
      out[KEYS[glued[1]]] = Number(glued[2]);
      continue;
    }
    const key = KEYS[t.replace(/[:=]$/, '')];
    const next = toks[i + 1];
    if (key && next !== undefined && /^(0x[0-9a-f]+|\d+)$/i.test(next)) {
      out[key] = Number(next.toLowerCase());
      i++;
      continue;
    }
    out.words.push(t);
  }
  return out;
}

export interface RouteMatch {
  device: string;
  route: RouteInfo;
}

/**
 * The routes a query names, best first (an exact id, then ids that start with the words, then the rest
 * in payload order), at most `limit`; `total` counts them all.
 */
export function searchRoutes(
  r: Routes | null,
  query: string,
  limit = 200,
): { matches: RouteMatch[]; total: number } {
  const q = parseRouteQuery(query);
  const lower = query.trim().toLowerCase();
  const exact: RouteMatch[] = [];
  const prefix: RouteMatch[] = [];
  const rest: RouteMatch[] = [];
  for (const { device, route } of allRoutes(r)) {
    if (q.cpu !== undefined && route.cpu !== q.cpu) continue;
    if (q.vector !== undefined && route.vector !== q.vector) continue;
    if (q.irte !== undefined && route.irte !== q.irte) continue;
    if (q.lpi !== undefined && route.lpi !== q.lpi) continue;
    if (q.event !== undefined && route.event !== q.event) continue;
    const id = route.irq.toLowerCase();
    if (!q.words.every((w) => id.includes(w) || device.toLowerCase() === w)) continue;
    const m = { device, route };
    if (id === lower) exact.push(m);
    else if (q.words.length && id.startsWith(q.words[0])) prefix.push(m);
    else rest.push(m);
  }
  const all = [...exact, ...prefix, ...rest];
  return { matches: all.slice(0, limit), total: all.length };
}

// ---- the focus strip --------------------------------------------------------------------------------

export interface StripItem {
  /** the device, then each domain from the endpoint to the root */
  name: string;
  kind: 'device' | 'domain';
  /** what this level took, written on the edge into it (`MSI-X entry 5`, `IRTE 40`, `CPU 12 vector 0x24`) */
  took: string | null;
}

/** The route left to right: the device, then each hop with the resource its level took. */
export function routeStrip(device: string, r: RouteInfo): StripItem[] {
  const out: StripItem[] = [{ name: device, kind: 'device', took: null }];
  if (r.hops.length) for (const h of r.hops) out.push({ name: h.domain, kind: 'domain', took: hopText(h) });
  else for (const d of r.path) out.push({ name: d, kind: 'domain', took: null });
  return out;
}
