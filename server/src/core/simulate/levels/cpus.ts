// The CPU-level roots that hand out a target CPU without a vector matrix: the arm64 GIC (the CPU an
// LPI targets: its_select_cpu(), drivers/irqchip/irq-gic-v3-its.c) and the RISC-V IMSIC (a per-hart
// interrupt identity). docs/kernel-placement.md section 4.

import type { Domain } from '../../model';
import { GroupFlag } from '../../model/types';
import type { IrqCtx, Level, SimContext } from '../context';
import type { SimEra } from '../era';
import { PF, type Undoable } from '../placement';
import type { Hop } from '../types';
import type { Failer } from './endpoint';

/**
 * 5.8 and later: per CPU, managed and unmanaged LPI counts (its_read_lpi_count); an LPI is parked on a
 * CPU when it is allocated (PCI/MSI activates early) and placed again when it is requested: the least
 * loaded CPU of its kind, ties to the lowest; an unmanaged one tries the ITS's node first. Before 5.8:
 * the first CPU of its mask.
 */
export class GicLevel implements Level, Undoable {
  private readonly id: number;
  readonly managed: Int32Array;
  readonly unmanaged: Int32Array;
  /** where each LPI was parked at allocation (CPU index), -1 none */
  private readonly parked: Int32Array;

  constructor(
    private readonly s: SimContext,
    private readonly f: Failer,
    private readonly era: SimEra,
  ) {
    this.id = s.log.register(this);
    this.managed = new Int32Array(s.cpus.length);
    this.unmanaged = new Int32Array(s.cpus.length);
    this.parked = new Int32Array(s.m.irqCount).fill(-1);
  }

  /** LPIs targeting each CPU (both kinds) */
  get lpiCount(): Int32Array {
    const out = new Int32Array(this.s.cpus.length);
    for (let c = 0; c < out.length; c++) out[c] = this.managed[c] + this.unmanaged[c];
    return out;
  }

  undo(op: number, c: number, k: number): void {
    (op === 0 ? this.managed : this.unmanaged)[c]--;
    if (k >= 0 && this.parked[k] === c) this.parked[k] = -1;
  }

  private counts(managed: boolean): Int32Array {
    return managed ? this.managed : this.unmanaged;
  }

  /** cpumask_pick_least_loaded: the smallest count, ties to the lowest CPU; -1 for an empty mask. */
  private least(members: readonly number[], counts: Int32Array): number {
    let best = -1;
    for (const c of members) if (best < 0 || counts[c] < counts[best]) best = c;
    return best;
  }

  /** its_select_cpu() for an unmanaged LPI: the ITS's node ∩ mask first, then the mask. */
  private selectUnmanaged(its: Domain | undefined, members: readonly number[]): number {
    const s = this.s;
    if (its?.node !== undefined) {
      const both = s.and(members, s.nodeMask(its.node)).members;
      if (both.length) return this.least(both, this.unmanaged);
    }
    return this.least(members, this.unmanaged);
  }

  /** Allocation (early activation): the LPI is parked on a CPU, counted. */
  alloc(ctx: IrqCtx): boolean {
    if (this.era.its === 'first') return true;
    const s = this.s;
    const managed = (s.m.groups.flags[ctx.g] & GroupFlag.Managed) !== 0;
    let c: number;
    if (managed)
      c = this.least(this.era.its === 'balanced-park-online' ? s.allMembers : ctx.members, this.managed);
    else c = this.selectUnmanaged(ctx.info.its, s.allMembers);
    if (c < 0) return this.f.fail(ctx, 'cpu-unknown', 'there are no online CPUs (`cpus`)');
    this.counts(managed)[c]++;
    this.parked[ctx.k] = c;
    s.log.push(this.id, managed ? 0 : 1, c, ctx.k);
    return true;
  }

  /** Activation (request_irq -> irq_startup -> its_set_affinity): the LPI's CPU. */
  activate(ctx: IrqCtx, _d: Domain, pos: number): boolean {
    const s = this.s;
    const m = s.m;
    const G = m.groups;
    const managed = (G.flags[ctx.g] & GroupFlag.Managed) !== 0;
    const counts = this.counts(managed);
    const parked = this.parked[ctx.k];
    let c = G.cpu[ctx.g] >= 0 && G.cpu[ctx.g] < 8192 ? s.cpuIndex[G.cpu[ctx.g]] : -1;
    if (c < 0) {
      // irq_setup_affinity: an unmanaged mask is narrowed to the device's node when they meet
      let members = ctx.members;
      const node = m.devices.node[ctx.dev];
      if (!managed && node >= 0) {
        const both = s.and(members, s.nodeMask(node)).members;
        if (both.length) members = both;
      }
      if (this.era.its === 'first') c = members.length ? members[0] : -1;
      else {
        if (parked >= 0) counts[parked]--;
        c = managed ? this.least(members, counts) : this.selectUnmanaged(ctx.info.its, members);
        if (c < 0 && parked >= 0) counts[parked]++;
      }
    } else if (this.era.its !== 'first' && parked >= 0) counts[parked]--;
    if (c < 0) return this.f.fail(ctx, 'cpu-unknown', 'there are no online CPUs (`cpus`)');
    if (this.era.its !== 'first') {
      counts[c]++;
      this.parked[ctx.k] = -1;
    }
    s.placement.cpu[ctx.k] = s.cpus[c];
    ctx.did(pos);
    return true;
  }

