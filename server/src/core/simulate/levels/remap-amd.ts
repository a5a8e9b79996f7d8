// x86: an AMD-Vi interrupt-remapping unit's level: a remap table per device (IO-APICs and HPETs
// have their own), the lowest free index (alloc_irq_index, drivers/iommu/amd/iommu.c), an aligned
// block for multi-MSI.

import { groupOfIrq, type Domain } from '../../model';
import { LowestFree } from '../alloc';
import type { IrqCtx, Level, SimContext } from '../context';
import type { Undoable } from '../placement';
import type { Hop } from '../types';
import type { Failer } from './endpoint';

/** AMD-Vi per-device table: MAX_IRQS_PER_TABLE_512 (drivers/iommu/amd/amd_iommu_types.h). */
export const AMD_IRTE_ENTRIES = 512;

export interface AmdTable {
  table: LowestFree;
  owner: Int32Array;
  unit: Domain;
}

export class AmdRemapLevel implements Level, Undoable {
  private readonly id: number;
  private readonly keys: number[] = [];
  /** by owner key: unit index * 2^21 + (IO-APIC/HPET domain: 2^20 + its index; a device: its index) */
  readonly tables = new Map<number, AmdTable>();
  private readonly blockBase = new Map<number, number>();

  constructor(
    private readonly s: SimContext,
    private readonly f: Failer,
  ) {
    this.id = s.log.register(this);
  }

  undo(op: number, key: number, i: number): void {
    if (op === 0) this.tables.get(this.keys[key])!.table.release(i);
  }

  /** The table key of an interrupt: the IO-APIC or HPET it comes through, else its device. */
  keyOf(unit: Domain, ep: Domain, dev: number): number {
    const own = ep.kind === 'ioapic' || ep.kind === 'hpet' ? 2 ** 20 + ep.index : dev;
    return unit.index * 2 ** 21 + own;
  }

  ownerName(ep: Domain, dev: number): string {
    return ep.kind === 'ioapic' || ep.kind === 'hpet' ? ep.name : this.s.m.devices.name[dev];
  }

  alloc(ctx: IrqCtx, d: Domain, pos: number): boolean {
    const s = this.s;
    const key = this.keyOf(d, ctx.ep, ctx.dev);
    const entries = d.entries ?? AMD_IRTE_ENTRIES;
    let t = this.tables.get(key);
    if (!t)
      this.tables.set(key, (t = { table: new LowestFree(entries), owner: new Int32Array(entries), unit: d }));
    let idx: number;
    if (ctx.blockSize > 1) {
      let base = this.blockBase.get(key);
      if (base === undefined) {
        base = t.table.lowestBlock(ctx.blockSize);
        if (base < 0) return this.full(ctx, d, entries);
        t.table.take(base, ctx.blockSize);
        this.blockBase.set(key, base);
      }
      idx = base + ctx.blockIndex;
    } else {
      idx = t.table.lowest();
      if (idx < 0) return this.full(ctx, d, entries);
      t.table.take(idx);
      let ki = this.keys.indexOf(key);
      if (ki < 0) ki = this.keys.push(key) - 1;
      s.log.push(this.id, 0, ki, idx);
    }
    s.placement.irte[ctx.k] = idx;
    ctx.done.push(pos);
    return true;
  }

  commit(k: number, d: Domain, ep: Domain, dev: number): void {
    const i = this.s.placement.irte[k];
    const t = this.tables.get(this.keyOf(d, ep, dev));
    if (t && i >= 0) t.owner[i] = k + 1;
  }

  private full(ctx: IrqCtx, d: Domain, entries: number): false {
    return this.f.fail(
      ctx,
      'irte-exhausted',
      `${this.s.irqName(ctx.k)} finds no free entry in ${this.ownerName(ctx.ep, ctx.dev)}'s AMD-Vi remap table under '${d.name}' (${entries} entries per device, MAX_IRQS_PER_TABLE_512 unless the IOMMU advertises 2K): the kernel fails the allocation (drivers/iommu/amd/iommu.c alloc_irq_index). Request fewer interrupts, or set \`entries 2048\` if the IOMMU supports 2K tables`,
      true,
      [{ file: d.file, start: d.nameStart, end: d.nameEnd, message: `'${d.name}'` }],
    );
  }

  hop(k: number, d: Domain): Hop {
    const m = this.s.m;
    const g = groupOfIrq(m, k);
    const ep = m.domains[m.groups.domain[g]];
    const i = this.s.placement.irte[k];
    return {
      domain: d.name,
      hwirq: i,
      resource: `remap table entry ${i} of ${this.ownerName(ep, m.groups.device[g])}`,
    };
  }
}
