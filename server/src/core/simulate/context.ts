// What the levels of the simulation share: the machine (online CPUs, their APIC IDs, affinity
// masks as bitsets), the placement being written, the operation log, findings (one per statement
// and code), and the per-interrupt context the orchestrator hands each level.

import type { RelatedFinding, Finding } from '../diagnostics';
import { finding } from '../checks/registry';
import { KINDS } from '../kinds';
import { chainOf, irqName, type Domain, type Model, type Site } from '../model';
import type { SyntaxFile } from '../syntax/view';
import { formatList } from '../values';
import { OpLog, Placement } from './placement';
import type { Hop } from './types';

/** A ChainInfo; its path (the domains' names) is made on first use. */
class ChainInfoRow implements ChainInfo {
  private pathMade: string[] | undefined;
  orderPos: number[] = [];
  refusal?: { code: string; why: string } | null;
  constructor(
    readonly chain: Domain[],
    readonly root: Domain,
    readonly rooted: boolean,
    readonly remap: Domain | undefined,
    readonly its: Domain | undefined,
    readonly order: Domain[],
  ) {}
  get path(): string[] {
    return (this.pathMade ??= this.chain.map((d) => d.name));
  }
}

export interface ChainInfo {
  chain: Domain[];
  /** shared by every route starting at this domain: treat as read-only (made on first use) */
  readonly path: string[];
  root: Domain;
  rooted: boolean;
  remap: Domain | undefined;
  its: Domain | undefined;
  /** the levels in the order the hierarchy allocates them (x86: parent first; ITS: event before LPI) */
  order: Domain[];
  /** the chain position of each domain of `order` */
  orderPos: number[];
  /** a domain of the chain the kernel refuses to create (layeringRefusal), found once; null: none */
  refusal?: { code: string; why: string } | null;
}

/** The state of one interrupt while the levels allocate it (one object, reused). */
export class IrqCtx {
  k = 0;
  g = 0;
  dev = 0;
  ep!: Domain;
  info!: ChainInfo;
  mark = 0;
  /** chain positions whose level took its resource (for the hops of a failure); chains are at most 65 long */
  private readonly donePos = new Int32Array(80);
  private doneCount = 0;
  /** how many interrupts of the device this allocation call (pci_alloc_irq_vectors batch) allocates */
  batch = 1;
  /** MSI: the device's block and this interrupt's index in it */
  blockSize = 1;
  blockIndex = 0;
  /** the IR unit's base for a multi-MSI block (Intel handle, AMD index) and the ITS event base */
  affinityBroken: string | undefined;
  /** the kernel warned of broken affinity at activation, and irq_startup() moved it back (4.15-5.9) */
  transient: string | undefined;
  /** the interrupt's mask: CPU indices, and its bitset (undefined: all online CPUs) */
  members: number[] = [];
  bits: Uint32Array | undefined;
  restricted = false;
  /** the mask's index in model.masks (-1: all CPUs) */
  maskId = -1;

  /** The level at chain position `pos` took its resource. */
  did(pos: number): void {
    if (this.doneCount < this.donePos.length) this.donePos[this.doneCount++] = pos;
  }

  /** The chain positions whose level took its resource, in the order they did. */
  get done(): number[] {
    return Array.from(this.donePos.subarray(0, this.doneCount));
  }

  reset(k: number, g: number, dev: number): void {
    this.k = k;
    this.g = g;
    this.dev = dev;
    this.doneCount = 0;
    this.blockSize = 1;
    this.blockIndex = 0;
    this.batch = 1;
    this.affinityBroken = undefined;
    this.transient = undefined;
  }
}

