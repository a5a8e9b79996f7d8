// The simulation (LANGUAGE.md section 3): every `irq` is allocated, in file order, through its domain
// chain, each level taking its own resource as the kernel's hierarchical irq domains do; then the
// MSI message is composed, and the `expect` and `inject` statements are evaluated. Pure and
// deterministic: plain data in, plain data out. docs/simulation.md explains each rule with its source.

import { formatList } from '../values';
import { KINDS } from '../kinds';
import { kernelAtLeast, type Device, type Domain, type Irq, type Model } from '../model';
import type { Range } from '../syntax/ast';
import type { Diagnostic, RelatedInformation } from '../types';
import { multiMsiSupported } from '../checks/capabilities';
import { chainOf } from '../checks/layering';
import { diagnostic } from '../checks/registry';
import { LowestFree, OpenLowestFree, roundUpPow2 } from './alloc';
import { eraOf, VectorMatrix, NR_VECTORS } from './matrix';
import { amdMessage, compatMessage, intelMessage, itsMessage } from './messages';
import { evaluateExpects, evaluateInjects } from './evaluate';
import type { CpuUsage, DomainUsage, Hop, Route, Simulation } from './types';

export type { Simulation, Route, Hop, CpuUsage, DomainUsage, InjectResult, MsiMessage } from './types';
export { eraOf } from './matrix';
export { compatMessage, intelMessage, amdMessage, itsMessage, decodeX86, formatMessage } from './messages';

/** Intel VT-d: INTR_REMAP_TABLE_ENTRIES (drivers/iommu/intel/iommu.h). */
export const INTEL_IRTE_ENTRIES = 65536;
/** AMD-Vi per-device table: MAX_IRQS_PER_TABLE_512 (drivers/iommu/amd/amd_iommu_types.h). */
export const AMD_IRTE_ENTRIES = 512;
/** GICv3 LPIs: INTIDs from 8192; Linux caps the ID bits at 16 (ITS_MAX_LPI_NRBITS). */
export const FIRST_LPI = 8192;
export const LPI_LIMIT = 1 << 16;
/** Minimum ITS event space (ITT) for DeviceID 0 and platform devices (its_pci_msi_prepare, its_pmsi_prepare). */
export const MIN_ITS_EVENTS = 32;

const hex = (n: number) => '0x' + n.toString(16);

/** Interned labels: 100,000 routes share a few thousand strings instead of holding one each. */
const labels = new Map<string, string[]>();
function labelOf(kind: string, n: number, make: (n: number) => string): string {
  let a = labels.get(kind);
  if (!a) labels.set(kind, (a = []));
  if (n >= 1 << 17) return make(n);
  return (a[n] ??= make(n));
}

/** Runs the simulation over a finished model. Never throws on a model the binder produced. */
export function simulate(m: Model): Simulation {
  return new Simulator(m).run();
}

interface MsiBlock {
  size: number;
  next: number;
  multi: boolean;
  /** the vectors the MSI capability offers (msi N) */
  cap: number;
  /** IRTE / AMD index / event base of the block, once allocated */
  irteBase?: number;
  eventBase?: number;
}

interface ItsDevice {
  its: Domain;
  size: number;
  events: LowestFree;
  lpiBase: number;
  owner: Int32Array;
  deviceId: number;
}

interface ChainInfo {
  chain: Domain[];
  /** shared by every route starting at this domain: treat as read-only */
  path: string[];
  root: Domain;
  rooted: boolean;
  remap: Domain | undefined;
  its: Domain | undefined;
  order: Domain[];
}

interface Ctx {
  irq: Irq;
  route: Route;
  chain: Domain[];
  hops: (Hop | undefined)[];
  undo: (() => void)[];
  /** domains whose usage grows when the route commits */
  used: Domain[];
  block?: { state: MsiBlock; index: number };
  remap?: Domain;
  its?: Domain;
  itsDev?: ItsDevice;
  irteBase?: number;
  subhandle?: number;
  amdKey?: string;
  affinityBroken?: string;
}

export class Simulator {
  readonly routes: Route[] = [];
  readonly routesById = new Map<string, Route>();
  readonly diagnostics: Diagnostic[] = [];
  readonly cpuIndex = new Map<number, number>();
  readonly cpus: number[];
  readonly apic: number[];
  matrix: VectorMatrix | undefined;
  /** (cpu index * 256 + vector) -> route index + 1; -1 = in-use (an interrupt the file does not describe) */
  owner: Int32Array | undefined;
  private readonly agg = new Map<string, { d: Diagnostic; n: number }>();
  private readonly used = new Map<Domain, number>();
  private readonly chains = new Map<Domain, Domain[]>();
  private readonly affinity = new WeakMap<number[], { bits: Uint32Array; members: number[] }>();
  private readonly allMembers: number[];
  private readonly pinned = new Map<Irq, { c: number; v: number; conflict: boolean }>();
  // per-level state
  private readonly msix = new Map<Device, OpenLowestFree>();
  private readonly msiBlocks = new Map<Device, MsiBlock>();
  private readonly ims = new Map<Domain, LowestFree | OpenLowestFree>();
  private readonly ntbIdx = new Map<Domain, OpenLowestFree>();
  private readonly ntbWin = new Map<string, number>();
  private readonly pins = new Map<Domain, Map<number, Route>>();
  private readonly msgIdx = new Map<Domain, OpenLowestFree>();
  readonly irte = new Map<Domain, { table: LowestFree; owner: Int32Array }>();
  readonly amd = new Map<string, { table: LowestFree; owner: Int32Array; unit: Domain }>();
  readonly itsDevs = new Map<string, ItsDevice>();
  private readonly lpiTaken = new Uint8Array(LPI_LIMIT);
  private lpiNext = FIRST_LPI;
  private readonly pinnedLpis = new Map<number, Route>();
  readonly lpiCount: Int32Array;
  private readonly imsicNext: Int32Array;

  constructor(readonly m: Model) {
    this.cpus = [...m.cpus];
    this.cpus.forEach((c, i) => this.cpuIndex.set(c, i));
    this.apic = this.cpus.map((c) => m.apicIds.get(c) ?? c);
    this.allMembers = this.cpus.map((_, i) => i);
    this.lpiCount = new Int32Array(this.cpus.length);
    this.imsicNext = new Int32Array(this.cpus.length);
  }

