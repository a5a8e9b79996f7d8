// The simulation (LANGUAGE.md section 3): every interrupt is allocated, in file order, through its
// domain chain, each level taking its own resource as the kernel's hierarchical irq domains do
// (one allocator per level: ./levels, behind the Level interface, chosen by domain kind). The
// result is a placement: typed columns per interrupt (./placement.ts); routes, hops and messages
// are made from it on demand (./routes.ts). Pure and deterministic. docs/simulation.md explains
// each rule with its source.

import type { RelatedFinding } from '../diagnostics';
import { Src, type Domain, type Model, type Site } from '../model';
import { GroupFlag } from '../model/types';
import type { DomainKind } from '../kinds';
import { IrqCtx, SimContext, passThrough, type Level } from './context';
import { AmdRemapLevel } from './levels/remap-amd';
import { GicLevel, ImsicLevel } from './levels/cpus';
import { EndpointLevel, type Failer } from './levels/endpoint';
import { IntelRemapLevel } from './levels/remap-intel';
import { ItsLevel } from './levels/its';
import { VectorLevel } from './levels/vector';
import { PF } from './placement';
import { SimulationResult } from './result';
import type { Hop, Simulation } from './types';
import { evaluateExpects, evaluateInjects } from './evaluate';
import { cpuUsage, domainUsage } from './usage';

export type { Simulation, Route, Hop, CpuUsage, DomainUsage, InjectResult, MsiMessage } from './types';
export { eraOf } from './matrix';
export { compatMessage, intelMessage, amdMessage, itsMessage, decodeX86, formatMessage } from './messages';
export { INTEL_IRTE_ENTRIES } from './levels/remap-intel';
export { AMD_IRTE_ENTRIES } from './levels/remap-amd';
export { FIRST_LPI, LPI_LIMIT, MIN_ITS_EVENTS } from './levels/its';
export { resolveInject, type InjectOutcome } from './evaluate';

/** Runs the simulation over a finished model. Never throws on a model the binder produced. */
export function simulate(m: Model): Simulation {
  return new Simulator(m).run();
}

/** The levels of a simulation, and which one serves each domain kind. */
export class Levels {
  readonly endpoint: EndpointLevel;
  readonly vector: VectorLevel | undefined;
  readonly intel: IntelRemapLevel;
  readonly amd: AmdRemapLevel;
  readonly its: ItsLevel;
  readonly gic: GicLevel;
  readonly imsic: ImsicLevel;

  constructor(s: SimContext, f: Failer) {
    const root = s.m.roots[0];
    this.endpoint = new EndpointLevel(s, f);
    this.vector = root?.kind === 'vector' && s.cpus.length > 0 ? new VectorLevel(s, f, root) : undefined;
    this.intel = new IntelRemapLevel(s, f);
    this.amd = new AmdRemapLevel(s, f);
    this.its = new ItsLevel(s, f);
    this.gic = new GicLevel(s, f);
    this.imsic = new ImsicLevel(s, f);
  }

  /** The level of a hierarchy domain (the root or a unit); undefined for kinds that allocate nothing there. */
  of(d: Domain): Level | undefined {
    const table: Partial<Record<DomainKind, Level | undefined>> = {
      vector: this.vector,
      remap: d.vendor === 'amd' ? this.amd : this.intel,
      its: this.its,
      gic: this.gic,
      imsic: this.imsic,
    };
    return d.kind ? table[d.kind] : undefined;
  }
}

export class Simulator implements Failer {
  readonly s: SimContext;
  readonly levels: Levels;
  private readonly ctx = new IrqCtx();
  /** allocated interrupts per domain (by domain index) */
  readonly used: Int32Array;

  constructor(readonly m: Model) {
    this.s = new SimContext(m);
    this.levels = new Levels(this.s, this);
    this.used = new Int32Array(m.domains.length);
  }

  run(): Simulation {
    const m = this.m;
    const G = m.groups;
    for (let g = 0; g < G.count; g++) {
      const dead = G.dead.get(g);
      for (let i = 0; i < G.size[g]; i++) {
        if (dead?.has(i)) continue;
        const k = G.order[g] + i;
        try {
          this.allocate(k, g);
        } catch (e) {
          // a model shape nobody foresaw: report it at the interrupt, keep going
          if (!this.s.placement.failure[k]) this.s.placement.fail(k, 'internal', String(e), []);
        }
      }
    }
    this.s.flushAggregated();
    const result = new SimulationResult(m, this.s.placement, this);
    result.injects = evaluateInjects(this, result);
    evaluateExpects(this, result);
    result.cpus = cpuUsage(this);
    result.domains = domainUsage(this);
    result.findings = this.s.findings;
    return result;
  }

  fail(
    ctx: IrqCtx,
    code: string,
    message: string | (() => string),
    report = false,
    related: RelatedFinding[] = [],
    site?: Site,
  ): false {
    const s = this.s;
    s.log.rollback(ctx.mark);
    const hops = this.hopsDone(ctx);
    s.placement.fail(ctx.k, code, message, hops);
    if (report) s.reportIrq(ctx.k, ctx.g, code, message, related, site);
    return false;
  }

