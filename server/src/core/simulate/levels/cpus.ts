// The CPU-level roots that hand out a target CPU without a vector matrix: the arm64 GIC (the CPU an
// LPI targets) and the RISC-V IMSIC (a per-hart interrupt identity).

import type { Domain } from '../../model';
import type { IrqCtx, Level, SimContext } from '../context';
import type { Undoable } from '../placement';
import type { Hop } from '../types';
import type { Failer } from './endpoint';

export class GicLevel implements Level, Undoable {
  private readonly id: number;
  /** LPIs targeting each CPU (by CPU index) */
  readonly lpiCount: Int32Array;

  constructor(
    private readonly s: SimContext,
    private readonly f: Failer,
  ) {
    this.id = s.log.register(this);
    this.lpiCount = new Int32Array(s.cpus.length);
  }

  undo(_op: number, c: number): void {
    this.lpiCount[c]--;
  }

  alloc(ctx: IrqCtx, _d: Domain, pos: number): boolean {
    const s = this.s;
    const G = s.m.groups;
    let c = G.cpu[ctx.g] >= 0 ? s.cpuIndex[G.cpu[ctx.g]] : -1;
    if (c < 0) {
      // the CPU of its affinity with the fewest LPIs, ties to the lowest
      for (const x of ctx.members) if (c < 0 || this.lpiCount[x] < this.lpiCount[c]) c = x;
    }
    if (c < 0) return this.f.fail(ctx, 'cpu-unknown', 'there are no online CPUs (`cpus`)');
    this.lpiCount[c]++;
    s.log.push(this.id, 0, c);
    s.placement.cpu[ctx.k] = s.cpus[c];
    ctx.done.push(pos);
    return true;
  }

  hop(k: number, d: Domain): Hop {
    const P = this.s.placement;
    const lpi = P.lpi[k];
    return {
      domain: d.name,
      hwirq: lpi >= 0 ? lpi : null,
      resource: lpi >= 0 ? `LPI ${lpi} -> CPU ${P.cpu[k]}` : `CPU ${P.cpu[k]}`,
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

  alloc(ctx: IrqCtx, _d: Domain, pos: number): boolean {
    const s = this.s;
    const G = s.m.groups;
    let c = G.cpu[ctx.g] >= 0 ? s.cpuIndex[G.cpu[ctx.g]] : -1;
    if (c < 0) for (const x of ctx.members) if (c < 0 || this.next[x] < this.next[c]) c = x;
    if (c < 0) return this.f.fail(ctx, 'cpu-unknown', 'there are no online CPUs (`cpus`)');
    const id = ++this.next[c];
    s.log.push(this.id, 0, c);
    s.placement.cpu[ctx.k] = s.cpus[c];
    s.placement.vector[ctx.k] = id;
    ctx.done.push(pos);
    return true;
  }

  hop(k: number, d: Domain): Hop {
    const P = this.s.placement;
    return { domain: d.name, hwirq: P.vector[k], resource: `CPU ${P.cpu[k]} identity ${P.vector[k]}` };
  }
}