export class SimContext {
  /** the placement being written (swapped for a moment to show the routes as they were before an `offline`) */
  placement: Placement;
  readonly log = new OpLog();
  readonly findings: Finding[] = [];
  /** online CPUs, their indices (cpu number -> index, -1 offline) and APIC IDs */
  readonly cpus: number[];
  readonly cpuIndex: Int32Array;
  readonly apic: number[];
  readonly allMembers: number[];
  private readonly agg = new Map<number, { f: Finding; n: number }>();
  private readonly masks: ({ bits: Uint32Array; members: number[] } | undefined)[] = [];
  private readonly infos = new Map<Domain, ChainInfo>();
  /** chainInfo by the endpoint domain's index (the map above is the fallback) */
  private readonly infoByIndex: (ChainInfo | undefined)[] = [];
  private readonly nodes = new Map<number, { members: number[]; bits: Uint32Array }>();
  private readonly andCache = new Map<number, { members: number[]; bits: Uint32Array }>();

  constructor(readonly m: Model) {
    this.placement = new Placement(m.irqCount);
    this.cpus = [...m.cpus];
    this.cpuIndex = new Int32Array(8192).fill(-1);
    this.cpus.forEach((c, i) => (this.cpuIndex[c] = i));
    this.apic = this.cpus.map((c) => m.apicIds.get(c) ?? c);
    this.allMembers = this.cpus.map((_, i) => i);
  }

  report(code: string, site: Site, message: string | (() => string), related?: RelatedFinding[]): void {
    this.findings.push(finding(code, site.file, site.start, site.end, message, related));
  }

  /** The site of an irq statement's target (DEVICE.NAME[RANGE]). */
  targetSite(g: number): Site {
    const m = this.m;
    const file: SyntaxFile = m.files[m.groups.file[g]];
    const t = file.tree;
    const s = m.groups.stmt[g];
    return { file, start: t.aStart[t.sA[s]], end: t.sC[s] >= 0 ? t.aEnd(t.sC[s]) : t.aEnd(t.sB[s]) };
  }

  /** One finding per statement and code; later interrupts of the statement are counted. */
  reportIrq(
    k: number,
    g: number,
    code: string,
    message: string | (() => string),
    related?: RelatedFinding[],
    site?: Site,
  ): void {
    let c = CODE_IDS.get(code);
    if (c === undefined) CODE_IDS.set(code, (c = CODE_IDS.size));
    const key = g * 64 + c;
    const prev = this.agg.get(key);
    if (prev) {
      prev.n++;
      return;
    }
    const s = site ?? this.targetSite(g);
    const f = finding(code, s.file, s.start, s.end, message, related);
    this.agg.set(key, { f, n: 1 });
    void k;
  }

  /** Moves the aggregated findings out, each with how many more interrupts of its statement it stands for. */
  flushAggregated(): void {
    for (const { f, n } of this.agg.values()) {
      if (n > 1) {
        const base = f.message;
        f.message = () =>
          `${typeof base === 'string' ? base : base()} (and ${n - 1} more interrupt${n > 2 ? 's' : ''} of this statement)`;
      }
      this.findings.push(f);
    }
    this.agg.clear();
  }

  /** The chain from an endpoint domain, with what every interrupt starting there needs. */
  chainInfo(ep: Domain): ChainInfo {
    let info = this.infoByIndex[ep.index];
    if (info && info.chain[0] === ep) return info;
    info = this.infos.get(ep);
    if (!info) {
      const chain = chainOf(ep);
      const root = chain[chain.length - 1];
      const units = chain.filter((d) => d.kind === 'remap' || d.kind === 'its');
      info = new ChainInfoRow(
        chain,
        root,
        !!root.kind && KINDS[root.kind].root,
        chain.find((d) => d.kind === 'remap'),
        chain.find((d) => d.kind === 'its'),
        root.kind === 'vector' ? [root, ...units] : [...units, root],
      );
      info.orderPos = info.order.map((d) => chain.indexOf(d));
      this.infos.set(ep, info);
    }
    if (ep.index >= 0) this.infoByIndex[ep.index] = info;
    return info;
  }

