// The simulation (LANGUAGE.md section 3): every interrupt is allocated through its domain chain,
// each level taking its own resource as the kernel's hierarchical irq domains do (one allocator per
// level: ./levels, behind the Level interface, chosen by domain kind), in the kernel's order: a PCI
// device's interrupts as one batch (pci_alloc_irq_vectors: every allocation, then every activation
// in request order), other interrupts one by one, `release` freeing a device's interrupts at its
// place, then the `offline` replay. The result is a placement: typed columns per interrupt
// (./placement.ts); routes, hops and messages are made from it on demand (./result.ts). Pure and
// deterministic. docs/simulation.md and docs/kernel-placement.md explain each rule with its source.

import type { RelatedFinding } from '../diagnostics';
import type { DomainKind } from '../kinds';
import {
  Src,
  groupsOfDevice,
  layeringRefusal,
  maskOfIrq,
  groupPropSite,
  type Domain,
  type Model,
  type Site,
} from '../model';
import { GroupFlag } from '../model/types';
import { IrqCtx, SimContext, passThrough, type Level } from './context';
import { eraOfModel, type SimEra } from './era';
import { evaluateExpects, evaluateInjects } from './evaluate';
import { replayOffline } from './hotplug';
import { GicLevel, ImsicLevel } from './levels/cpus';
import { EndpointLevel, type Failer } from './levels/endpoint';
import { ItsLevel } from './levels/its';
import { AmdRemapLevel } from './levels/remap-amd';
import { IntelRemapLevel } from './levels/remap-intel';
import { VectorLevel } from './levels/vector';
import { PF } from './placement';
import { SimulationResult } from './result';
import type { Hop, Simulation } from './types';

export type { Simulation, Route, Hop, CpuUsage, DomainUsage, InjectResult, MsiMessage } from './types';
export type { OfflineStep as SimOfflineStep } from './hotplug';
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

  constructor(s: SimContext, f: Failer, era: SimEra) {
    const root = s.m.roots[0];
    this.endpoint = new EndpointLevel(s, f);
    this.vector = root?.kind === 'vector' && s.cpus.length > 0 ? new VectorLevel(s, f, root, era) : undefined;
    this.intel = new IntelRemapLevel(s, f);
    this.amd = new AmdRemapLevel(s, f, era);
    this.its = new ItsLevel(s, f);
    this.gic = new GicLevel(s, f, era);
    this.imsic = new ImsicLevel(s, f);
  }

  /** per domain index: its level (null: none), made on first use */
  private readonly byDomain: (Level | null | undefined)[] = [];

  /** The level of a hierarchy domain (the root or a unit); undefined for kinds that allocate nothing there. */
  of(d: Domain): Level | undefined {
    let l = this.byDomain[d.index];
    if (l === undefined) {
      const table: Partial<Record<DomainKind, Level | undefined>> = {
        vector: this.vector,
        remap: d.vendor === 'amd' ? this.amd : this.intel,
        its: this.its,
        gic: this.gic,
        imsic: this.imsic,
      };
      l = this.byDomain[d.index] = (d.kind && table[d.kind]) || null;
    }
    return l ?? undefined;
  }
}

/** What has happened to an interrupt so far. */
const enum Phase {
  None,
  Allocated,
  Active,
  Failed,
  Released,
}

/** One step of the allocation order: a batch of interrupts, or a release of a device. */
type Step = { batch: number[]; n?: number } | { release: number; before: number; site: Site };

export class Simulator implements Failer {
  readonly s: SimContext;
  readonly era: SimEra;
  readonly levels: Levels;
  private readonly ctx = new IrqCtx();
  /** allocated interrupts per domain (by domain index) */
  readonly used: Int32Array;
  readonly phase: Uint8Array;
  /** the size of the batch being allocated (one pci_alloc_irq_vectors() call) */
  private batchSize = 1;
  /** the CPUs the `offline` statements took down (a refused one stays online) */
  readonly offlined = new Set<number>();

