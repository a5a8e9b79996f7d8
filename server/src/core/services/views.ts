// The payloads of the custom requests (server/src/protocol.ts): the domain tree, the routes and
// the diagram model. Plain JSON data, derived from one analysis.

import { KINDS, type DomainClass } from '../kinds';
import type { Device, Domain, Model } from '../model';
import type { CpuUsage, Route } from '../simulate/types';
import type { Range } from '../syntax/ast';
import type { Diagnostic, Severity } from '../types';
import { routeOf, usageOf } from './routes';
import { contains, type AnalysisLike } from './util';

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
>;

export interface DeviceRoutes {
  device: string;
  uri: string;
  range: Range;
  irqs: RouteInfo[];
}

export interface Routes {
  uri: string;
  simulated: boolean;
  devices: DeviceRoutes[];
}

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

function counts(diags: readonly Diagnostic[]): ProblemCounts {
  const c: ProblemCounts = { error: 0, warning: 0, information: 0, hint: 0 };
  for (const d of diags) c[d.severity]++;
  return c;
}

/** Diagnostics within a declaration (implied domains: none of their own). */
function problemsIn(diags: readonly Diagnostic[], uri: string, range: Range): Diagnostic[] {
  return diags.filter((d) => d.uri === uri && contains(range, d.range.start) && contains(range, d.range.end));
}

function usage(a: AnalysisLike, d: Domain): Usage | null {
  const u = usageOf(a, d);
  return u ? { resource: u.resource, used: u.used, size: u.size } : null;
}