  run(): Simulation {
    const m = this.m;
    const root = m.roots[0];
    if (root?.kind === 'vector' && this.cpus.length > 0) {
      this.matrix = new VectorMatrix(this.cpus.length, eraOf(m.kernel, root.systemVectors));
      this.owner = new Int32Array(this.cpus.length * NR_VECTORS);
      this.applyInUse(root);
      this.placePinned();
    }
    // pinned LPIs are observed: no device's LPI range may take them
    for (const irq of m.irqs) if (irq.lpi && irq.lpi.value < LPI_LIMIT) this.lpiTaken[irq.lpi.value] = 1;
    for (const irq of m.irqs) {
      try {
        this.allocate(irq);
      } catch (e) {
        // a model shape nobody foresaw: report it at the interrupt, keep going
        const r = this.routesById.get(irq.id);
        if (r && !r.failure) r.failure = { code: 'internal', message: String(e) };
      }
    }
    for (const { d, n } of this.agg.values()) {
      if (n > 1) d.message += ` (and ${n - 1} more interrupt${n > 2 ? 's' : ''} of this statement)`;
      this.diagnostics.push(d);
    }
    const injects = evaluateInjects(this);
    evaluateExpects(this);
    return {
      routes: this.routes,
      routesById: this.routesById,
      cpus: this.cpuUsage(),
      domains: this.domainUsage(),
      injects,
      diagnostics: this.diagnostics,
    };
  }

  report(code: string, uri: string, range: Range, message: string, related: RelatedInformation[] = []): void {
    this.diagnostics.push(diagnostic(code, uri, range, message, related));
  }

  /** one diagnostic per statement and code; later interrupts of the statement are counted */
  private reportIrq(
    irq: Irq,
    code: string,
    message: string,
    related: RelatedInformation[] = [],
    range?: Range,
  ): void {
    const key = `${irq.group.uri}\0${irq.group.nameRange.start.line}\0${irq.group.nameRange.start.character}\0${code}`;
    const prev = this.agg.get(key);
    if (prev) {
      prev.n++;
      return;
    }
    this.agg.set(key, { d: diagnostic(code, irq.uri, range ?? irq.group.nameRange, message, related), n: 1 });
  }

  private readonly infos = new Map<Domain, ChainInfo>();

  /** the chain from an endpoint domain, with what every interrupt starting there needs */
  private chainInfo(ep: Domain): ChainInfo {
    let info = this.infos.get(ep);
    if (!info) {
      const chain = this.chainOf(ep);
      const root = chain[chain.length - 1];
      const units = chain.filter((d) => d.kind === 'remap' || d.kind === 'its');
      info = {
        chain,
        path: chain.map((d) => d.name),
        root,
        rooted: !!root.kind && KINDS[root.kind].root,
        remap: chain.find((d) => d.kind === 'remap'),
        its: chain.find((d) => d.kind === 'its'),
        // the hierarchy: x86 allocates the parent first (the IR unit calls irq_domain_alloc_irqs_parent
        // before alloc_irte); the ITS takes the event before the parent GIC's LPI
        order: root.kind === 'vector' ? [root, ...units] : [...units, root],
      };
      this.infos.set(ep, info);
    }
    return info;
  }

  chainOf(d: Domain): Domain[] {
    let c = this.chains.get(d);
    if (!c) {
      c = chainOf(d);
      this.chains.set(d, c);
    }
    return c;
  }

  // ---- the vector matrix: in-use and pinned placements first ------------------------------------

  private applyInUse(root: Domain): void {
    const mat = this.matrix!;
    const owner = this.owner!;
    for (const u of root.inUse)
      for (const cpu of u.cpus) {
        const c = this.cpuIndex.get(cpu);
        if (c === undefined) continue; // cpu-unknown says so
        for (const v of u.vectors) {
          if (mat.isBlocked(v) || mat.isAllocated(c, v)) continue;
          mat.assign(c, v);
          owner[c * NR_VECTORS + v] = -1;
        }
      }
  }

  /** `cpu N` + `vector V` pins are observed placements: they go in before anything is allocated. */
  private placePinned(): void {
    const mat = this.matrix!;
    const owner = this.owner!;
    const byCell = new Map<number, Irq>();
    for (const irq of this.m.irqs) {
      if (!irq.cpu || !irq.vector) continue;
      const c = this.cpuIndex.get(irq.cpu.value);
      if (c === undefined) continue;
      const v = irq.vector.value;
      const cell = c * NR_VECTORS + v;
      const at = irq.vector.range;
      const other = byCell.get(cell);
      if (other) {
        this.pinned.set(irq, { c, v, conflict: true });
        this.report(
          'vector-conflict',
          irq.uri,
          at,
          `${irq.id} is pinned to CPU ${irq.cpu.value} vector ${hex(v)}, which ${other.id} is also pinned to: a CPU's vector maps to one interrupt descriptor (per-CPU vector_irq[], arch/x86/kernel/irq.c), so both placements cannot be true. Re-import, or correct one of them`,
          [
            {
              uri: other.uri,
              range: other.vector?.range ?? other.group.nameRange,
              message: `${other.id} is pinned to CPU ${irq.cpu.value} vector ${hex(v)}`,
            },
          ],
        );
        continue;
      }
      if (mat.isBlocked(v)) {
        this.pinned.set(irq, { c, v, conflict: true });
        this.report(
          'vector-conflict',
          irq.uri,
          at,
          `${irq.id} is pinned to vector ${hex(v)}, which is not an allocatable device vector here (${mat.era.label}; the system vectors are ${mat.era.system.map(hex).join(', ')}): check the kernel version or the root's system-vectors`,
        );
        continue;
      }
      byCell.set(cell, irq);
      this.pinned.set(irq, { c, v, conflict: false });
      if (owner[cell] === -1) {
        // an import lists the vector both as in-use and on the interrupt: the interrupt claims it
        if (irq.managed) mat.adoptManaged(c, v);
      } else if (irq.managed) {
        mat.reserve(c, v);
        mat.allocManaged(c, v);
      } else mat.assign(c, v);
      owner[cell] = 0; // set to the route when it is created
    }
  }

  // ---- one interrupt ------------------------------------------------------------------------------