  constructor(readonly m: Model) {
    this.s = new SimContext(m);
    this.era = eraOfModel(m);
    this.levels = new Levels(this.s, this, this.era);
    this.used = new Int32Array(m.domains.length);
    this.phase = new Uint8Array(m.irqCount);
  }

  run(): Simulation {
    this.placePins();
    for (const step of this.plan()) {
      if ('release' in step) {
        this.release(step.release, step.before, step.site);
        continue;
      }
      this.batchSize = step.n ?? step.batch.length;
      for (const k of step.batch) this.guarded(k, false);
      for (const k of step.batch) if (this.phase[k] === Phase.Allocated) this.guarded(k, true);
    }
    const result = new SimulationResult(this.m, this.s.placement, this);
    if (this.m.offlines.length) {
      result.boot = this.s.placement.clone();
      replayOffline(this, result);
    }
    this.s.flushAggregated();
    result.injects = evaluateInjects(this, result);
    evaluateExpects(this, result);
    result.findings = this.s.findings;
    return result;
  }

  /** Allocation or activation of k; a model shape nobody foresaw is reported at the interrupt, the rest goes on. */
  private guarded(k: number, activate: boolean): void {
    try {
      if (activate) this.activate(k);
      else this.allocate(k);
    } catch (e) {
      if (!this.s.placement.failure[k]) this.s.placement.fail(k, 'internal', String(e), []);
      this.phase[k] = Phase.Failed;
    }
  }

  /**
   * The allocation order (LANGUAGE.md 3, reservation mode): a PCI device's MSI/MSI-X interrupts form
   * one batch at the place of its first statement (a `release` of the device closes it; later
   * statements start a new batch); other interrupts (IO-APIC pins, HPET, DMAR, IMS, NTB, platform)
   * are allocated and activated one at a time, in file order.
   */
  private plan(): Step[] {
    const m = this.m;
    const G = m.groups;
    const steps: Step[] = [];
    const open = new Map<number, number[]>();
    let r = 0;
    const releasesUpTo = (g: number) => {
      for (; r < m.releases.length && m.releases[r].before <= g; r++) {
        const rel = m.releases[r];
        open.delete(rel.device);
        steps.push({ release: rel.device, before: rel.before, site: rel.site });
      }
    };
    for (let g = 0; g < G.count; g++) {
      releasesUpTo(g);
      const dead = G.dead.get(g);
      const ks: number[] = [];
      for (let i = 0; i < G.size[g]; i++) if (!dead?.has(i)) ks.push(G.order[g] + i);
      const ep = G.domain[g] >= 0 ? m.domains[G.domain[g]] : undefined;
      const batched =
        ep?.kind === 'pci-msi' &&
        (G.source[g] === Src.Msix || G.source[g] === Src.Msi || G.source[g] === Src.Virtual);
      if (!batched) {
        // one allocation call per statement (platform_msi_domain_alloc_irqs(nvec), an IMS slot, a pin),
        // each interrupt placed before the next
        for (const k of ks) steps.push({ batch: [k], n: G.size[g] });
        continue;
      }
      const dev = G.device[g];
      let batch = open.get(dev);
      if (!batch) {
        open.set(dev, (batch = []));
        steps.push({ batch });
      }
      batch.push(...ks);
    }
    releasesUpTo(Number.MAX_SAFE_INTEGER);
    return steps;
  }

