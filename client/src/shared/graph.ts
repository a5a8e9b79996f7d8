// What the diagram shows, computed from the server's payload (never from the text): the visible graph,
// with each parent's per-device domains folded into one cluster node when there are many, and which
// declaration a cursor position points at. Pure (no `vscode`, no DOM): used by the webview and the host,
// unit-tested in test/core.
import type { Diagram, DiagramNode, Problem, Range, RouteInfo, Routes } from './types';

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
  /** cluster nodes: what is folded into it */
  members?: {
    domains: number;
    devices: number;
    /** interrupts its domains pass to the parent */
    irqs: number;
    parent: string;
    /** the server node ids folded into it */
    ids: string[];
  };
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

/** The default of `irqtopo.diagram.clusterAbove`. */
export const DEFAULT_CLUSTER_ABOVE = 8;

/**
 * The graph to draw. A parent with more than `clusterAbove` per-device domains (class `device`: the
 * implied PCI/MSI domains, IMS, NTB...) shows them as one cluster node `group:PARENT`, with the devices
 * that use only them; `expanded` lists the clusters the user opened again, `keep` the nodes that stay
 * out of any cluster (the focused route's device and domains).
 */
export function visibleGraph(
  d: Diagram,
  clusterAbove: number = DEFAULT_CLUSTER_ABOVE,
  expanded: ReadonlySet<string> = new Set(),
  keep: ReadonlySet<string> = new Set(),
): VisGraph {
  const parentOf = new Map<string, string>();
  for (const e of d.edges) if (e.type === 'parent') parentOf.set(e.from, e.to);
  const groupOf = new Map<string, string>();
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
    if (members.length < 2 || members.length <= clusterAbove || expanded.has(gid)) continue;
    for (const m of members) if (!keep.has(m)) groupOf.set(m, gid);
  }
  if (groupOf.size) {
    // devices whose every link goes into one cluster fold into it too
    const links = new Map<string, string[]>();
    for (const e of d.edges) {
      if (!e.from.startsWith('device:')) continue;
      const l = links.get(e.from) ?? [];
      l.push(e.to);
      links.set(e.from, l);
    }
    for (const [dev, tos] of links) {
      const gs = new Set(tos.map((t) => groupOf.get(t)));
      if (gs.size === 1 && !keep.has(dev)) {
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
        members: { domains: 0, devices: 0, irqs: 0, parent: `domain:${g.slice('group:'.length)}`, ids: [] },
      };
      groups.set(g, gn);
      nodes.push(gn);
    }
    const m = gn.members!;
    if (n.type === 'device') m.devices++;
    else m.domains++;
    m.ids.push(n.id);
    gn.problems.push(...n.problems);
  }
  // interrupts through a cluster: those its domains pass to the parent
  for (const e of d.edges)
    if (e.type === 'parent') {
      const g = groupOf.get(e.from);
      if (g && groupOf.get(e.to) !== g) groups.get(g)!.members!.irqs += e.irqs;
    }
  for (const gn of groups.values()) {
    const m = gn.members!;
    gn.label = `${m.domains} per-device domains`;
    const errs = gn.problems.filter((p) => p.severity === 'error').length;
    const warns = gn.problems.filter((p) => p.severity === 'warning').length;
    gn.detail = [
      `${m.devices} device${m.devices === 1 ? '' : 's'}`,
      `${m.irqs} interrupt${m.irqs === 1 ? '' : 's'}`,
      errs ? `${errs} error${errs === 1 ? '' : 's'}` : '',
      warns ? `${warns} warning${warns === 1 ? '' : 's'}` : '',
    ]
      .filter(Boolean)
      .join(' · ');
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

export interface NodeMatch {
  /** the server node id (`domain:X`, `device:Y`) */
  id: string;
  label: string;
  /** the kind, and for a per-device domain the device it serves */
  detail: string;
}

/**
 * Domains and devices whose name contains every word of the query (case-insensitive), exact names
 * first, at most `limit`. A per-device domain also matches by its device's name.
 */
export function searchNodes(d: Diagram | null, query: string, limit = 50): NodeMatch[] {
  const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (!d || words.length === 0) return [];
  const served = new Map<string, string>();
  for (const e of d.edges) if (e.from.startsWith('device:')) served.set(e.to, e.from.slice('device:'.length));
  const exact: NodeMatch[] = [];
  const rest: NodeMatch[] = [];
  const q = query.trim().toLowerCase();
  for (const n of d.nodes) {
    const dev = n.type === 'domain' && n.cls === 'device' ? served.get(n.id) : undefined;
    const hay = `${n.label} ${dev ?? ''}`.toLowerCase();
    if (!words.every((w) => hay.includes(w))) continue;
    const m = { id: n.id, label: n.label, detail: dev ? `${n.kind} · serves ${dev}` : n.kind };
    (n.label.toLowerCase() === q ? exact : rest).push(m);
    if (exact.length >= limit) break;
  }
  return [...exact, ...rest].slice(0, limit);
}