  private newRoute(irq: Irq): Route {
    const r: Route = {
      irq: irq.id,
      device: irq.device.name,
      uri: irq.uri,
      range: irq.range,
      cpu: null,
      vector: null,
      lpi: null,
      irte: null,
      event: null,
      path: [],
      hops: [],
      message: null,
      managed: irq.managed,
      handle: undefined,
      subhandle: undefined,
      sharedWith: undefined,
      failure: null,
    };
    this.routes.push(r);
    this.routesById.set(irq.id, r);
    return r;
  }

  private fail(
    ctx: Ctx,
    code: string,
    message: string,
    report = false,
    related: RelatedInformation[] = [],
    range?: Range,
  ): false {
    for (let i = ctx.undo.length - 1; i >= 0; i--) ctx.undo[i]();
    ctx.undo.length = 0;
    const r = ctx.route;
    r.failure = { code, message };
    r.cpu = r.vector = r.lpi = r.irte = r.event = null;
    r.message = null;
    r.hops = ctx.hops.filter((h): h is Hop => !!h);
    if (report) this.reportIrq(ctx.irq, code, message, related, range);
    return false;
  }

  private allocate(irq: Irq): void {
    const route = this.newRoute(irq);
    const ep = irq.domain;
    const ctx: Ctx = { irq, route, chain: [], hops: [], undo: [], used: [] };
    if (!irq.source) {
      this.fail(ctx, 'missing-property', `${irq.id} has no source`);
      return;
    }
    if (!ep) {
      this.fail(
        ctx,
        'missing-property',
        `${irq.id} has no domain to start in (see the ${irq.source.kind} source's diagnostics)`,
      );
      return;
    }
    const info = this.chainInfo(ep);
    const chain = info.chain;
    const root = info.root;
    ctx.chain = chain;
    ctx.hops = new Array<Hop | undefined>(chain.length);
    route.path = info.path;
    if (!info.rooted) {
      this.fail(
        ctx,
        'root',
        `the chain ${route.path.join(' > ')} does not end in a root domain, so nothing is allocated`,
      );
      return;
    }
    ctx.remap = info.remap;
    ctx.its = info.its;
    // endpoint level (descriptors exist before the hierarchy allocates: MSI-X entries, IMS slots)
    if (!this.endpoint(ctx, ep)) return;
    for (let i = 1; i < chain.length - 1; i++) {
      const d = chain[i];
      if (d.kind === 'remap' || d.kind === 'its') continue;
      ctx.hops[i] = {
        domain: d.name,
        hwirq: null,
        resource: `passes through (${d.kind ?? d.kindText} is not an MSI parent)`,
      };
    }
    // a shared IO-APIC pin: the interrupt is the same Linux irq, with another action
    const shared = route.sharedWith ? this.routesById.get(route.sharedWith) : undefined;
    if (shared) {
      route.cpu = shared.cpu;
      route.vector = shared.vector;
      route.irte = shared.irte;
      route.hops = [...ctx.hops.filter((h): h is Hop => !!h), ...shared.hops.slice(1)];
      if (shared.failure) route.failure = { ...shared.failure };
      return;
    }
    // the hierarchy: x86 allocates the parent first (the IR unit calls irq_domain_alloc_irqs_parent
    // before alloc_irte); the ITS takes the event before the parent GIC's LPI
    for (const d of info.order) {
      const ok =
        d.kind === 'vector'
          ? this.vectorLevel(ctx, d)
          : d.kind === 'remap'
            ? this.remapLevel(ctx, d)
            : d.kind === 'its'
              ? this.itsLevel(ctx, d)
              : d.kind === 'gic'
                ? this.gicLevel(ctx, d)
                : d.kind === 'imsic'
                  ? this.imsicLevel(ctx, d)
                  : true;
      if (!ok) return;
    }
    // commit
    const hops = ctx.hops as Hop[];
    for (let i = 0; i < hops.length; i++)
      if (!hops[i]) hops[i] = { domain: chain[i].name, hwirq: null, resource: '' };
    route.hops = hops;
    for (const d of ctx.used) this.used.set(d, (this.used.get(d) ?? 0) + 1);
    this.compose(ctx, root, ep);
    const idx = this.routes.length;
    if (route.cpu !== null && route.vector !== null && this.owner) {
      const c = this.cpuIndex.get(route.cpu)!;
      this.owner[c * NR_VECTORS + route.vector] = idx;
    }
    if (ctx.remap && route.irte !== null) {
      if (ctx.remap.vendor === 'amd') {
        const t = this.amd.get(ctx.amdKey!);
        if (t) t.owner[route.irte] = idx;
      } else {
        const t = this.irte.get(ctx.remap);
        if (t) t.owner[route.irte] = idx;
      }
    }
    if (ctx.itsDev && route.event !== null) ctx.itsDev.owner[route.event] = idx;
    if (ctx.affinityBroken) this.reportIrq(irq, 'affinity-broken', ctx.affinityBroken);
    // a compatibility-format route carries APIC ID bits 7:0 only
    if (this.m.arch === 'x86' && !ctx.remap && route.cpu !== null && ep.kind !== 'dmar-msi') {
      const apic = this.m.apicIds.get(route.cpu) ?? route.cpu;
      if (apic > 255)
        this.reportIrq(
          irq,
          'apic-id-unreachable',
          `${irq.id} lands on CPU ${route.cpu}, whose APIC ID is ${apic} (above 255), but its route ${route.path.join(' > ')} is not remapped: a compatibility-format ${ep.kind === 'ioapic' ? 'IO-APIC entry' : 'MSI'} carries destination APIC ID bits 7:0 only (address bits 19:12, __irq_msi_compose_msg in arch/x86/kernel/apic/apic.c), so it would reach APIC ID ${apic & 0xff}. Route it through an IR unit (x2APIC mode), or keep its affinity on CPUs with APIC IDs up to 255`,
        );
    }
  }

  // ---- the endpoint level -----------------------------------------------------------------------