  /** Observed remap indexes (`irte N`) are taken before anything is allocated, as observed vectors are. */
  private placePins(): void {
    const m = this.m;
    const G = m.groups;
    for (let g = 0; g < G.count; g++) {
      if (G.irte[g] < 0 || G.domain[g] < 0) continue;
      const ep = m.domains[G.domain[g]];
      const unit = this.s.chainInfo(ep).remap;
      if (!unit) {
        this.s.report(
          'bad-value',
          groupPropSite(m, g, 'irte'),
          `${this.s.irqName(G.order[g])} has an observed remap index, but its route ${this.s.chainInfo(ep).path.join(' > ')} has no remap unit`,
        );
        continue;
      }
      for (let i = 0; i < G.size[g]; i++) {
        const k = G.order[g] + i;
        const why =
          unit.vendor === 'amd'
            ? this.levels.amd.pin(k, unit, ep, G.device[g], G.irte[g] + i)
            : this.levels.intel.pin(k, unit, G.irte[g] + i);
        if (why) this.s.report('bad-value', groupPropSite(m, g, 'irte'), `${this.s.irqName(k)}: ${why}`);
      }
    }
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
    this.levels.vector?.dropPin(ctx.k);
    const hops = ctx.info ? this.hopsDone(ctx) : [];
    s.placement.fail(ctx.k, code, message, hops);
    this.phase[ctx.k] = Phase.Failed;
    if (report) s.reportIrq(ctx.k, ctx.g, code, message, related, site);
    return false;
  }