  /** An inactive LPI stays where it was parked. */
  inactive(ctx: IrqCtx): void {
    const c = this.parked[ctx.k];
    this.s.placement.cpu[ctx.k] = c >= 0 ? this.s.cpus[c] : this.s.cpus[0];
  }

  /**
   * its_set_affinity() at CPU hotplug (`members`: the online CPUs the LPI may use): from 5.8 the
   * LPI's count leaves its CPU and its_select_cpu() picks again; before 5.8 the first CPU
   * (cpumask_any_and). Returns the new CPU index.
   */
  retarget(k: number, managed: boolean, members: readonly number[], its: Domain | undefined): number {
    const s = this.s;
    const P = s.placement;
    if (members.length === 0) return -1;
    let c: number;
    if (this.era.its === 'first') c = members[0];
    else {
      const counts = this.counts(managed);
      const old = P.cpu[k] >= 0 ? s.cpuIndex[P.cpu[k]] : -1;
      if (old >= 0) counts[old] = Math.max(0, counts[old] - 1);
      c = managed ? this.least(members, counts) : this.selectUnmanaged(its, members);
      counts[c]++;
    }
    P.cpu[k] = s.cpus[c];
    return c;
  }

  /** Frees interrupt k's count (release, shutdown). */
  free(k: number, managed: boolean): void {
    const c = this.s.placement.cpu[k] >= 0 ? this.s.cpuIndex[this.s.placement.cpu[k]] : -1;
    if (c >= 0) this.counts(managed)[c] = Math.max(0, this.counts(managed)[c] - 1);
  }

  hop(k: number, d: Domain): Hop {
    const P = this.s.placement;
    const lpi = P.lpi[k];
    const f = P.flags[k];
    const note =
      f & PF.Inactive
        ? ' (inactive: where it was parked)'
        : f & PF.Stuck
          ? ' (set affinity failed: the CPU is offline)'
          : f & PF.Moved
            ? ' (moved by an offline)'
            : '';
    const target =
      f & PF.Shutdown
        ? 'shut down by an offline (managed, no CPU of its mask online)'
        : `CPU ${P.cpu[k]}${note}`;
    return {
      domain: d.name,
      hwirq: lpi >= 0 ? lpi : null,
      resource: lpi >= 0 ? `LPI ${lpi} -> ${target}` : target,
    };
  }
}

export class ImsicLevel implements Level, Undoable {
  private readonly id: number;
  /** the last identity handed out on each CPU (by CPU index) */
  readonly next: Int32Array;

  constructor(
    private readonly s: SimContext,
    private readonly f: Failer,
  ) {
    this.id = s.log.register(this);
    this.next = new Int32Array(s.cpus.length);
  }

  undo(_op: number, c: number): void {
    this.next[c]--;
  }

  alloc(): boolean {
    return true;
  }

  activate(ctx: IrqCtx, _d: Domain, pos: number): boolean {
    const s = this.s;
    const G = s.m.groups;
    let c = G.cpu[ctx.g] >= 0 && G.cpu[ctx.g] < 8192 ? s.cpuIndex[G.cpu[ctx.g]] : -1;
    if (c < 0) for (const x of ctx.members) if (c < 0 || this.next[x] < this.next[c]) c = x;
    if (c < 0) return this.f.fail(ctx, 'cpu-unknown', 'there are no online CPUs (`cpus`)');
    const id = ++this.next[c];
    s.log.push(this.id, 0, c);
    s.placement.cpu[ctx.k] = s.cpus[c];
    s.placement.vector[ctx.k] = id;
    ctx.did(pos);
    return true;
  }

  /** CPU hotplug: a new identity on the CPU of `members` with the fewest handed out (the old one is freed). */
  retarget(k: number, members: readonly number[]): number {
    const s = this.s;
    let c = -1;
    for (const x of members) if (c < 0 || this.next[x] < this.next[c]) c = x;
    if (c < 0) return -1;
    s.placement.cpu[k] = s.cpus[c];
    s.placement.vector[k] = ++this.next[c];
    return c;
  }

  free(): void {
    // identities are not reused: the IMSIC keeps its bitmap of the freed ones; the count stays a high-water mark
  }

  hop(k: number, d: Domain): Hop {
    const P = this.s.placement;
    return { domain: d.name, hwirq: P.vector[k], resource: `CPU ${P.cpu[k]} identity ${P.vector[k]}` };
  }
}