  private endpoint(ctx: Ctx, d: Domain): boolean {
    const irq = ctx.irq;
    const s = irq.source!;
    const dev = irq.device;
    const at = (hwirq: number | null, resource: string) => {
      ctx.hops[0] = { domain: d.name, hwirq, resource };
      ctx.used.push(d);
    };
    switch (d.kind) {
      case 'pci-msi':
        if (s.kind === 'msi') return this.msiEntry(ctx, d, at);
        if (s.kind === 'msix' || s.kind === 'virtual' || s.kind === 'window')
          return this.msixEntry(ctx, d, at);
        break;
      case 'ims': {
        let t = this.ims.get(d);
        if (!t) this.ims.set(d, (t = d.slots !== undefined ? new LowestFree(d.slots) : new OpenLowestFree()));
        const slot = t.lowest();
        if (slot < 0)
          return this.fail(
            ctx,
            'ims-slots-exhausted',
            `${irq.id} finds no free slot: the IMS domain '${d.name}' has ${d.slots} slot${d.slots === 1 ? '' : 's'} (0..${d.slots! - 1}), all taken. Slot allocation is the IMS domain's own (pci_create_ims_domain, 6.2-6.9): raise \`slots\` to the device's IMS size, or request fewer interrupts`,
            true,
            [
              {
                uri: d.uri,
                range: d.properties.get('slots')?.range ?? d.nameRange,
                message: `'${d.name}' has ${d.slots} slots`,
              },
            ],
          );
        const tt = t;
        tt.take(slot);
        ctx.undo.push(() => tt.release(slot));
        at(slot, `IMS slot ${slot}`);
        return true;
      }
      case 'ntb': {
        const w = s.kind === 'window' ? (s.arg ?? 0) : 0;
        if (s.kind === 'window' && dev.windows !== undefined && w >= dev.windows) {
          const p = dev.properties.get('windows');
          return this.fail(
            ctx,
            'bad-value',
            `${irq.id} uses memory window ${w}, but ${dev.name} has ${dev.windows} window${dev.windows === 1 ? '' : 's'} (0..${dev.windows - 1})`,
            true,
            p ? [{ uri: dev.uri, range: p.range, message: `${dev.name}: windows ${dev.windows}` }] : [],
            s.range,
          );
        }
        let t = this.ntbIdx.get(d);
        if (!t) this.ntbIdx.set(d, (t = new OpenLowestFree()));
        const i = t.lowest();
        const key = `${d.name}\0${w}`;
        const e = this.ntbWin.get(key) ?? 0;
        const tt = t;
        tt.take(i);
        this.ntbWin.set(key, e + 1);
        ctx.undo.push(() => {
          tt.release(i);
          this.ntbWin.set(key, e);
        });
        at(i, `window ${w} entry ${e}`);
        return true;
      }
      case 'ioapic': {
        const pin = s.arg;
        if (pin === undefined) return this.fail(ctx, 'missing-property', `${irq.id} names no pin`);
        if (d.pins !== undefined && pin >= d.pins)
          return this.fail(ctx, 'bad-value', `pin ${pin} is beyond '${d.name}' (${d.pins} pins)`);
        let t = this.pins.get(d);
        if (!t) this.pins.set(d, (t = new Map<number, Route>()));
        const first = t.get(pin);
        if (first) {
          ctx.route.sharedWith = first.irq;
          ctx.hops[0] = { domain: d.name, hwirq: pin, resource: `pin ${pin} (shared with ${first.irq})` };
          return true;
        }
        const tt = t;
        tt.set(pin, ctx.route);
        ctx.undo.push(() => tt.delete(pin));
        at(pin, `pin ${pin}`);
        return true;
      }
      default:
        break;
    }
    // hpet, dmar-msi, platform-msi, aplic and any other message domain: an index per domain
    let t = this.msgIdx.get(d);
    if (!t) this.msgIdx.set(d, (t = new OpenLowestFree()));
    const i = t.lowest();
    const tt = t;
    tt.take(i);
    ctx.undo.push(() => tt.release(i));
    at(i, `${d.kind === 'hpet' ? 'HPET channel' : 'index'} ${i}`);
    return true;
  }

  /** The hwirq of a global (shared) PCI/MSI domain: pci_msi_domain_calc_hwirq (drivers/pci/msi/irqdomain.c). */
  private pciHwirq(d: Domain, dev: Device, index: number): number {
    if (d.implied || d.device || !dev.pci) return index;
    return index + dev.pci.rid * 2048 + (dev.pci.segment >>> 0) * 2 ** 27;
  }

  private msixEntry(ctx: Ctx, d: Domain, at: (h: number, r: string) => void): boolean {
    const irq = ctx.irq;
    const dev = irq.device;
    const s = irq.source!;
    const table = dev.msix ?? 0;
    let t = this.msix.get(dev);
    if (!t) this.msix.set(dev, (t = new OpenLowestFree()));
    let idx: number;
    let label: string;
    if (s.kind === 'msix') {
      if (s.arg !== undefined) {
        const first = irq.group.first ?? 0;
        idx = s.arg + ((irq.index ?? first) - first);
        if (t.has(idx)) {
          const other = this.routes.find(
            (r) => r.device === dev.name && r.hops[0]?.resource === `MSI-X entry ${idx}`,
          );
          return this.fail(
            ctx,
            'bad-value',
            `${irq.id} asks for MSI-X entry ${idx} of ${dev.name}, which ${other ? other.irq : 'another interrupt'} already holds: one table entry carries one message`,
            true,
            other
              ? [{ uri: other.uri, range: other.range, message: `${other.irq} holds MSI-X entry ${idx}` }]
              : [],
            s.range,
          );
        }
      } else idx = t.lowest();
      if (idx >= table)
        return this.fail(
          ctx,
          'msix-index-range',
          `${irq.id} would take MSI-X entry ${idx}, beyond ${dev.name}'s ${table}-entry table`,
        );
      label = labelOf('msix', idx, (i) => `MSI-X entry ${i}`);
    } else {
      // PCI_IRQ_VIRTUAL: descriptors beyond the hardware table (hwsize = nvec)
      idx = t.lowest(table);
      label = `virtual MSI-X entry ${idx} (beyond the ${table}-entry table)`;
    }
    const tt = t;
    tt.take(idx);
    ctx.undo.push(() => tt.release(idx));
    at(this.pciHwirq(d, dev, idx), label);
    return true;
  }