  /** An affinity mask (model.masks index; -1 all) as CPU indices and a bitset, cached per mask. */
  mask(maskId: number, ctx: IrqCtx): void {
    ctx.maskId = maskId;
    if (maskId < 0) {
      ctx.members = this.allMembers;
      ctx.bits = undefined;
      ctx.restricted = false;
      return;
    }
    let e = this.masks[maskId];
    if (!e) {
      const members: number[] = [];
      const bits = new Uint32Array(Math.max(1, Math.ceil(this.cpus.length / 32)));
      for (const cpu of this.m.masks[maskId]) {
        const c = cpu < 8192 ? this.cpuIndex[cpu] : -1;
        if (c < 0) continue;
        members.push(c);
        bits[c >>> 5] |= 1 << (c & 31);
      }
      e = this.masks[maskId] = { bits, members };
    }
    if (e.members.length === 0) {
      ctx.members = this.allMembers;
      ctx.bits = undefined;
      ctx.restricted = false;
      return;
    }
    const all = e.members.length === this.cpus.length;
    ctx.members = e.members;
    ctx.bits = all ? undefined : e.bits;
    ctx.restricted = !all;
  }

  /** The online CPUs of a NUMA node, as indices and a bitset (cached); empty for an unknown node. */
  nodeMask(node: number): { members: number[]; bits: Uint32Array } {
    let e = this.nodes.get(node);
    if (!e) {
      const members: number[] = [];
      const bits = new Uint32Array(Math.max(1, Math.ceil(this.cpus.length / 32)));
      const n = this.m.nodes.find((x) => x.id === node);
      for (const cpu of n?.cpus ?? []) {
        const c = cpu < 8192 ? this.cpuIndex[cpu] : -1;
        if (c < 0) continue;
        members.push(c);
        bits[c >>> 5] |= 1 << (c & 31);
      }
      members.sort((a, b) => a - b);
      this.nodes.set(node, (e = { members, bits }));
    }
    return e;
  }

  /** An affinity mask ∩ a node's CPUs, cached per (mask, node). */
  andNode(
    maskId: number,
    members: readonly number[],
    node: number,
  ): { members: number[]; bits: Uint32Array } {
    const key = (maskId + 1) * 2048 + node;
    let e = this.andCache.get(key);
    if (!e) this.andCache.set(key, (e = this.and(members, this.nodeMask(node))));
    return e;
  }

  /** CPU indices in both lists (ascending lists), as a list and a bitset. */
  and(a: readonly number[], b: { bits: Uint32Array }): { members: number[]; bits: Uint32Array } {
    const members = a.filter((c) => (b.bits[c >>> 5] & (1 << (c & 31))) !== 0);
    const bits = new Uint32Array(Math.max(1, Math.ceil(this.cpus.length / 32)));
    for (const c of members) bits[c >>> 5] |= 1 << (c & 31);
    return { members, bits };
  }

  irqName(k: number): string {
    return irqName(this.m, k);
  }

  affText(maskId: number): string {
    return maskId >= 0 ? `affinity ${formatList(this.m.masks[maskId])}` : 'affinity (all CPUs)';
  }
}

const CODE_IDS = new Map<string, number>();

/** A level of the hierarchy: the resource one kind of domain hands out. */
export interface Level {
  /** allocation (irq_domain_alloc_irqs): takes this level's resource (false: it failed, and said why) */
  alloc(ctx: IrqCtx, d: Domain, pos: number): boolean;
  /** activation (request_irq): the target (vector domain, GIC, IMSIC); the other levels have none */
  activate?(ctx: IrqCtx, d: Domain, pos: number): boolean;
  /** the hop of an allocated interrupt at this level, made on demand */
  hop(k: number, d: Domain): Hop;
}

/** A domain the route crosses without allocating (a device domain as parent: an invalid layering). */
export function passThrough(d: Domain): Hop {
  return {
    domain: d.name,
    hwirq: null,
    resource: `passes through (${d.kind ?? d.kindText} is not an MSI parent)`,
  };
}
