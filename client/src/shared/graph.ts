// What the diagram shows, computed from the server's payload (never from the text): the visible graph
// after collapsing per-device domains beyond the limit, where a cursor position points, and the text of
// a route. Pure (no `vscode`, no DOM): used by the webview and the host, unit-tested in test/core.
import type { Diagram, DiagramNode, Hop, Problem, Range, RouteInfo, Routes } from './types';

export type NodeStyle = 'root' | 'msi-parent' | 'device-level' | 'wired' | 'device' | 'group' | 'unknown';

export interface VisNode {
  id: string;
  label: string;
  /** second line: the kind and the usage */
  detail: string;
  style: NodeStyle;
  implied: boolean;
  /** the worst problem's severity, or null */
  severity: Problem['severity'] | null;
  problems: Problem[];
  /** group nodes: how many domains and devices are folded into it */
  members?: { domains: number; devices: number; parent: string };
}

export interface VisEdge {
  id: string;
  from: string;
  to: string;
  type: string;
  irqs: number;
}

export interface VisGraph {
  nodes: VisNode[];
  edges: VisEdge[];
  /** server node id -> the visible node standing for it */
  shownAs: Map<string, string>;
  /** how many server nodes are folded into groups */
  collapsed: number;
}

const SEVERITY_ORDER: Problem['severity'][] = ['error', 'warning', 'information', 'hint'];

export function worst(problems: readonly Problem[]): Problem['severity'] | null {
  for (const s of SEVERITY_ORDER) if (problems.some((p) => p.severity === s)) return s;
  return null;
}

export function styleOf(n: DiagramNode): NodeStyle {
  if (n.type === 'device') return 'device';
  switch (n.cls) {
    case 'root':
      return 'root';
    case 'msi-parent':
      return 'msi-parent';
    case 'device':
      return 'device-level';
    case 'wired':
      return 'wired';
    default:
      return 'unknown';
  }
}

export function detailOf(n: DiagramNode): string {
  const parts = [n.type === 'device' ? 'device' : n.kind];
  if (n.usage)
    parts.push(`${n.usage.used}${n.usage.size !== null ? `/${n.usage.size}` : ''} ${n.usage.resource}`);
  if (n.implied) parts.push('implied');
  return parts.join(' · ');
}

/**
 * The graph to draw. Beyond `maxDomains` domains, the per-device domains (class `device`) under each
 * parent fold into one group node, with the devices that use only them; `expanded` lists the group ids
 * (`group:PARENT`) the user opened again.
 */