  private msiEntry(ctx: Ctx, d: Domain, at: (h: number, r: string) => void): boolean {
    const irq = ctx.irq;
    const dev = irq.device;
    let b = this.msiBlocks.get(dev);
    if (!b) {
      const n = dev.irqs.filter((i) => i.source?.kind === 'msi').length;
      const multi = multiMsiSupported(d);
      // pci_msi_vec_count(): the capability's Multiple Message Capable bounds the block
      const cap = dev.platform ? 32 : Math.min(dev.msi ?? 1, 32);
      b = { size: multi ? roundUpPow2(Math.min(n, cap)) : 1, next: 0, multi, cap };
      this.msiBlocks.set(dev, b);
    }
    const i = b.next;
    if (i >= b.size)
      return b.multi
        ? this.fail(
            ctx,
            'msi-count',
            b.cap < 32
              ? `${irq.id} is MSI vector ${i}, but ${dev.name}'s MSI capability offers ${b.cap} (msi ${b.cap}): the kernel cannot grant more (pci_msi_vec_count, drivers/pci/msi/msi.c)`
              : `${irq.id} is MSI vector ${i}: the MSI capability encodes at most 32`,
          )
        : this.fail(
            ctx,
            'multi-msi-unsupported',
            `${irq.id} is MSI vector ${i} of ${dev.name}, but the parent has no multi-MSI: the kernel grants a single vector (msi_capability_init returns 1)`,
          );
    b.next++;
    const bb = b;
    ctx.undo.push(() => {
      bb.next--;
    });
    ctx.block = { state: b, index: i };
    at(
      this.pciHwirq(d, dev, i),
      b.size > 1 ? `MSI vector ${i} of an aligned block of ${b.size}` : 'MSI vector 0',
    );
    return true;
  }

  // ---- x86: the vector matrix ---------------------------------------------------------------------

  private mask(irq: Irq): { bits: Uint32Array | undefined; members: number[]; restricted: boolean } {
    const aff = irq.affinity;
    if (!aff) return { bits: undefined, members: this.allMembers, restricted: false };
    let e = this.affinity.get(aff);
    if (!e) {
      const members: number[] = [];
      const bits = new Uint32Array(Math.max(1, Math.ceil(this.cpus.length / 32)));
      for (const cpu of aff) {
        const c = this.cpuIndex.get(cpu);
        if (c === undefined) continue;
        members.push(c);
        bits[c >>> 5] |= 1 << (c & 31);
      }
      e = { bits, members };
      this.affinity.set(aff, e);
    }
    if (e.members.length === 0) return { bits: undefined, members: this.allMembers, restricted: false };
    return {
      bits: e.members.length === this.cpus.length ? undefined : e.bits,
      members: e.members,
      restricted: e.members.length < this.cpus.length,
    };
  }

  private vectorLevel(ctx: Ctx, root: Domain): boolean {
    const mat = this.matrix;
    const irq = ctx.irq;
    const pos = ctx.chain.length - 1;
    if (!mat || !this.owner) return this.fail(ctx, 'cpu-unknown', 'there are no online CPUs (`cpus`)');
    const set = (c: number, v: number, note = '') => {
      ctx.route.cpu = this.cpus[c];
      ctx.route.vector = v;
      ctx.hops[pos] = {
        domain: root.name,
        hwirq: v,
        resource: `CPU ${this.cpus[c]} vector ${hex(v)}${note}`,
      };
      ctx.used.push(root);
    };
    const pre = this.pinned.get(irq);
    const { bits, members, restricted } = this.mask(irq);
    const affText = () => (irq.affinity ? `affinity ${formatCpus(irq.affinity)}` : 'affinity (all CPUs)');
    if (pre) {
      if (pre.conflict)
        return this.fail(
          ctx,
          'vector-conflict',
          `${irq.id}'s pinned placement CPU ${this.cpus[pre.c]} vector ${hex(pre.v)} cannot be honoured`,
        );
      if (irq.managed && !this.reserveManaged(ctx, members, pre.c)) return false;
      if (irq.managed) this.checkSpread(irq, members, pre.c);
      set(pre.c, pre.v, ' (pinned)');
      return true;
    }
    if (irq.managed) {
      const pinC = irq.cpu ? this.cpuIndex.get(irq.cpu.value) : undefined;
      if (!this.reserveManaged(ctx, members, -1)) return false;
      // irq_matrix_alloc_managed: the CPU of the mask with the fewest managed allocations, ties to the lowest
      const c = pinC ?? this.fewestManaged(members);
      if (pinC !== undefined) this.checkSpread(irq, members, pinC);
      let v = members.includes(c) ? mat.lowestReservedUnused(c) : -1;
      if (v < 0) {
        // pinned outside its own mask: no reservation there
        v = mat.lowestFree(c);
        if (v < 0) return this.exhausted(ctx, `CPU ${this.cpus[c]} (its pin)`);
        mat.assign(c, v);
        ctx.undo.push(() => mat.unassign(c, v));
      } else {
        mat.allocManaged(c, v);
        ctx.undo.push(() => mat.freeManaged(c, v));
      }
      set(c, v, ' (managed)');
      return true;
    }
    let c: number;
    if (irq.cpu && this.cpuIndex.has(irq.cpu.value)) {
      c = this.cpuIndex.get(irq.cpu.value)!;
      if (mat.avl[c] <= 0) return this.exhausted(ctx, `CPU ${irq.cpu.value} (its pin)`);
    } else if (irq.vector) {
      const v = irq.vector.value;
      c = -1;
      for (const k of members)
        if (
          !mat.isBlocked(v) &&
          !mat.isAllocated(k, v) &&
          !mat.isReserved(k, v) &&
          (c < 0 || mat.avl[k] > mat.avl[c])
        )
          c = k;
      if (c < 0)
        return this.fail(
          ctx,
          'vector-conflict',
          `${irq.id} is pinned to vector ${hex(v)}, which is not free on any CPU of its ${affText()}`,
          true,
          [],
          irq.vector.range,
        );
      mat.assign(c, v);
      ctx.undo.push(() => mat.unassign(c, v));
      set(c, v, ' (pinned vector)');
      return true;
    } else {
      c = mat.bestCpu(bits, members);
      if (c < 0 && restricted) {
        // assign_irq_vector_any_locked: affinity, then any online CPU
        c = mat.bestCpu(undefined, this.allMembers);
        if (c >= 0)
          ctx.affinityBroken = `every CPU of ${irq.id}'s ${affText()} is out of vectors, so it lands on CPU ${this.cpus[c]} instead: "irq N: Affinity broken due to vector space exhaustion." (arch/x86/kernel/apic/vector.c). Widen the affinity, or free vectors on those CPUs`;
      }
      if (c < 0)
        return this.exhausted(
          ctx,
          irq.affinity && restricted
            ? `any CPU of its affinity ${formatCpus(irq.affinity)} nor any other online CPU`
            : 'any online CPU',
        );
    }
    const v = mat.lowestFree(c);
    if (v < 0) return this.exhausted(ctx, `CPU ${this.cpus[c]}`);
    mat.assign(c, v);
    ctx.undo.push(() => mat.unassign(c, v));
    set(c, v);
    return true;
  }

