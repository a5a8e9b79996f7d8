// The payloads of the custom requests (server/src/protocol.ts): the domain tree, the routes and
// the diagram model. Plain JSON data, derived from one analysis.

import { KINDS, type DomainClass } from '../kinds';
import { messageOf, type Finding } from '../diagnostics';
import { chainOf, groupsOfDevice, irqDead, irqName, type Domain, type Model } from '../model';
import { MAX_PARENT_DEPTH } from '../model/limits';
import { GroupFlag } from '../model/types';
import type { CpuUsage, DomainUsage, Route } from '../simulate/types';
import type { Range } from '../syntax/ast';
import type { Severity } from '../types';
import { routeOf } from './routes';
import type { AnalysisLike } from './util';

export interface ProblemCounts {
  error: number;
  warning: number;
  information: number;
  hint: number;
}

export interface Usage {
  resource: string;
  used: number;
  size: number | null;
}

export interface DomainTreeNode {
  name: string;
  kind: string;
  cls: DomainClass | null;
  implied: boolean;
  uri: string;
  range: Range;
  selectionRange: Range;
  usage: Usage | null;
  problems: ProblemCounts;
  /** devices whose message domain this is */
  devices: string[];
  children: DomainTreeNode[];
}

export interface DomainTree {
  uri: string;
  /** root first; domains whose chain reaches no root follow as extra roots */
  roots: DomainTreeNode[];
  simulated: boolean;
}

/** One interrupt's route as the client shows it: the route model's fields that cross the wire. */
export type RouteInfo = Pick<
  Route,
  | 'irq'
  | 'uri'
  | 'range'
  | 'cpu'
  | 'vector'
  | 'lpi'
  | 'irte'
  | 'event'
  | 'managed'
  | 'path'
  | 'hops'
  | 'message'
  | 'failure'
  | 'mask'
  | 'node'
  | 'observed'
  | 'offline'
  | 'affinityBroken'
>;

export interface DeviceRoutes {
  device: string;
  uri: string;
  range: Range;
  irqs: RouteInfo[];
  /** the device's interrupts past the response's budget (MAX_ROUTES_LISTED), counted, not listed */
  unlisted: number;
}

export interface Routes {
  uri: string;
  simulated: boolean;
  devices: DeviceRoutes[];
  /** interrupts past the budget, in all: the first MAX_ROUTES_LISTED in device order are listed */
  unlisted: number;
  /** the budget (MAX_ROUTES_LISTED) */
  limit: number;
}

/**
 * Interrupts one `irqtopo/routes` answer lists. A topology may hold 2^20 (MAX_IRQS); each listed one
 * is a route made and sent (about 15 us and 0.5 KB), so 2^20 cost 15 s and a JSON string past V8's
 * limit. The CLI's `irqtopo routes` lists every one.
 */
export const MAX_ROUTES_LISTED = 65_536;

export interface Problem {
  code: string;
  severity: Severity;
  message: string;
  uri: string;
  range: Range;
}

export type NodeType = 'domain' | 'device';

export interface DiagramNode {
  /** `domain:NAME` or `device:NAME` */
  id: string;
  type: NodeType;
  label: string;
  /** domains: the kind; devices: `device` */
  kind: string;
  cls: DomainClass | 'device' | null;
  implied: boolean;
  uri: string;
  range: Range;
  usage: Usage | null;
  problems: Problem[];
}

export type EdgeType = 'parent' | 'msi-domain' | 'ims' | 'ntb' | 'ioapic' | 'device';

export interface DiagramEdge {
  /** child or user */
  from: string;
  /** parent or used domain */
  to: string;
  type: EdgeType;
  /** where the link is written (the `parent` value, the device property...) */
  uri: string;
  range: Range;
  /** interrupts that travel this edge */
  irqs: number;
}

export interface Diagram {
  uri: string;
  simulated: boolean;
  nodes: DiagramNode[];
  edges: DiagramEdge[];
  /** per-CPU vector usage (x86; empty when not simulated) */
  cpus: CpuUsage[];
  /** syntax errors in the topology (the diagram client keeps its last good picture while > 0) */
  syntaxErrors: number;
}