export function domainTree(a: AnalysisLike): DomainTree {
  const m = a.model;
  const nodes = new Map<Domain, DomainTreeNode>();
  for (const d of m.domains) {
    nodes.set(d, {
      name: d.name,
      kind: d.kindText,
      cls: d.kind ? KINDS[d.kind].cls : null,
      implied: d.implied,
      uri: d.uri,
      range: d.range,
      selectionRange: d.nameRange,
      usage: usage(a, d),
      problems: counts(d.implied ? [] : problemsIn(a.diagnostics, d.uri, d.range)),
      devices: d.servedDevices.map((x) => x.name),
      children: [],
    });
  }
  const roots: DomainTreeNode[] = [];
  const attached = new Set<Domain>();
  const attach = (d: Domain) => {
    attached.add(d);
    for (const c of d.children) {
      if (attached.has(c)) continue;
      nodes.get(d)!.children.push(nodes.get(c)!);
      attach(c);
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
    if (d.parent && !isInLoop(d)) continue;
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

function isInLoop(d: Domain): boolean {
  const seen = new Set<Domain>();
  for (let c: Domain | undefined = d; c; c = c.parent) {
    if (seen.has(c)) return true;
    seen.add(c);
  }
  return false;
}

export function routes(a: AnalysisLike): Routes {
  const m = a.model;
  return {
    uri: m.rootUri,
    simulated: !!a.simulation,
    devices: m.devices.map((dev) => ({
      device: dev.name,
      uri: dev.uri,
      range: dev.range,
      irqs: dev.irqs.map((irq) => {
        const r = routeOf(a, irq);
        const path: string[] = [];
        const seen = new Set<Domain>();
        for (let c = irq.domain; c && !seen.has(c); c = c.parent) {
          seen.add(c);
          path.push(c.name);
        }
        return {
          irq: irq.id,
          uri: irq.uri,
          range: irq.range,
          cpu: r?.cpu ?? null,
          vector: r?.vector ?? null,
          lpi: r?.lpi ?? null,
          irte: r?.irte ?? null,
          event: r?.event ?? null,
          managed: irq.managed,
          path: r?.path ?? path,
          hops: r?.hops ?? [],
          message: r?.message ?? null,
          failure: r?.failure ?? null,
        };
      }),
    })),
  };
}

const domainId = (d: Domain) => `domain:${d.name}`;
const deviceId = (d: Device) => `device:${d.name}`;

function problem(d: Diagnostic): Problem {
  return { code: d.code, severity: d.severity, message: d.message, uri: d.uri, range: d.range };
}

export function diagram(a: AnalysisLike): Diagram {
  const m: Model = a.model;
  const nodes: DiagramNode[] = [];
  const edges: DiagramEdge[] = [];
  const ids = new Set<string>();
  // which node a diagnostic belongs to: the innermost declaration holding it
  const owners: { id: string; uri: string; range: Range }[] = [];
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
      usage: usage(a, d),
      problems: [],
    });
    if (!d.implied) owners.push({ id, uri: d.uri, range: d.range });
  }
  for (const dev of m.devices) {
    const id = deviceId(dev);
    if (ids.has(id)) continue;
    ids.add(id);
    nodes.push({
      id,
      type: 'device',
      label: dev.name,
      kind: 'device',
      cls: 'device',
      implied: false,
      uri: dev.uri,
      range: dev.range,
      usage: null,
      problems: [],
    });
    owners.push({ id, uri: dev.uri, range: dev.range });
    for (const g of dev.groups) owners.push({ id, uri: g.uri, range: g.statement.range });
  }
  // interrupts per edge, from the endpoint domains' chains
  const through = new Map<Domain, number>();
  const users = new Map<string, number>();
  for (const irq of m.irqs) {
    if (!irq.domain) continue;
    users.set(
      `${irq.device.name}->${irq.domain.name}`,
      (users.get(`${irq.device.name}->${irq.domain.name}`) ?? 0) + 1,
    );
    const seen = new Set<Domain>();
    for (let c: Domain | undefined = irq.domain; c && !seen.has(c); c = c.parent) {
      seen.add(c);
      through.set(c, (through.get(c) ?? 0) + 1);
    }
  }
  for (const d of m.domains) {
    if (!d.parent) continue;
    const site = d.parentRef ?? { uri: d.uri, range: d.nameRange };
    edges.push({
      from: domainId(d),
      to: domainId(d.parent),
      type: 'parent',
      uri: site.uri,
      range: site.range,
      irqs: through.get(d) ?? 0,
    });
  }
  for (const dev of m.devices) {
    const links: [EdgeType, Domain | undefined, { uri: string; range: Range } | undefined][] = [
      ['msi-domain', dev.msiDomain, dev.msiDomainRef],
      ['ims', dev.ims, dev.imsRef],
      ['ntb', dev.ntb, dev.ntbRef],
      ['ioapic', dev.ioapic ?? dev.irqs.find((i) => i.domain?.kind === 'ioapic')?.domain, dev.ioapicRef],
    ];
    const seen = new Set<Domain>();
    for (const [type, dom, ref] of links) {
      if (!dom || seen.has(dom)) continue;
      seen.add(dom);
      const site = ref ?? { uri: dev.uri, range: dev.nameRange };
      edges.push({
        from: deviceId(dev),
        to: domainId(dom),
        type,
        uri: site.uri,
        range: site.range,
        irqs: users.get(`${dev.name}->${dom.name}`) ?? 0,
      });
    }
  }
  // problems per node
  const byId = new Map(nodes.map((n) => [n.id, n]));
  for (const diag of a.diagnostics) {
    let best: { id: string; size: number } | undefined;
    for (const o of owners) {
      if (o.uri !== diag.uri || !contains(o.range, diag.range.start)) continue;
      const size =
        (o.range.end.line - o.range.start.line) * 1e6 + (o.range.end.character - o.range.start.character);
      if (!best || size < best.size) best = { id: o.id, size };
    }
    if (best) byId.get(best.id)!.problems.push(problem(diag));
  }
  return {
    uri: m.rootUri,
    simulated: !!a.simulation,
    nodes,
    edges,
    cpus: a.simulation?.cpus ?? [],
    syntaxErrors: a.diagnostics.filter((d) => d.code === 'syntax').length,
  };
}