  private exhausted(ctx: Ctx, where: string): false {
    const mat = this.matrix!;
    return this.fail(
      ctx,
      'vector-exhausted',
      `${ctx.irq.id} finds no free vector on ${where}: each CPU has ${mat.capacity} device vectors (${mat.era.label}), all allocated or reserved for managed interrupts. The kernel fails with -ENOSPC (kernel/irq/matrix.c). Spread the affinity over more CPUs, or request fewer interrupts`,
      true,
    );
  }

  /** irq_matrix_reserve_managed: one vector on every CPU of the mask, all or nothing. */
  private reserveManaged(ctx: Ctx, members: number[], skip: number): boolean {
    const mat = this.matrix!;
    const done: [number, number][] = [];
    for (const c of members) {
      if (c === skip) continue;
      const v = mat.lowestFree(c);
      if (v < 0) {
        for (const [k, w] of done) mat.unreserve(k, w);
        return this.fail(
          ctx,
          'vector-exhausted',
          `${ctx.irq.id} is managed: the kernel reserves one vector on every CPU of its mask (irq_matrix_reserve_managed, all or nothing), but CPU ${this.cpus[c]} has none left of its ${mat.capacity} (${mat.era.label}). The kernel fails with -ENOSPC`,
          true,
        );
      }
      mat.reserve(c, v);
      done.push([c, v]);
    }
    ctx.undo.push(() => {
      for (const [k, w] of done) mat.unreserve(k, w);
    });
    return true;
  }

  private fewestManaged(members: number[]): number {
    const mat = this.matrix!;
    let best = -1;
    let bestMac = Infinity;
    for (const c of members) {
      const mac = mat.mac[c];
      if (mac < bestMac) {
        bestMac = mac;
        best = c;
      }
    }
    return best;
  }

  /**
   * managed-affinity-pinned: a managed interrupt observed on (pinned to) a CPU outside its mask. Inside
   * the mask the kernel's choice depends on the order interrupts were activated (the CPU with the
   * fewest managed allocations at that moment), so an observed CPU there is not second-guessed.
   */
  private checkSpread(irq: Irq, members: number[], pinC: number): void {
    if (!irq.cpu || members.includes(pinC)) return;
    this.reportIrq(
      irq,
      'managed-affinity-pinned',
      `${irq.id} is managed with the mask ${irq.affinity ? formatCpus(irq.affinity) : 'all CPUs'}, but it is pinned to CPU ${irq.cpu.value}, outside it: the kernel places a managed interrupt only on a CPU of its mask (irq_matrix_alloc_managed, kernel/irq/matrix.c), and user space cannot move it (writing smp_affinity fails with EIO, Documentation/core-api/irq/managed_irq.rst). The pin is kept as observed; check the import, or drop \`managed\``,
      [],
      irq.cpu.range,
    );
  }

  // ---- x86: interrupt remapping -------------------------------------------------------------------

  private remapLevel(ctx: Ctx, d: Domain): boolean {
    const irq = ctx.irq;
    const pos = ctx.chain.indexOf(d);
    const block = ctx.block && ctx.block.state.size > 1 ? ctx.block : undefined;
    if (d.vendor === 'amd') {
      const ep = ctx.chain[0];
      const key =
        ep.kind === 'ioapic' || ep.kind === 'hpet'
          ? `${d.name}\0dom\0${ep.name}`
          : `${d.name}\0dev\0${irq.device.name}`;
      const owner = ep.kind === 'ioapic' || ep.kind === 'hpet' ? ep.name : irq.device.name;
      const entries = d.entries ?? AMD_IRTE_ENTRIES;
      let t = this.amd.get(key);
      if (!t)
        this.amd.set(key, (t = { table: new LowestFree(entries), owner: new Int32Array(entries), unit: d }));
      const tt = t;
      let idx: number;
      if (block) {
        if (block.state.irteBase === undefined) {
          const base = tt.table.lowestBlock(block.state.size);
          if (base < 0) return this.amdFull(ctx, d, owner, entries);
          tt.table.take(base, block.state.size);
          block.state.irteBase = base;
        }
        idx = block.state.irteBase + block.index;
      } else {
        idx = tt.table.lowest();
        if (idx < 0) return this.amdFull(ctx, d, owner, entries);
        tt.table.take(idx);
        ctx.undo.push(() => tt.table.release(idx));
      }
      ctx.amdKey = key;
      ctx.route.irte = idx;
      ctx.hops[pos] = { domain: d.name, hwirq: idx, resource: `remap table entry ${idx} of ${owner}` };
      ctx.used.push(d);
      return true;
    }
    const entries = d.entries ?? INTEL_IRTE_ENTRIES;
    let t = this.irte.get(d);
    if (!t) this.irte.set(d, (t = { table: new LowestFree(entries), owner: new Int32Array(entries) }));
    const tt = t;
    let handle: number;
    let sub = 0;
    if (block) {
      if (block.state.irteBase === undefined) {
        // alloc_irte: count rounded up to a power of two, an aligned region (bitmap_find_free_region)
        const base = tt.table.lowestBlock(block.state.size);
        if (base < 0) return this.irteFull(ctx, d, entries, block.state.size);
        tt.table.take(base, block.state.size);
        block.state.irteBase = base;
      }
      handle = block.state.irteBase;
      sub = block.index;
    } else {
      handle = tt.table.lowest();
      if (handle < 0) return this.irteFull(ctx, d, entries, 1);
      tt.table.take(handle);
      ctx.undo.push(() => tt.table.release(handle));
    }
    ctx.irteBase = handle;
    ctx.subhandle = sub;
    ctx.route.irte = handle + sub;
    ctx.route.handle = handle;
    ctx.route.subhandle = sub;
    ctx.hops[pos] = {
      domain: d.name,
      hwirq: handle + sub,
      resource: block
        ? `IRTE ${handle + sub} (handle ${handle}, subhandle ${sub})`
        : labelOf('irte', handle, (i) => `IRTE ${i}`),
    };
    ctx.used.push(d);
    return true;
  }