function counts(list: readonly Finding[]): ProblemCounts {
  const c: ProblemCounts = { error: 0, warning: 0, information: 0, hint: 0 };
  for (const d of list) c[d.severity]++;
  return c;
}

/**
 * Findings within a declaration's span (implied domains: none of their own), through the findings
 * of each file sorted by start, made once per request: one filter of every finding per domain
 * would be quadratic (100,000 domains and as many findings).
 */
function problemsOf(list: readonly Finding[]): (d: Domain) => Finding[] {
  const byFile = new Map<Finding['file'], Finding[]>();
  for (const f of list) {
    let l = byFile.get(f.file);
    if (!l) byFile.set(f.file, (l = []));
    l.push(f);
  }
  for (const l of byFile.values()) l.sort((a, b) => a.start - b.start);
  return (d) => {
    const l = byFile.get(d.file);
    if (!l) return [];
    // the first finding starting at or after the declaration
    let lo = 0;
    let hi = l.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (l[mid].start < d.start) lo = mid + 1;
      else hi = mid;
    }
    const out: Finding[] = [];
    for (let i = lo; i < l.length && l[i].start <= d.end; i++) if (l[i].end <= d.end) out.push(l[i]);
    return out;
  };
}

/** Usage by domain name, made once per request. */
function usages(a: AnalysisLike): Map<string, Usage> {
  const out = new Map<string, Usage>();
  for (const u of a.simulation?.domains ?? ([] as DomainUsage[]))
    if (!out.has(u.name)) out.set(u.name, { resource: u.resource, used: u.used, size: u.size });
  return out;
}

export function domainTree(a: AnalysisLike): DomainTree {
  const m = a.model;
  const nodes = new Map<Domain, DomainTreeNode>();
  const use = usages(a);
  const problemsIn = problemsOf(a.findings);
  for (const d of m.domains) {
    nodes.set(d, {
      name: d.name,
      kind: d.kindText,
      cls: d.kind ? KINDS[d.kind].cls : null,
      implied: d.implied,
      uri: d.uri,
      range: d.range,
      selectionRange: d.nameRange,
      usage: use.get(d.name) ?? null,
      problems: counts(d.implied ? [] : problemsIn(d)),
      devices: d.servedDevices.map((x) => m.devices.name[x]),
      children: [],
    });
  }
  const roots: DomainTreeNode[] = [];
  const attached = new Set<Domain>();
  // a domain and what hangs below it, without recursion (a chain may be MAX_PARENT_DEPTH deep);
  // a cycle's members are not nested in each other (that would be a ring): each is a root below
  const attach = (d: Domain) => {
    attached.add(d);
    const todo: { x: Domain; depth: number }[] = [{ x: d, depth: 1 }];
    while (todo.length) {
      const { x, depth } = todo.pop()!;
      for (const c of x.children) {
        if (attached.has(c) || c.onCycle || depth > MAX_PARENT_DEPTH) continue;
        attached.add(c);
        nodes.get(x)!.children.push(nodes.get(c)!);
        todo.push({ x: c, depth: depth + 1 });
      }
    }
  };
  for (const r of m.roots) {
    if (attached.has(r)) continue;
    roots.push(nodes.get(r)!);
    attach(r);
  }
  // the rest: domains with no parent (or a loop) that no root reaches
  for (const d of m.domains) {
    if (attached.has(d)) continue;
    if (d.parent && !d.onCycle) continue; // reached from the top of its chain (a root, a cycle or none)
    roots.push(nodes.get(d)!);
    attach(d);
  }
  for (const d of m.domains)
    if (!attached.has(d)) {
      roots.push(nodes.get(d)!);
      attach(d);
    }
  return { uri: m.rootUri, roots, simulated: !!a.simulation };
}