  /** The hops of the levels that ran, made before a failure clears the placement. */
  private hopsDone(ctx: IrqCtx): Hop[] {
    const chain = ctx.info.chain;
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

  /** Sets up the context of interrupt k; false (failed) when it has nowhere to go. */
  private prepare(k: number, g: number): boolean {
    const s = this.s;
    const m = this.m;
    const G = m.groups;
    const ctx = this.ctx;
    ctx.reset(k, g, G.device[g]);
    ctx.info = undefined!;
    ctx.mark = s.log.mark;
    if (G.source[g] === Src.None) return this.fail(ctx, 'missing-property', `${s.irqName(k)} has no source`);
    if (G.domain[g] < 0)
      return this.fail(
        ctx,
        'missing-property',
        `${s.irqName(k)} has no domain to start in (see the ${SOURCE_NAMES[G.source[g]]} source's diagnostics)`,
      );
    const ep = m.domains[G.domain[g]];
    const info = s.chainInfo(ep);
    ctx.ep = ep;
    ctx.info = info;
    if (!info.rooted)
      return this.fail(
        ctx,
        'root',
        `the chain ${info.path.join(' > ')} does not end in a root domain, so nothing is allocated`,
      );
    const maskId = maskOfIrq(m, k, g);
    if (maskId === -3)
      return this.fail(
        ctx,
        'bad-value',
        `${s.irqName(k)} gets an empty mask from the kernel's spreading (group_cpus_evenly leaves it empty on this kernel): the allocation fails with -EINVAL`,
      );
    s.mask(maskId, ctx);
    const P = s.placement;
    ctx.blockSize = P.epInfo[k] > 1 && G.source[g] === Src.Msi ? P.epInfo[k] : 1;
    ctx.blockIndex = ctx.blockSize > 1 ? P.epHwirq[k] : 0;
    return true;
  }

  /** Allocation: every level of the chain takes its resource (the vector domain only reserves). */
  private allocate(k: number): void {
    const m = this.m;
    const G = m.groups;
    const g = groupOf(m, k);
    const P = this.s.placement;
    if (G.flags[g] & GroupFlag.Managed) P.flags[k] |= PF.Managed;
    if (!this.prepare(k, g)) return;
    const ctx = this.ctx;
    const info = ctx.info;
    ctx.batch = this.batchSize;
    // a domain the kernel refuses to create: nothing is allocated behind it
    if (info.refusal === undefined) {
      info.refusal = null;
      for (const d of info.chain) {
        const no = layeringRefusal(m, d);
        if (no) {
          info.refusal = no;
          break;
        }
      }
    }
    const no = info.refusal;
    if (no)
      return void this.fail(
        ctx,
        no.code,
        `not allocated: the kernel refuses the layering (${no.code}): ${no.why}, so no interrupt is allocated behind it`,
      );
    // endpoint level (descriptors exist before the hierarchy allocates: MSI-X entries, IMS slots)
    if (!this.levels.endpoint.alloc(ctx, ctx.ep)) return;
    if (G.source[g] === Src.Msi && P.epInfo[k] > 1) {
      ctx.blockSize = P.epInfo[k];
      ctx.blockIndex = P.epHwirq[k];
    }
    if (!P.sharedWith.has(k)) {
      // the hierarchy: x86 allocates the parent first (the IR unit calls irq_domain_alloc_irqs_parent
      // before alloc_irte); the ITS takes the event before the parent GIC parks the LPI
      const order = info.order;
      for (let i = 0; i < order.length; i++) {
        const level = this.levels.of(order[i]);
        if (level && !level.alloc(ctx, order[i], info.orderPos[i])) return;
      }
    }
    this.s.log.commit(ctx.mark);
    this.phase[k] = Phase.Allocated;
  }

  /** Activation (request_irq): the target CPU and vector; then the placement commits. */
  private activate(k: number): void {
    const m = this.m;
    const s = this.s;
    const P = s.placement;
    const g = groupOf(m, k);
    if (!this.prepare(k, g)) return;
    const ctx = this.ctx;
    const info = ctx.info;
    const ep = ctx.ep;
    const shared = P.sharedWith.get(k);
    if (shared !== undefined) {
      // a shared IO-APIC pin: the interrupt is the same Linux irq, with another action
      P.cpu[k] = P.cpu[shared];
      P.vector[k] = P.vector[shared];
      P.irte[k] = P.irte[shared];
      P.handle[k] = P.handle[shared];
      const f = P.failureOf(shared);
      if (f) P.fail(k, f.code, f.message, P.failureHopsOf(shared));
      else P.flags[k] |= PF.Allocated;
      this.phase[k] = f ? Phase.Failed : Phase.Active;
      return;
    }
    const root = info.root;
    if (m.groups.flags[g] & GroupFlag.Inactive) {
      // allocated, never requested: only the reservation (and the ITS's parking) stays
      P.flags[k] |= PF.Inactive | PF.Allocated;
      if (root.kind === 'gic') this.levels.gic.inactive(ctx);
      this.commit(k, ctx.dev, info, ep, false);
      this.phase[k] = Phase.Active;
      return;
    }
    const level = this.levels.of(root);
    if (level?.activate && !level.activate(ctx, root, info.chain.length - 1)) return;
    s.log.commit(ctx.mark);
    P.flags[k] |= PF.Allocated;
    this.phase[k] = Phase.Active;
    this.commit(k, ctx.dev, info, ep, true);
    if (ctx.affinityBroken) {
      P.flags[k] |= PF.AffinityBroken;
      s.reportIrq(k, g, 'affinity-broken', ctx.affinityBroken);
    } else if (ctx.transient) s.reportIrq(k, g, 'affinity-broken', ctx.transient);
    this.checkReach(k, g, info, ep);
  }

  private commit(k: number, dev: number, info: IrqCtx['info'], ep: Domain, vector: boolean): void {
    this.used[ep.index]++;
    for (const d of info.order) if (this.levels.of(d)) this.used[d.index]++;
    if (vector) this.levels.vector?.commit(k);
    const P = this.s.placement;
    if (info.remap && P.irte[k] >= 0) {
      if (info.remap.vendor === 'amd') this.levels.amd.commit(k, info.remap, ep, dev);
      else this.levels.intel.commit(k, info.remap);
    }
    if (info.its) this.levels.its.commit(k, info.its, dev);
  }

  /** A compatibility-format route carries APIC ID bits 7:0 (14:8 more with the extended destination ID). */
  checkReach(k: number, g: number, info: IrqCtx['info'], ep: Domain): void {
    const m = this.m;
    const s = this.s;
    const P = s.placement;
    if (m.arch !== 'x86' || info.remap || P.cpu[k] < 0 || ep.kind === 'dmar-msi') return;
    const cpu = P.cpu[k];
    const apic = m.apicIds.get(cpu) ?? cpu;
    const limit = m.extDestId ? 0x7fff : 0xff;
    if (apic <= limit) return;
    s.reportIrq(
      k,
      g,
      'apic-id-unreachable',
      `${s.irqName(k)} lands on CPU ${cpu}, whose APIC ID is ${apic} (above ${limit}), but its route ${info.path.join(' > ')} is not remapped: a compatibility-format ${ep.kind === 'ioapic' ? 'IO-APIC entry' : 'MSI'} carries destination APIC ID bits 7:0 only (address bits 19:12${m.extDestId ? '; 14:8 more in bits 11:5 with the extended destination ID' : ''}, __irq_msi_compose_msg in arch/x86/kernel/apic/apic.c), so it would reach APIC ID ${apic & limit}. Route it through an IR unit (x2APIC mode)${m.extDestId ? '' : ', offer the MSI extended destination ID (ext-dest-id) in a guest'}, or keep its affinity on CPUs with APIC IDs up to ${limit}`,
    );
  }

  /** Per device, how many of its groups (groupsOfDevice order) an earlier `release` has passed. */
  private releasedGroups = new Map<number, number>();

  /**
   * `release DEVICE`: everything the device holds so far is freed, as a driver unbind frees it. The
   * groups before the statement (`before`) and after the device's previous release: the earlier ones
   * were freed then, the later ones are not allocated yet (linear in all over many releases).
   */
  private release(dev: number, before: number, site: Site): void {
    const m = this.m;
    const G = m.groups;
    const P = this.s.placement;
    const groups = groupsOfDevice(m, dev);
    let j = this.releasedGroups.get(dev) ?? 0;
    for (; j < groups.length && groups[j] < before; j++) {
      const g = groups[j];
      for (let i = 0; i < G.size[g]; i++) {
        const k = G.order[g] + i;
        const ph = this.phase[k];
        if (ph !== Phase.Allocated && ph !== Phase.Active) continue;
        this.free(k, g, ph === Phase.Active);
        // the line is read when the message is made: the site moves with edits (incremental.ts)
        P.fail(
          k,
          'released',
          () =>
            `freed at line ${site.file.position(site.start).line + 1} (\`release ${m.devices.name[dev]}\`): history, as a driver unbind or a rebind to vfio-pci frees a device's interrupts; the device's later statements allocate anew`,
          [],
        );
        this.phase[k] = Phase.Released;
      }
    }
    this.releasedGroups.set(dev, j);
  }

  /** Frees what interrupt k holds at every level (a release, or a managed shutdown at hotplug). */
  free(k: number, g: number, active: boolean): void {
    const m = this.m;
    const P = this.s.placement;
    const ep = m.domains[m.groups.domain[g]];
    const info = this.s.chainInfo(ep);
    const dev = m.groups.device[g];
    const managed = (m.groups.flags[g] & GroupFlag.Managed) !== 0;
    const shared = P.sharedWith.has(k);
    this.levels.endpoint.free(k, ep, g);
    if (shared) return;
    if (info.remap) {
      if (info.remap.vendor === 'amd') this.levels.amd.free(k, info.remap, ep, dev);
      else this.levels.intel.free(k, info.remap, dev);
    }
    if (info.its) this.levels.its.free(k, info.its, dev);
    if (info.root.kind === 'vector' && this.levels.vector) {
      this.s.mask(maskOfIrq(m, k, g), this.ctx);
      this.levels.vector.free(k, managed, this.ctx.members, active && (P.flags[k] & PF.Inactive) === 0);
    }
    if (info.root.kind === 'gic' && active) this.levels.gic.free(k, managed);
    this.used[ep.index] = Math.max(0, this.used[ep.index] - 1);
    for (const d of info.order)
      if (this.levels.of(d)) this.used[d.index] = Math.max(0, this.used[d.index] - 1);
  }
}

import { groupOfIrq as groupOf } from '../model';

const SOURCE_NAMES = ['', 'msix', 'msi', 'ims', 'pin', 'window', 'virtual'];