  private irteFull(ctx: Ctx, d: Domain, entries: number, n: number): false {
    const p = d.properties.get('entries');
    return this.fail(
      ctx,
      'irte-exhausted',
      `${ctx.irq.id} finds no ${n > 1 ? `aligned block of ${n} free IRTEs` : 'free IRTE'} in '${d.name}', whose remap table has ${entries} entries: "IR%d: can't allocate an IRTE" (drivers/iommu/intel/irq_remapping.c). Each IR unit owns one table (INTR_REMAP_TABLE_ENTRIES = 65536); spread the devices over the units' scopes, or request fewer interrupts`,
      true,
      [{ uri: d.uri, range: p?.range ?? d.nameRange, message: `'${d.name}' has ${entries} IRTEs` }],
    );
  }

  private amdFull(ctx: Ctx, d: Domain, owner: string, entries: number): false {
    return this.fail(
      ctx,
      'irte-exhausted',
      `${ctx.irq.id} finds no free entry in ${owner}'s AMD-Vi remap table under '${d.name}' (${entries} entries per device, MAX_IRQS_PER_TABLE_512 unless the IOMMU advertises 2K): the kernel fails the allocation (drivers/iommu/amd/iommu.c alloc_irq_index). Request fewer interrupts, or set \`entries 2048\` if the IOMMU supports 2K tables`,
      true,
      [{ uri: d.uri, range: d.nameRange, message: `'${d.name}'` }],
    );
  }

  // ---- arm64: the ITS and the GIC -----------------------------------------------------------------

  private itsLevel(ctx: Ctx, d: Domain): boolean {
    const irq = ctx.irq;
    const dev = irq.device;
    const pos = ctx.chain.indexOf(d);
    const key = `${d.name}\0${dev.name}`;
    let t = this.itsDevs.get(key);
    if (!t) {
      // The event space (ITT) is a power of two, sized once, when the first allocation creates the ITS
      // device (its_msi_prepare -> its_create_device); later allocations for the same DeviceID reuse it
      // and fail beyond it. A topology's first `irq` statement of the device is that first allocation.
      // its_pci_msi_prepare (drivers/irqchip/irq-gic-v3-its-msi-parent.c, the per-device domains of
      // 6.11+) takes nvec = max(nvec, the domain's hwsize): the MSI-X table size (a per-device MSI
      // domain has hwsize 1); before 6.11 the global ITS PCI/MSI domain used nvec alone. The minimum is
      // 32 only for DeviceID 0 ("broken systems where the DevID is not wired") and for platform devices
      // (its_pmsi_prepare: "Allocate at least 32 MSIs"); other PCI devices get roundup_pow_of_two(nvec).
      const s = irq.source!;
      const perDeviceEra = !this.m.kernel || kernelAtLeast(this.m, 6, 11) === true;
      const hwsize = perDeviceEra && (s.kind === 'msix' || s.kind === 'virtual') ? (dev.msix ?? 0) : 0;
      const requests =
        s.kind === 'msi' ? dev.irqs.filter((i) => i.source?.kind === 'msi').length : irq.group.irqs.length;
      const deviceId = dev.pci ? dev.pci.rid : 0;
      const min = deviceId === 0 || dev.platform ? MIN_ITS_EVENTS : 1;
      const size = Math.max(min, roundUpPow2(Math.max(hwsize, requests, 1)));
      // its_lpi_alloc: a contiguous LPI range for the whole event space, lowest first from 8192
      const base = this.lpiRange(size);
      if (base < 0)
        return this.fail(
          ctx,
          'its-events-exhausted',
          `${irq.id}: no range of ${size} free LPIs is left for ${dev.name} (LPIs run from 8192; Linux caps the LPI ID bits at 16, ITS_MAX_LPI_NRBITS, so 8192..65535)`,
          true,
        );
      t = {
        its: d,
        size,
        events: new LowestFree(size),
        lpiBase: base,
        owner: new Int32Array(size),
        deviceId,
      };
      this.itsDevs.set(key, t);
    }
    const tt = t;
    const block = ctx.block && ctx.block.state.size > 1 ? ctx.block : undefined;
    let ev: number;
    if (block) {
      if (block.state.eventBase === undefined) {
        const base = tt.events.lowestBlock(block.state.size);
        if (base < 0) return this.eventsFull(ctx, d, tt);
        tt.events.take(base, block.state.size);
        block.state.eventBase = base;
      }
      ev = block.state.eventBase + block.index;
    } else {
      ev = tt.events.lowest();
      if (ev < 0) return this.eventsFull(ctx, d, tt);
      tt.events.take(ev);
      ctx.undo.push(() => tt.events.release(ev));
    }
    let lpi = tt.lpiBase + ev;
    if (irq.lpi) {
      lpi = irq.lpi.value;
      const other = this.pinnedLpis.get(lpi);
      if (other)
        return this.fail(
          ctx,
          'vector-conflict',
          `${irq.id} is pinned to LPI ${lpi}, which ${other.irq} is also pinned to: one LPI is one interrupt`,
          true,
          [{ uri: other.uri, range: other.range, message: `${other.irq} is pinned to LPI ${lpi}` }],
          irq.lpi.range,
        );
      this.pinnedLpis.set(lpi, ctx.route);
      ctx.undo.push(() => this.pinnedLpis.delete(lpi));
    }
    ctx.itsDev = tt;
    ctx.route.event = ev;
    ctx.route.lpi = lpi;
    ctx.hops[pos] = {
      domain: d.name,
      hwirq: ev,
      resource: `event ${ev} of device ID ${hex(tt.deviceId)} -> LPI ${lpi}`,
    };
    ctx.used.push(d);
    return true;
  }

  private eventsFull(ctx: Ctx, d: Domain, t: ItsDevice): false {
    return this.fail(
      ctx,
      'its-events-exhausted',
      `${ctx.irq.id} finds no free event ID: ${ctx.irq.device.name}'s event space (ITT) on '${d.name}' has ${t.size} events (0..${t.size - 1}), all taken. The ITS sizes it once, when the device is first set up (its_pci_msi_prepare, its_create_device: a power of two covering the table, at least 32). Declare the table size the device really has, or request fewer interrupts`,
      true,
    );
  }

