// x86: an Intel VT-d interrupt-remapping unit's level: one IRTE table per unit (alloc_irte,
// drivers/iommu/intel/irq_remapping.c): the lowest free naturally aligned block (one entry, or a
// power of two for multi-MSI: handle + subhandle). Observed indexes (`irte N`) are placed first.

import { Src, apicModeOf, groupOfIrq, type Domain } from '../../model';
import { apicDest } from '../messages';
import { LowestFree, Owners } from '../alloc';
import type { IrqCtx, Level, SimContext } from '../context';
import { PF, type Undoable } from '../placement';
import type { Hop } from '../types';
import type { Failer } from './endpoint';

/** Intel VT-d: INTR_REMAP_TABLE_ENTRIES (drivers/iommu/intel/iommu.h). */
export const INTEL_IRTE_ENTRIES = 65536;

export interface IrteTable {
  table: LowestFree;
  /** IRTE -> interrupt + 1 (0 free) */
  owner: Owners;
}

export class IntelRemapLevel implements Level, Undoable {
  private readonly id: number;
  readonly tables: (IrteTable | undefined)[] = [];
  /** per device: the base of its multi-MSI block, once allocated */
  private readonly blockBase = new Map<number, number>();
  /** observed indexes, by interrupt (placed before anything is allocated) */
  private readonly pinned = new Map<number, number>();

  constructor(
    private readonly s: SimContext,
    private readonly f: Failer,
  ) {
    this.id = s.log.register(this);
  }

  undo(op: number, unit: number, i: number): void {
    if (op === 0) this.tables[unit]!.table.release(i);
  }

  tableOf(d: Domain): IrteTable {
    let t = this.tables[d.index];
    if (!t) {
      const entries = d.entries ?? INTEL_IRTE_ENTRIES;
      t = this.tables[d.index] = { table: new LowestFree(entries), owner: new Owners() };
    }
    return t;
  }

  /** An observed index: taken now, so that no allocation in the boot order takes it. */
  pin(k: number, d: Domain, index: number): string | undefined {
    const t = this.tableOf(d);
    if (index >= t.table.size) return `IRTE ${index} is beyond '${d.name}' (${t.table.size} entries)`;
    if (t.table.has(index)) return `IRTE ${index} of '${d.name}' is observed on two interrupts`;
    t.table.take(index);
    this.pinned.set(k, index);
    return undefined;
  }

  alloc(ctx: IrqCtx, d: Domain, pos: number): boolean {
    const s = this.s;
    const P = s.placement;
    const k = ctx.k;
    const t = this.tableOf(d);
    let handle: number;
    let sub = 0;
    const pin = this.pinned.get(k);
    if (pin !== undefined) {
      handle = pin;
      P.flags[k] |= PF.PinnedIrte;
    } else if (ctx.blockSize > 1) {
      let base = this.blockBase.get(ctx.dev);
      if (base === undefined) {
        // alloc_irte: count rounded up to a power of two, an aligned region (bitmap_find_free_region)
        base = t.table.lowestBlock(ctx.blockSize);
        if (base < 0) return this.full(ctx, d, ctx.blockSize);
        t.table.take(base, ctx.blockSize);
        this.blockBase.set(ctx.dev, base);
      }
      handle = base;
      sub = ctx.blockIndex;
    } else {
      handle = t.table.lowest();
      if (handle < 0) return this.full(ctx, d, 1);
      t.table.take(handle);
      s.log.push(this.id, 0, d.index, handle);
    }
    P.irte[k] = handle + sub;
    P.handle[k] = handle;
    ctx.did(pos);
    return true;
  }

  commit(k: number, d: Domain): void {
    const i = this.s.placement.irte[k];
    if (i >= 0) this.tableOf(d).owner.set(i, k + 1);
  }

  /** Frees interrupt k's IRTE (a multi-MSI block goes with its last member). */
  free(k: number, d: Domain, dev: number): void {
    const P = this.s.placement;
    const t = this.tables[d.index];
    const i = P.irte[k];
    if (!t || i < 0) return;
    if (t.owner.get(i) === k + 1) t.owner.set(i, 0);
    const base = this.blockBase.get(dev);
    if (base !== undefined && P.handle[k] === base && P.epInfo[k] > 1) {
      // the block stays until every member is freed: free it with the block's first member
      if (i === base) {
        t.table.release(base, P.epInfo[k]);
        this.blockBase.delete(dev);
      }
      return;
    }
    t.table.release(i);
  }

  private full(ctx: IrqCtx, d: Domain, n: number): false {
    const entries = d.entries ?? INTEL_IRTE_ENTRIES;
    const k = ctx.k;
    // (messages are made when read: 2^20 failing interrupts would keep 2^20 strings)
    return this.f.fail(
      ctx,
      'irte-exhausted',
      () =>
        `${this.s.irqName(k)} finds no ${n > 1 ? `aligned block of ${n} free IRTEs` : 'free IRTE'} in '${d.name}', whose remap table has ${entries} entries: "IR%d: can't allocate an IRTE" (drivers/iommu/intel/irq_remapping.c). Each IR unit owns one table (INTR_REMAP_TABLE_ENTRIES = 65536); spread the devices over the units' scopes, or request fewer interrupts`,
      true,
      [
        {
          ...(d.propSite('entries') ?? { file: d.file, start: d.nameStart, end: d.nameEnd }),
          message: `'${d.name}' has ${entries} IRTEs`,
        },
      ],
    );
  }

  hop(k: number, d: Domain): Hop {
    const P = this.s.placement;
    const h = P.handle[k];
    const i = P.irte[k];
    const block = P.epInfo[k] > 1 && this.s.m.groups.source[groupOfIrq(this.s.m, k)] === Src.Msi;
    const observed = P.flags[k] & PF.PinnedIrte ? ' (observed)' : '';
    // the entry's destination: the APIC driver's calc_dest_apicid() (x2APIC cluster: a logical ID)
    const m = this.s.m;
    const mode = apicModeOf(m);
    const dest =
      mode === 'x2apic-cluster' && P.cpu[k] >= 0
        ? `, dest 0x${apicDest(mode, P.cpu[k], m.apicIds.get(P.cpu[k]) ?? P.cpu[k])
            .dest.toString(16)
            .padStart(8, '0')} logical`
        : '';
    return {
      domain: d.name,
      hwirq: i,
      resource: block
        ? `IRTE ${i} (handle ${h}, subhandle ${i - h}${dest})${observed}`
        : `IRTE ${i}${dest ? ` (${dest.slice(2)})` : ''}${observed}`,
    };
  }
}