export function visibleGraph(
  d: Diagram,
  maxDomains: number,
  expanded: ReadonlySet<string> = new Set(),
): VisGraph {
  const domains = d.nodes.filter((n) => n.type === 'domain').length;
  const parentOf = new Map<string, string>();
  for (const e of d.edges) if (e.type === 'parent') parentOf.set(e.from, e.to);
  const groupOf = new Map<string, string>();
  if (domains > maxDomains) {
    const byParent = new Map<string, string[]>();
    for (const n of d.nodes) {
      if (n.type !== 'domain' || n.cls !== 'device') continue;
      const p = parentOf.get(n.id);
      if (!p) continue;
      const list = byParent.get(p) ?? [];
      list.push(n.id);
      byParent.set(p, list);
    }
    for (const [p, members] of byParent) {
      const gid = `group:${p.replace(/^domain:/, '')}`;
      if (members.length < 2 || expanded.has(gid)) continue;
      for (const m of members) groupOf.set(m, gid);
    }
    // devices whose every link goes into one group fold into it too
    const links = new Map<string, string[]>();
    for (const e of d.edges) {
      if (!e.from.startsWith('device:')) continue;
      const l = links.get(e.from) ?? [];
      l.push(e.to);
      links.set(e.from, l);
    }
    for (const [dev, tos] of links) {
      const gs = new Set(tos.map((t) => groupOf.get(t)));
      if (gs.size === 1) {
        const g = [...gs][0];
        if (g) groupOf.set(dev, g);
      }
    }
  }
  const nodes: VisNode[] = [];
  const shownAs = new Map<string, string>();
  const groups = new Map<string, VisNode>();
  for (const n of d.nodes) {
    const g = groupOf.get(n.id);
    if (!g) {
      shownAs.set(n.id, n.id);
      nodes.push({
        id: n.id,
        label: n.label,
        detail: detailOf(n),
        style: styleOf(n),
        implied: n.implied,
        severity: worst(n.problems),
        problems: n.problems,
      });
      continue;
    }
    shownAs.set(n.id, g);
    let gn = groups.get(g);
    if (!gn) {
      gn = {
        id: g,
        label: '',
        detail: '',
        style: 'group',
        implied: false,
        severity: null,
        problems: [],
        members: { domains: 0, devices: 0, parent: `domain:${g.slice('group:'.length)}` },
      };
      groups.set(g, gn);
      nodes.push(gn);
    }
    if (n.type === 'device') gn.members!.devices++;
    else gn.members!.domains++;
    gn.problems.push(...n.problems);
  }
  for (const gn of groups.values()) {
    const m = gn.members!;
    gn.label = `${m.domains} per-device domains`;
    gn.detail = `${m.devices} devices · click to expand`;
    gn.severity = worst(gn.problems);
  }
  const edges: VisEdge[] = [];
  const seen = new Map<string, VisEdge>();
  for (const e of d.edges) {
    const from = shownAs.get(e.from);
    const to = shownAs.get(e.to);
    if (!from || !to || from === to) continue;
    const key = `${from}\u0000${to}\u0000${e.type}`;
    const had = seen.get(key);
    if (had) {
      had.irqs += e.irqs;
      continue;
    }
    const v: VisEdge = { id: `e${edges.length}`, from, to, type: e.type, irqs: e.irqs };
    seen.set(key, v);
    edges.push(v);
  }
  return { nodes, edges, shownAs, collapsed: groupOf.size };
}

export function contains(r: Range, line: number, character: number): boolean {
  if (line < r.start.line || line > r.end.line) return false;
  if (line === r.start.line && character < r.start.character) return false;
  if (line === r.end.line && character > r.end.character) return false;
  return true;
}

function size(r: Range): number {
  return (r.end.line - r.start.line) * 1e6 + (r.end.character - r.start.character);
}

/**
 * What the cursor at (line, character) of `uri` points at: an `irq` statement, else the innermost
 * domain or device declaration. `same(a, b)` compares URIs (the host normalises them).
 */
export function targetAt(
  d: Diagram | null,
  r: Routes | null,
  uri: string,
  line: number,
  character: number,
  same: (a: string, b: string) => boolean = (a, b) => a === b,
): { node: string | null; irq: string | null } {
  let irq: RouteInfo | undefined;
  for (const dev of r?.devices ?? [])
    for (const i of dev.irqs)
      if (same(i.uri, uri) && contains(i.range, line, character) && (!irq || size(i.range) < size(irq.range)))
        irq = i;
  let node: DiagramNode | undefined;
  for (const n of d?.nodes ?? [])
    if (same(n.uri, uri) && contains(n.range, line, character) && (!node || size(n.range) < size(node.range)))
      node = n;
  return { node: node?.id ?? null, irq: irq?.irq ?? null };
}

export function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** A hop's resource, with its hwirq when the resource does not already say it (in decimal or hex). */
export function hopText(h: Hop): string {
  if (h.hwirq === null) return h.resource;
  const said = new RegExp(`(^|[^0-9a-fx])(${h.hwirq}|${hex(h.hwirq)})([^0-9a-f]|$)`, 'i').test(h.resource);
  return said ? h.resource : `${h.resource} (hwirq ${h.hwirq})`;
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
  if (r.message)
    out.push(
      `message: address_hi ${hex(r.message.address_hi)}, address_lo ${hex(r.message.address_lo)}, data ${hex(r.message.data)}`,
    );
  if (r.failure) out.push(`${r.failure.code}: ${r.failure.message}`);
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