  /** The hops of the levels that ran, made before a failure clears the placement. */
  private hopsDone(ctx: IrqCtx): Hop[] {
    const chain = ctx.info?.chain;
    if (!chain) return [];
    const out: (Hop | undefined)[] = new Array<Hop | undefined>(chain.length);
    for (const pos of ctx.done) {
      const d = chain[pos];
      out[pos] = pos === 0 ? this.levels.endpoint.hop(ctx.k, d) : this.levels.of(d)?.hop(ctx.k, d);
    }
    for (let i = 1; i < chain.length - 1; i++) {
      const d = chain[i];
      if (d.kind !== 'remap' && d.kind !== 'its') out[i] = passThrough(d);
    }
    return out.filter((h): h is Hop => !!h);
  }

  private allocate(k: number, g: number): void {
    const s = this.s;
    const m = this.m;
    const G = m.groups;
    const P = s.placement;
    const ctx = this.ctx;
    ctx.reset(k, g, G.device[g]);
    ctx.info = undefined!;
    ctx.mark = s.log.mark;
    if (G.flags[g] & GroupFlag.Managed) P.flags[k] |= PF.Managed;
    if (G.source[g] === Src.None) {
      this.fail(ctx, 'missing-property', `${s.irqName(k)} has no source`);
      return;
    }
    if (G.domain[g] < 0) {
      this.fail(
        ctx,
        'missing-property',
        `${s.irqName(k)} has no domain to start in (see the ${SOURCE_NAMES[G.source[g]]} source's diagnostics)`,
      );
      return;
    }
    const ep = m.domains[G.domain[g]];
    const info = s.chainInfo(ep);
    ctx.ep = ep;
    ctx.info = info;
    if (!info.rooted) {
      this.fail(
        ctx,
        'root',
        `the chain ${info.path.join(' > ')} does not end in a root domain, so nothing is allocated`,
      );
      return;
    }
    s.mask(G.affinity[g], ctx);
    // endpoint level (descriptors exist before the hierarchy allocates: MSI-X entries, IMS slots)
    if (!this.levels.endpoint.alloc(ctx, ep)) return;
    // a shared IO-APIC pin: the interrupt is the same Linux irq, with another action
    const shared = P.sharedWith.get(k);
    if (shared !== undefined) {
      P.cpu[k] = P.cpu[shared];
      P.vector[k] = P.vector[shared];
      P.irte[k] = P.irte[shared];
      P.handle[k] = P.handle[shared];
      const f = P.failureOf(shared);
      if (f) P.fail(k, f.code, f.message, P.failureHops.get(shared) ?? []);
      else P.flags[k] |= PF.Allocated;
      s.log.commit(ctx.mark);
      return;
    }
    // the hierarchy: x86 allocates the parent first (the IR unit calls irq_domain_alloc_irqs_parent
    // before alloc_irte); the ITS takes the event before the parent GIC's LPI
    const chain = info.chain;
    for (const d of info.order) {
      const level = this.levels.of(d);
      if (!level) continue;
      if (!level.alloc(ctx, d, chain.indexOf(d))) return;
    }
    // commit
    s.log.commit(ctx.mark);
    P.flags[k] |= PF.Allocated;
    this.used[ep.index]++;
    for (const d of info.order) if (this.levels.of(d)) this.used[d.index]++;
    this.levels.vector?.commit(k);
    if (info.remap && P.irte[k] >= 0) {
      if (info.remap.vendor === 'amd') this.levels.amd.commit(k, info.remap, ep, ctx.dev);
      else this.levels.intel.commit(k, info.remap);
    }
    if (info.its) this.levels.its.commit(k, info.its, ctx.dev);
    if (ctx.affinityBroken) {
      P.flags[k] |= PF.AffinityBroken;
      s.reportIrq(k, g, 'affinity-broken', ctx.affinityBroken);
    }
    // a compatibility-format route carries APIC ID bits 7:0 only
    if (m.arch === 'x86' && !info.remap && P.cpu[k] >= 0 && ep.kind !== 'dmar-msi') {
      const cpu = P.cpu[k];
      const apic = m.apicIds.get(cpu) ?? cpu;
      if (apic > 255)
        s.reportIrq(
          k,
          g,
          'apic-id-unreachable',
          `${s.irqName(k)} lands on CPU ${cpu}, whose APIC ID is ${apic} (above 255), but its route ${info.path.join(' > ')} is not remapped: a compatibility-format ${ep.kind === 'ioapic' ? 'IO-APIC entry' : 'MSI'} carries destination APIC ID bits 7:0 only (address bits 19:12, __irq_msi_compose_msg in arch/x86/kernel/apic/apic.c), so it would reach APIC ID ${apic & 0xff}. Route it through an IR unit (x2APIC mode), or keep its affinity on CPUs with APIC IDs up to 255`,
        );
    }
  }
}

const SOURCE_NAMES = ['', 'msix', 'msi', 'ims', 'pin', 'window', 'virtual'];
