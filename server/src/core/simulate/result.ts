// A simulation's result as the rest of the core reads it: the placement columns, with routes,
// hops and MSI messages made on demand for hovers, views and `irqtopo routes`.

import type { Finding } from '../diagnostics';
import {
  apicModeOf,
  groupOfIrq,
  irqDead,
  irqName,
  maskOfIrq,
  statementSite,
  type Domain,
  type Model,
} from '../model';
import { GroupFlag } from '../model/types';
import { rangeOf } from '../model/types';
import { passThrough } from './context';
import type { Simulator } from './index';
import { resolveInject, type InjectOutcome } from './evaluate';
import { amdMessage, apicDest, compatMessage, intelMessage, itsMessage } from './messages';
import type { OfflineStep } from './hotplug';
import { PF, type Placement } from './placement';
import { cpuUsage, domainUsage } from './usage';
import type { CpuUsage, DomainUsage, Hop, InjectResult, MsiMessage, Route, Simulation } from './types';

export class SimulationResult implements Simulation {
  private cpusMade: CpuUsage[] | undefined;
  private domainsMade: DomainUsage[] | undefined;
  injects: InjectResult[] = [];
  findings: Finding[] = [];
  /** the placement as allocated, before the first `offline` (set only when the file has one) */
  boot: Placement | undefined;
  /** affinities an `offline` replaced with the online mask of that moment (CPU numbers), by interrupt */
  readonly affinityNow = new Map<number, number[]>();
  /** what each CPU of each `offline` did, in the order replayed */
  readonly offlineSteps: OfflineStep[] = [];
  private routesCache: Route[] | undefined;
  private byId: Map<string, Route> | undefined;

  constructor(
    readonly model: Model,
    readonly placement: Placement,
    private readonly sim: Simulator,
  ) {}

  /** per CPU usage, made on first use (the simulation's state no longer changes after run) */
  get cpus(): CpuUsage[] {
    return (this.cpusMade ??= cpuUsage(this.sim));
  }
  get domains(): DomainUsage[] {
    return (this.domainsMade ??= domainUsage(this.sim));
  }

  get routes(): Route[] {
    if (!this.routesCache) {
      const out: Route[] = [];
      for (let k = 0; k < this.model.irqCount; k++) {
        const r = this.route(k);
        if (r) out.push(r);
      }
      this.routesCache = out;
    }
    return this.routesCache;
  }

  get routesById(): Map<string, Route> {
    return (this.byId ??= new Map(this.routes.map((r) => [r.irq, r])));
  }

  refresh(): void {
    this.routesCache = undefined;
    this.byId = undefined;
    this.model.injects.forEach((inj, i) => {
      const r = this.injects[i];
      if (r) r.range = inj.file.range(inj.file.tree.sStart[inj.stmt], inj.file.tree.sEnd[inj.stmt]);
    });
  }

  routesBeforeOffline(): Route[] | undefined {
    if (!this.boot) return undefined;
    const view = new SimulationResult(this.model, this.boot, this.sim);
    const s = this.sim.s;
    const now = s.placement;
    s.placement = this.boot; // the levels' hops read the context's placement
    try {
      return view.routes;
    } finally {
      s.placement = now;
    }
  }

  inject(device: number, address: number, data: number): InjectOutcome {
    return resolveInject(this.sim, this, device, address, data);
  }

  /** Whether interrupt k holds its resources (allocated, not failed). */
  allocated(k: number): boolean {
    return (this.placement.flags[k] & PF.Allocated) !== 0;
  }

