// x86: an AMD-Vi interrupt-remapping unit's level: a remap table per device ID (an IO-APIC and an
// HPET have their own), irq_remapping_alloc() in drivers/iommu/amd/iommu.c: an IO-APIC pin takes
// the index of its pin (indexes 0-31 of an IO-APIC's table are kept for pins); an MSI or MSI-X
// interrupt the lowest free index (a multi-MSI block aligned to its size). 256 entries per table
// before 5.10, 512 after, 2048 with the 2K feature. docs/kernel-placement.md section 5.

import { groupOfIrq, type Domain } from '../../model';
import { LowestFree } from '../alloc';
import type { IrqCtx, Level, SimContext } from '../context';
import type { SimEra } from '../era';
import { PF, type Undoable } from '../placement';
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
  private readonly pinned = new Map<number, number>();

  constructor(
    private readonly s: SimContext,
    private readonly f: Failer,
    private readonly era: SimEra,
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

  /** 6.15+ with the 2K-entry tables: the message carries the destination-mode bit (0xfee00004). */
  dmBit(d: Domain): boolean {
    return this.era.amd2kAddress && this.entries(d) >= 2048;
  }

  entries(d: Domain): number {
    return d.entries ?? this.era.amdEntries;
  }

  private tableOf(d: Domain, key: number, ioapic: boolean): AmdTable {
    let t = this.tables.get(key);
    if (!t) {
      const n = this.entries(d);
      t = { table: new LowestFree(n), owner: new Int32Array(n), unit: d };
      // "Keep the first 32 indexes free for IOAPIC interrupts"
      if (ioapic) t.table.take(0, Math.min(32, n));
      this.tables.set(key, t);
    }
    return t;
  }

  /** An observed index (an import on 6.15+: msg_data), taken before anything is allocated. */
  pin(k: number, d: Domain, ep: Domain, dev: number, index: number): string | undefined {
    const t = this.tableOf(d, this.keyOf(d, ep, dev), ep.kind === 'ioapic');
    if (index >= t.table.size)
      return `index ${index} is beyond ${this.ownerName(ep, dev)}'s table under '${d.name}' (${t.table.size} entries)`;
    if (t.table.has(index) && ep.kind !== 'ioapic')
      return `index ${index} of ${this.ownerName(ep, dev)}'s table is observed on two interrupts`;
    t.table.take(index);
    this.pinned.set(k, index);
    return undefined;
  }

  alloc(ctx: IrqCtx, d: Domain, pos: number): boolean {
    const s = this.s;
    const P = s.placement;
    const ep = ctx.ep;
    const key = this.keyOf(d, ep, ctx.dev);
    const t = this.tableOf(d, key, ep.kind === 'ioapic');
    const pin = this.pinned.get(ctx.k);
    let idx: number;
    if (pin !== undefined) {
      idx = pin;
      P.flags[ctx.k] |= PF.PinnedIrte;
    } else if (ep.kind === 'ioapic') {
      // irq_remapping_alloc: an IO-APIC entry's index is its pin
      idx = P.epHwirq[ctx.k];
      if (idx < 0 || idx >= t.table.size) return this.full(ctx, d, t.table.size);
      t.table.take(idx);
    } else if (ctx.blockSize > 1) {
      let base = this.blockBase.get(key);
      if (base === undefined) {
        base = t.table.lowestBlock(ctx.blockSize);
        if (base < 0) return this.full(ctx, d, t.table.size);
        t.table.take(base, ctx.blockSize);
        this.blockBase.set(key, base);
      }
      idx = base + ctx.blockIndex;
    } else {
      idx = t.table.lowest();
      if (idx < 0) return this.full(ctx, d, t.table.size);
      t.table.take(idx);
      let ki = this.keys.indexOf(key);
      if (ki < 0) ki = this.keys.push(key) - 1;
      s.log.push(this.id, 0, ki, idx);
    }
    P.irte[ctx.k] = idx;
    ctx.did(pos);
    return true;
  }

  commit(k: number, d: Domain, ep: Domain, dev: number): void {
    const i = this.s.placement.irte[k];
    const t = this.tables.get(this.keyOf(d, ep, dev));
    if (t && i >= 0) t.owner[i] = k + 1;
  }

  free(k: number, d: Domain, ep: Domain, dev: number): void {
    const P = this.s.placement;
    const key = this.keyOf(d, ep, dev);
    const t = this.tables.get(key);
    const i = P.irte[k];
    if (!t || i < 0) return;
    if (t.owner[i] === k + 1) t.owner[i] = 0;
    const base = this.blockBase.get(key);
    if (base !== undefined && P.epInfo[k] > 1) {
      if (i === base) {
        t.table.release(base, P.epInfo[k]);
        this.blockBase.delete(key);
      }
      return;
    }
    if (ep.kind === 'ioapic' && i < 32) return; // the pin indexes stay kept
    t.table.release(i);
  }

  private full(ctx: IrqCtx, d: Domain, entries: number): false {
    const { k, ep, dev } = ctx;
    return this.f.fail(
      ctx,
      'irte-exhausted',
      () =>
        `${this.s.irqName(k)} finds no free entry in ${this.ownerName(ep, dev)}'s AMD-Vi remap table under '${d.name}' (${entries} entries per device: 256 before 5.10, 512 after, 2048 when the IOMMU advertises 2K): "AMD-Vi: Failed to allocate IRTE" (drivers/iommu/amd/iommu.c). Request fewer interrupts, or set \`entries 2048\` if the IOMMU supports 2K tables`,
      true,
      [{ file: d.file, start: d.nameStart, end: d.nameEnd, message: `'${d.name}'` }],
    );
  }

  hop(k: number, d: Domain): Hop {
    const m = this.s.m;
    const g = groupOfIrq(m, k);
    const ep = m.domains[m.groups.domain[g]];
    const i = this.s.placement.irte[k];
    const observed = this.s.placement.flags[k] & PF.PinnedIrte ? ' (observed)' : '';
    return {
      domain: d.name,
      hwirq: i,
      resource: `remap table entry ${i} of ${this.ownerName(ep, m.groups.device[g])}${observed}`,
    };
  }
}