export function routes(a: AnalysisLike): Routes {
  const m = a.model;
  const D = m.devices;
  const G = m.groups;
  const P = a.simulation?.placement;
  const info = (g: number, k: number): RouteInfo => {
    const gf = m.files[G.file[g]];
    const s = G.stmt[g];
    const r = routeOf(a, k);
    return {
      irq: r?.irq ?? irqName(m, k),
      uri: gf.uri,
      range: r?.range ?? gf.range(gf.tree.sStart[s], gf.tree.sEnd[s]),
      cpu: r?.cpu ?? null,
      vector: r?.vector ?? null,
      lpi: r?.lpi ?? null,
      irte: r?.irte ?? null,
      event: r?.event ?? null,
      managed: (G.flags[g] & GroupFlag.Managed) !== 0,
      path: r?.path ?? chainOf(G.domain[g] >= 0 ? m.domains[G.domain[g]] : undefined).map((d) => d.name),
      hops: r?.hops ?? [],
      message: r?.message ?? null,
      failure: r?.failure ?? null,
      mask: r?.mask ?? null,
      node: r?.node ?? null,
      observed: r?.observed ?? [],
      offline: r?.offline,
      affinityBroken: r?.affinityBroken ?? false,
    };
  };
  const devices: DeviceRoutes[] = [];
  let listed = 0;
  // interrupts a later `release` freed come after every live one, of the device and of the budget:
  // their names are the new ones', and a lookup by name (the route picker, route focus) must find the
  // live interrupt first. Kept as (group, interrupt) pairs until the live ones are listed.
  const released: number[] = [];
  for (let dev = 0; dev < D.count; dev++) {
    const file = m.files[D.file[dev]];
    const d: DeviceRoutes = {
      device: D.name[dev],
      uri: file.uri,
      range: file.range(D.start[dev], D.end[dev]),
      irqs: [],
      unlisted: 0,
    };
    devices.push(d);
    for (const g of groupsOfDevice(m, dev))
      for (let i = 0; i < G.size[g]; i++) {
        const k = G.order[g] + i;
        if (irqDead(m, k)) continue;
        if (P?.failureCode(k) === 'released') released.push(g, k);
        else if (listed < MAX_ROUTES_LISTED) {
          listed++;
          d.irqs.push(info(g, k));
        } else d.unlisted++;
      }
  }
  for (let j = 0; j < released.length; j += 2) {
    const [g, k] = [released[j], released[j + 1]];
    const d = devices[G.device[g]];
    if (listed < MAX_ROUTES_LISTED) {
      listed++;
      d.irqs.push(info(g, k));
    } else d.unlisted++;
  }
  let unlisted = 0;
  for (const d of devices) unlisted += d.unlisted;
  return { uri: m.rootUri, simulated: !!a.simulation, devices, unlisted, limit: MAX_ROUTES_LISTED };
}

const domainId = (d: Domain) => `domain:${d.name}`;
const deviceId = (name: string) => `device:${name}`;

function problem(d: Finding): Problem {
  return {
    code: d.code,
    severity: d.severity,
    message: messageOf(d),
    uri: d.uri,
    range: d.file
      ? d.file.range(d.start, d.end)
      : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
  };
}