  route(k: number): Route | undefined {
    const m = this.model;
    if (k < 0 || k >= m.irqCount || irqDead(m, k)) return undefined;
    const P = this.placement;
    const g = groupOfIrq(m, k);
    const G = m.groups;
    const dev = G.device[g];
    const site = statementSite(m, g);
    const ep = G.domain[g] >= 0 ? m.domains[G.domain[g]] : undefined;
    const info = ep ? this.sim.s.chainInfo(ep) : undefined;
    const failure = P.failureOf(k);
    const observed: Route['observed'] = [];
    if (P.flags[k] & PF.PinnedPlacement) observed.push('cpu', 'vector');
    else if (P.flags[k] & PF.PinnedVector) observed.push('vector');
    if (P.flags[k] & PF.PinnedIrte) observed.push('irte');
    if (G.lpi[g] >= 0 && P.lpi[k] === G.lpi[g]) observed.push('lpi');
    const r: Route = {
      irq: irqName(m, k),
      device: m.devices.name[dev],
      uri: site.file.uri,
      range: rangeOf(site),
      cpu: nul(P.cpu[k]),
      vector: nul(P.vector[k]),
      lpi: nul(P.lpi[k]),
      irte: nul(P.irte[k]),
      event: nul(P.event[k]),
      path: info ? info.path : [],
      hops: failure ? P.failureHopsOf(k) : this.hops(k, g),
      message: failure ? null : this.message(k, g),
      managed: (G.flags[g] & GroupFlag.Managed) !== 0,
      handle: P.handle[k] >= 0 && info?.remap?.vendor !== 'amd' ? P.handle[k] : undefined,
      subhandle: P.handle[k] >= 0 && info?.remap?.vendor !== 'amd' ? P.irte[k] - P.handle[k] : undefined,
      sharedWith: P.sharedWith.has(k) ? irqName(m, P.sharedWith.get(k)!) : undefined,
      failure,
      k,
      mask: this.maskOf(k, g),
      node: m.devices.node[dev] >= 0 ? m.devices.node[dev] : null,
      observed,
      affinityBroken: (P.flags[k] & PF.AffinityBroken) !== 0,
    };
    const f = P.flags[k];
    if (f & (PF.Moved | PF.Shutdown | PF.Stuck))
      r.offline = f & PF.Shutdown ? 'shut-down' : f & PF.Stuck ? 'stuck' : 'moved';
    if (failure) r.cpu = r.vector = r.lpi = r.irte = r.event = null;
    return r;
  }

  /** The affinity the interrupt has now: its own, its spread mask, the online mask an offline gave it, or all CPUs. */
  private maskOf(k: number, g: number): number[] | null {
    const m = this.model;
    const now = this.placement === this.boot ? undefined : this.affinityNow.get(k);
    if (now) return now;
    const id = maskOfIrq(m, k, g);
    return id >= 0 ? m.masks[id] : m.cpus.length ? m.cpus : null;
  }

  /** The hops of an allocated interrupt: its chain, each level's resource read from the placement. */
  private hops(k: number, g: number): Hop[] {
    const m = this.model;
    const ep = m.domains[m.groups.domain[g]];
    const info = this.sim.s.chainInfo(ep);
    const chain = info.chain;
    const L = this.sim.levels;
    const P = this.placement;
    const shared = P.sharedWith.get(k);
    if (shared !== undefined) {
      const own = L.endpoint.hop(k, ep);
      const rest = this.route(shared)?.hops.slice(1) ?? [];
      return [
        own,
        ...chain
          .slice(1, -1)
          .filter((d) => d.kind !== 'remap' && d.kind !== 'its')
          .map(passThrough),
        ...rest,
      ];
    }
    return chain.map((d: Domain, i) => {
      if (i === 0) return L.endpoint.hop(k, d);
      const level = L.of(d);
      if (level) return level.hop(k, d);
      return i < chain.length - 1 ? passThrough(d) : { domain: d.name, hwirq: null, resource: '' };
    });
  }

  /** The MSI message the device writes (LANGUAGE.md 3, Messages). */
  message(k: number, g: number): MsiMessage | null {
    const m = this.model;
    const P = this.placement;
    const ep = m.domains[m.groups.domain[g]];
    if (!ep || ep.kind === 'ioapic') return null; // a redirection-table entry, not a message the device writes
    const info = this.sim.s.chainInfo(ep);
    if (info.remap) {
      if (P.irte[k] < 0) return null;
      if (info.remap.vendor === 'amd') return amdMessage(P.irte[k], this.sim.levels.amd.dmBit(info.remap));
      return intelMessage(
        P.handle[k] >= 0 ? P.handle[k] : P.irte[k],
        P.handle[k] >= 0 ? P.irte[k] - P.handle[k] : 0,
      );
    }
    if (info.its)
      return info.its.base !== undefined && P.event[k] >= 0 ? itsMessage(info.its.base, P.event[k]) : null;
    if (info.root.kind === 'vector' && P.cpu[k] >= 0 && P.vector[k] >= 0) {
      const apic = m.apicIds.get(P.cpu[k]) ?? P.cpu[k];
      return compatMessage(
        apicDest(apicModeOf(m), P.cpu[k], apic),
        P.vector[k],
        ep.kind === 'dmar-msi',
        !!m.extDestId,
      );
    }
    return null;
  }
}

function nul(v: number): number | null {
  return v < 0 ? null : v;
}