  private lpiRange(size: number): number {
    let b = this.lpiNext;
    outer: while (b + size <= LPI_LIMIT) {
      for (let i = b; i < b + size; i++)
        if (this.lpiTaken[i]) {
          b = i + 1;
          continue outer;
        }
      this.lpiTaken.fill(1, b, b + size);
      if (b === this.lpiNext) this.lpiNext = b + size;
      return b;
    }
    return -1;
  }

  private gicLevel(ctx: Ctx, d: Domain): boolean {
    const irq = ctx.irq;
    const pos = ctx.chain.length - 1;
    const { members } = this.mask(irq);
    let c = irq.cpu ? (this.cpuIndex.get(irq.cpu.value) ?? -1) : -1;
    if (c < 0) {
      // the CPU of its affinity with the fewest LPIs, ties to the lowest
      for (const k of members) if (c < 0 || this.lpiCount[k] < this.lpiCount[c]) c = k;
    }
    if (c < 0) return this.fail(ctx, 'cpu-unknown', 'there are no online CPUs (`cpus`)');
    this.lpiCount[c]++;
    const cc = c;
    ctx.undo.push(() => this.lpiCount[cc]--);
    ctx.route.cpu = this.cpus[c];
    const lpi = ctx.route.lpi;
    ctx.hops[pos] = {
      domain: d.name,
      hwirq: lpi,
      resource: lpi !== null ? `LPI ${lpi} -> CPU ${this.cpus[c]}` : `CPU ${this.cpus[c]}`,
    };
    ctx.used.push(d);
    return true;
  }

  private imsicLevel(ctx: Ctx, d: Domain): boolean {
    const { members } = this.mask(ctx.irq);
    let c = ctx.irq.cpu ? (this.cpuIndex.get(ctx.irq.cpu.value) ?? -1) : -1;
    if (c < 0) for (const k of members) if (c < 0 || this.imsicNext[k] < this.imsicNext[c]) c = k;
    if (c < 0) return this.fail(ctx, 'cpu-unknown', 'there are no online CPUs (`cpus`)');
    const id = ++this.imsicNext[c];
    const cc = c;
    ctx.undo.push(() => this.imsicNext[cc]--);
    ctx.route.cpu = this.cpus[c];
    ctx.route.vector = id;
    ctx.hops[ctx.chain.length - 1] = {
      domain: d.name,
      hwirq: id,
      resource: `CPU ${this.cpus[c]} identity ${id}`,
    };
    ctx.used.push(d);
    return true;
  }

  // ---- the message --------------------------------------------------------------------------------

  private compose(ctx: Ctx, root: Domain, ep: Domain): void {
    const r = ctx.route;
    if (ep.kind === 'ioapic') return; // a redirection-table entry, not a message the device writes
    if (ctx.remap) {
      if (r.irte === null) return;
      r.message =
        ctx.remap.vendor === 'amd'
          ? amdMessage(r.irte)
          : intelMessage(ctx.irteBase ?? r.irte, ctx.subhandle ?? 0);
      return;
    }
    if (ctx.its) {
      if (ctx.its.base !== undefined && r.event !== null) r.message = itsMessage(ctx.its.base, r.event);
      return;
    }
    if (root.kind === 'vector' && r.cpu !== null && r.vector !== null) {
      const apic = this.m.apicIds.get(r.cpu) ?? r.cpu;
      r.message = compatMessage(apic, r.vector, ep.kind === 'dmar-msi');
    }
  }

  // ---- usage --------------------------------------------------------------------------------------

  private cpuUsage(): CpuUsage[] {
    const mat = this.matrix;
    return this.cpus.map((cpu, c) =>
      mat
        ? {
            cpu,
            apic_id: this.apic[c],
            used: mat.act[c],
            available: mat.avl[c],
            managed: mat.man[c],
            managed_allocated: mat.mac[c],
            vectors: mat.vectorsOf(c),
          }
        : {
            cpu,
            apic_id: this.apic[c],
            used: this.m.arch === 'riscv' ? this.imsicNext[c] : this.lpiCount[c],
            available: 0,
            managed: 0,
            managed_allocated: 0,
            vectors: [],
          },
    );
  }

  private domainUsage(): DomainUsage[] {
    const out: DomainUsage[] = [];
    const mat = this.matrix;
    for (const d of this.m.domains) {
      if (!d.kind) continue;
      const used = this.used.get(d) ?? 0;
      let resource: string;
      let size: number | null = null;
      let n = used;
      switch (d.kind) {
        case 'vector':
          resource = 'vector';
          size = mat ? mat.capacity * mat.ncpu : null;
          n = mat ? mat.act.reduce((a, b) => a + b, 0) : used;
          break;
        case 'remap':
          if (d.vendor === 'amd') {
            resource = `remap table entry (per device, ${d.entries ?? AMD_IRTE_ENTRIES} each)`;
            n = 0;
            for (const t of this.amd.values()) if (t.unit === d) n += t.table.count;
          } else {
            resource = 'IRTE';
            size = d.entries ?? INTEL_IRTE_ENTRIES;
            n = this.irte.get(d)?.table.count ?? 0;
          }
          break;
        case 'its': {
          resource = 'event ID';
          let s = 0;
          n = 0;
          for (const t of this.itsDevs.values())
            if (t.its === d) {
              s += t.size;
              n += t.events.count;
            }
          size = s || null;
          break;
        }
        case 'gic':
          resource = 'LPI';
          size = LPI_LIMIT - FIRST_LPI;
          break;
        case 'imsic':
          resource = 'identity';
          break;
        case 'pci-msi': {
          const dev = d.device ?? d.impliedFor;
          const msi = dev ? dev.irqs.some((i) => i.source?.kind === 'msi') : false;
          resource = msi ? 'MSI vector' : 'MSI-X entry';
          size = dev ? ((msi ? dev.msi : dev.msix) ?? null) : null;
          break;
        }
        case 'ims':
          resource = 'IMS slot';
          size = d.slots ?? null;
          break;
        case 'ntb':
          resource = 'window entry';
          break;
        case 'ioapic':
          resource = 'pin';
          size = d.pins ?? null;
          n = this.pins.get(d)?.size ?? 0;
          break;
        case 'hpet':
          resource = 'HPET channel';
          break;
        default:
          resource = 'MSI';
      }
      out.push({ name: d.name, resource, used: n, size });
    }
    return out;
  }
}

/** CPU lists as the kernel's %*pbl prints them (`0-3,8`). */
export const formatCpus = formatList;