export function diagram(a: AnalysisLike): Diagram {
  const m: Model = a.model;
  const nodes: DiagramNode[] = [];
  const edges: DiagramEdge[] = [];
  const ids = new Set<string>();
  const use = usages(a);
  // which node a finding belongs to: the innermost declaration holding it (by file and offsets)
  const owners: { id: string; file: unknown; start: number; end: number }[] = [];
  for (const d of m.domains) {
    const id = domainId(d);
    if (ids.has(id)) continue; // a duplicate name: the first declaration
    ids.add(id);
    nodes.push({
      id,
      type: 'domain',
      label: d.name,
      kind: d.kindText,
      cls: d.kind ? KINDS[d.kind].cls : null,
      implied: d.implied,
      uri: d.uri,
      range: d.implied ? d.nameRange : d.range,
      usage: use.get(d.name) ?? null,
      problems: [],
    });
    if (!d.implied) owners.push({ id, file: d.file, start: d.start, end: d.end });
  }
  const D = m.devices;
  const G = m.groups;
  for (let dev = 0; dev < D.count; dev++) {
    const id = deviceId(D.name[dev]);
    if (ids.has(id)) continue;
    ids.add(id);
    const file = m.files[D.file[dev]];
    nodes.push({
      id,
      type: 'device',
      label: D.name[dev],
      kind: 'device',
      cls: 'device',
      implied: false,
      uri: file.uri,
      range: file.range(D.start[dev], D.end[dev]),
      usage: null,
      problems: [],
    });
    owners.push({ id, file, start: D.start[dev], end: D.end[dev] });
    for (const g of groupsOfDevice(m, dev)) {
      const gf = m.files[G.file[g]];
      owners.push({ id, file: gf, start: gf.tree.sStart[G.stmt[g]], end: gf.tree.sEnd[G.stmt[g]] });
    }
  }
  // interrupts per edge, from the endpoint domains' chains (counted per group: a range is one row)
  const through = new Map<Domain, number>();
  const users = new Map<string, number>();
  for (let g = 0; g < G.count; g++) {
    if (G.domain[g] < 0) continue;
    const ep = m.domains[G.domain[g]];
    const n = G.size[g] - (G.dead.get(g)?.size ?? 0);
    const key = `${D.name[G.device[g]]}->${ep.name}`;
    users.set(key, (users.get(key) ?? 0) + n);
    for (const c of chainOf(ep)) through.set(c, (through.get(c) ?? 0) + n);
  }
  for (const d of m.domains) {
    if (!d.parent) continue;
    const site = d.parentRef ?? { file: d.file, start: d.nameStart, end: d.nameEnd };
    edges.push({
      from: domainId(d),
      to: domainId(d.parent),
      type: 'parent',
      uri: site.file.uri,
      range: site.file.range(site.start, site.end),
      irqs: through.get(d) ?? 0,
    });
  }
  for (let dev = 0; dev < D.count; dev++) {
    const file = m.files[D.file[dev]];
    const t = file.tree;
    const dom = (i: number) => (i >= 0 ? m.domains[i] : undefined);
    let io = dom(D.ioapic[dev]);
    if (!io)
      for (const g of groupsOfDevice(m, dev)) {
        const ep = dom(G.domain[g]);
        if (ep?.kind === 'ioapic') {
          io = ep;
          break;
        }
      }
    const links: [EdgeType, Domain | undefined, number][] = [
      ['msi-domain', dom(D.msiDomain[dev]), D.msiDomainRef[dev]],
      ['ims', dom(D.ims[dev]), D.imsRef[dev]],
      ['ntb', dom(D.ntb[dev]), D.ntbRef[dev]],
      ['ioapic', io, D.ioapicRef[dev]],
    ];
    const seen = new Set<Domain>();
    for (const [type, target, ref] of links) {
      if (!target || seen.has(target)) continue;
      seen.add(target);
      const range =
        ref >= 0 ? file.range(t.aStart[ref], t.aEnd(ref)) : file.range(D.nameStart[dev], D.nameEnd[dev]);
      edges.push({
        from: deviceId(D.name[dev]),
        to: domainId(target),
        type,
        uri: file.uri,
        range,
        irqs: users.get(`${D.name[dev]}->${target.name}`) ?? 0,
      });
    }
  }
  // problems per node: statements do not overlap, so a binary search per file finds the owner
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const byFile = new Map<unknown, typeof owners>();
  for (const o of owners) {
    let list = byFile.get(o.file);
    if (!list) byFile.set(o.file, (list = []));
    list.push(o);
  }
  for (const list of byFile.values()) list.sort((x, y) => x.start - y.start || y.end - x.end);
  for (const f of a.findings) {
    const list = byFile.get(f.file);
    if (!list) continue;
    let lo = 0;
    let hi = list.length - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].start <= f.start) {
        at = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (at >= 0 && f.start <= list[at].end) byId.get(list[at].id)!.problems.push(problem(f));
  }
  return {
    uri: m.rootUri,
    simulated: !!a.simulation,
    nodes,
    edges,
    cpus: a.simulation?.cpus ?? [],
    syntaxErrors: a.findings.filter((d) => d.code === 'syntax').length,
  };
}
