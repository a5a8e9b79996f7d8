// The endpoint level: the device-level domain an interrupt starts in. PCI/MSI-X table entries,
// MSI blocks, IMS slots, NTB window entries, IO-APIC pins, and an index per other message domain
// (HPET channels, DMAR, platform-MSI, APLIC).

import type { RelatedFinding } from '../../diagnostics';
import {
  Src,
  groupOfIrq as groupOf,
  groupsOfDevice as groupsOf,
  multiMsiSupported,
  singleMsiKind,
  sourceSite,
  statementSite,
  type Domain,
  type Site,
} from '../../model';
import { LowestFree, OpenLowestFree, Owners, TableLowestFree, roundUpPow2 } from '../alloc';
import type { IrqCtx, Level, SimContext } from '../context';
import { PF } from '../placement';
import type { Undoable } from '../placement';
import type { Hop } from '../types';

export interface Failer {
  fail(
    ctx: IrqCtx,
    code: string,
    message: string | (() => string),
    report?: boolean,
    related?: RelatedFinding[],
    site?: Site,
  ): false;
}

const enum Op {
  Msix,
  MsiBlock,
  Ims,
  Ntb,
  Pin,
  Index,
}

interface MsiBlock {
  size: number;
  next: number;
  multi: boolean;
  /** the vectors the MSI capability offers (msi N) */
  cap: number;
}

export class EndpointLevel implements Level, Undoable {
  private readonly id: number;
  private readonly msix: (TableLowestFree | undefined)[] = [];
  /** per device: MSI-X entry -> the interrupt holding it + 1 (a conflict names its holder without a scan) */
  private readonly msixHolder: (Owners | undefined)[] = [];
  private readonly msiBlocks: (MsiBlock | undefined)[] = [];
  /** per domain index */
  private readonly ims: (LowestFree | OpenLowestFree | undefined)[] = [];
  private readonly ntbIdx: (OpenLowestFree | undefined)[] = [];
  private readonly ntbWin = new Map<number, number>();
  readonly pins: (Map<number, number> | undefined)[] = [];
  private readonly msgIdx: (OpenLowestFree | undefined)[] = [];

  constructor(
    private readonly s: SimContext,
    private readonly f: Failer,
  ) {
    this.id = s.log.register(this);
  }

  undo(op: number, a: number, b: number): void {
    switch (op as Op) {
      case Op.Msix:
        this.msix[a]!.release(b);
        this.msixHolder[a]?.set(b, 0);
        break;
      case Op.MsiBlock:
        this.msiBlocks[a]!.next--;
        break;
      case Op.Ims:
        this.ims[a]!.release(b);
        break;
      case Op.Ntb: {
        this.ntbIdx[a]!.release(b);
        break;
      }
      case Op.Pin:
        this.pins[a]!.delete(b);
        break;
      case Op.Index:
        this.msgIdx[a]!.release(b);
        break;
    }
  }

  /** Frees what interrupt k holds at the endpoint (release, shutdown). */
  free(k: number, d: Domain, g: number): void {
    const m = this.s.m;
    const P = this.s.placement;
    const h = P.epHwirq[k];
    if (h < 0) return;
    const dev = m.groups.device[g];
    const src = m.groups.source[g] as Src;
    switch (d.kind) {
      case 'pci-msi':
        if (src === Src.Msi) {
          const b = this.msiBlocks[dev];
          if (b && --b.next <= 0) this.msiBlocks[dev] = undefined; // the next batch sizes its block anew
        } else {
          this.msix[dev]?.release(h);
          if (this.msixHolder[dev]?.get(h) === k + 1) this.msixHolder[dev].set(h, 0);
        }
        return;
      case 'ims':
        this.ims[d.index]?.release(h);
        return;
      case 'ntb':
        this.ntbIdx[d.index]?.release(h);
        return;
      case 'ioapic':
        if (this.pins[d.index]?.get(h) === k) this.pins[d.index]!.delete(h);
        return;
      default:
        this.msgIdx[d.index]?.release(h);
    }
  }

  /** The MSI block of a device, if it has MSI interrupts (its size and multi-MSI support). */
  block(dev: number): MsiBlock | undefined {
    return this.msiBlocks[dev];
  }

  pinCount(d: Domain): number {
    return this.pins[d.index]?.size ?? 0;
  }

  alloc(ctx: IrqCtx, d: Domain): boolean {
    const s = this.s;
    const m = s.m;
    const G = m.groups;
    const P = s.placement;
    const k = ctx.k;
    const src = G.source[ctx.g] as Src;
    const took = (hwirq: number) => {
      P.epHwirq[k] = hwirq;
      ctx.did(0);
    };
    switch (d.kind) {
      case 'pci-msi':
        if (src === Src.Msi) return this.msiEntry(ctx, d);
        if (src === Src.Msix || src === Src.Virtual || src === Src.Window) return this.msixEntry(ctx);
        break;
      case 'ims': {
        let t = this.ims[d.index];
        if (!t)
          this.ims[d.index] = t = d.slots !== undefined ? new LowestFree(d.slots) : new OpenLowestFree();
        const slot = t.lowest();
        if (slot < 0)
          return this.f.fail(
            ctx,
            'ims-slots-exhausted',
            () =>
              `${s.irqName(k)} finds no free slot: the IMS domain '${d.name}' has ${d.slots} slot${d.slots === 1 ? '' : 's'} (0..${d.slots! - 1}), all taken. Slot allocation is the IMS domain's own (pci_create_ims_domain, 6.2-6.9): raise \`slots\` to the device's IMS size, or request fewer interrupts`,
            true,
            [
              {
                ...(d.propSite('slots') ?? { file: d.file, start: d.nameStart, end: d.nameEnd }),
                message: `'${d.name}' has ${d.slots} slots`,
              },
            ],
          );
        t.take(slot);
        s.log.push(this.id, Op.Ims, d.index, slot);
        took(slot);
        return true;
      }
      case 'ntb': {
        const dev = ctx.dev;
        const D = m.devices;
        const w = src === Src.Window ? Math.max(0, G.sourceArg[ctx.g]) : 0;
        if (src === Src.Window && D.windows[dev] >= 0 && w >= D.windows[dev]) {
          const file = m.files[D.file[dev]];
          const p = D.pWindows[dev];
          const n = D.windows[dev];
          return this.f.fail(
            ctx,
            'bad-value',
            `${s.irqName(k)} uses memory window ${w}, but ${D.name[dev]} has ${n} window${n === 1 ? '' : 's'} (0..${n - 1})`,
            true,
            p >= 0
              ? [
                  {
                    file,
                    start: file.tree.pStart[p],
                    end: file.tree.pEnd(p),
                    message: `${D.name[dev]}: windows ${n}`,
                  },
                ]
              : [],
            sourceSite(m, ctx.g),
          );
        }
        let t = this.ntbIdx[d.index];
        if (!t) this.ntbIdx[d.index] = t = new OpenLowestFree();
        const i = t.lowest();
        const key = d.index * 128 + w;
        const e = this.ntbWin.get(key) ?? 0;
        t.take(i);
        this.ntbWin.set(key, e + 1);
        s.log.push(this.id, Op.Ntb, d.index, i);
        P.epInfo[k] = w * 65536 + e;
        took(i);
        return true;
      }
      case 'ioapic': {
        const pin = G.sourceArg[ctx.g];
        if (pin < 0) return this.f.fail(ctx, 'missing-property', `${s.irqName(k)} names no pin`);
        if (d.pins !== undefined && pin >= d.pins)
          return this.f.fail(ctx, 'bad-value', `pin ${pin} is beyond '${d.name}' (${d.pins} pins)`);
        let t = this.pins[d.index];
        if (!t) this.pins[d.index] = t = new Map<number, number>();
        const first = t.get(pin);
        if (first !== undefined) {
          P.sharedWith.set(k, first);
          P.flags[k] |= PF.Shared;
          took(pin);
          return true;
        }
        t.set(pin, k);
        s.log.push(this.id, Op.Pin, d.index, pin);
        took(pin);
        return true;
      }
      default:
        break;
    }
    // hpet, dmar-msi, platform-msi, aplic and any other message domain: an index per domain
    let t = this.msgIdx[d.index];
    if (!t) this.msgIdx[d.index] = t = new OpenLowestFree();
    const i = t.lowest();
    t.take(i);
    s.log.push(this.id, Op.Index, d.index, i);
    took(i);
    return true;
  }

  /** The hwirq of a global (shared) PCI/MSI domain: pci_msi_domain_calc_hwirq (drivers/pci/msi/irqdomain.c). */
  pciHwirq(d: Domain, dev: number, index: number): number {
    const D = this.s.m.devices;
    if (d.implied || d.device >= 0 || D.rid[dev] < 0) return index;
    return index + D.rid[dev] * 2048 + (D.segment[dev] >>> 0) * 2 ** 27;
  }

  private msixEntry(ctx: IrqCtx): boolean {
    const s = this.s;
    const m = s.m;
    const G = m.groups;
    const dev = ctx.dev;
    const k = ctx.k;
    const src = G.source[ctx.g] as Src;
    const table = Math.max(0, m.devices.msix[dev]);
    let t = this.msix[dev];
    if (!t) this.msix[dev] = t = new TableLowestFree(table);
    let idx: number;
    if (src === Src.Msix) {
      const arg = G.sourceArg[ctx.g];
      if (arg >= 0) {
        idx = arg + (k - G.order[ctx.g]);
        if (t.has(idx)) {
          const other = (this.msixHolder[dev]?.get(idx) ?? 0) - 1;
          const name = other >= 0 ? s.irqName(other) : 'another interrupt';
          return this.f.fail(
            ctx,
            'bad-value',
            `${s.irqName(k)} asks for MSI-X entry ${idx} of ${m.devices.name[dev]}, which ${name} already holds: one table entry carries one message`,
            true,
            other >= 0
              ? [{ ...statementSite(m, groupOf(m, other)), message: `${name} holds MSI-X entry ${idx}` }]
              : [],
            sourceSite(m, ctx.g),
          );
        }
      } else idx = t.lowest();
      if (idx >= table) {
        const at = idx;
        return this.f.fail(
          ctx,
          'msix-index-range',
          () =>
            `${s.irqName(k)} would take MSI-X entry ${at}, beyond ${m.devices.name[dev]}'s ${table}-entry table`,
        );
      }
    } else {
      // PCI_IRQ_VIRTUAL: descriptors beyond the hardware table (hwsize = nvec)
      idx = t.lowest(table);
    }
    t.take(idx);
    // (entries of the table only: one past it is a virtual descriptor's, or fails msix-index-range)
    if (src === Src.Msix && idx < table) (this.msixHolder[dev] ??= new Owners()).set(idx, k + 1);
    s.log.push(this.id, Op.Msix, dev, idx);
    s.placement.epHwirq[k] = idx;
    ctx.did(0);
    return true;
  }

  private msiEntry(ctx: IrqCtx, d: Domain): boolean {
    const s = this.s;
    const m = s.m;
    const dev = ctx.dev;
    const k = ctx.k;
    let b = this.msiBlocks[dev];
    if (!b) {
      let n = 0;
      for (const g of groupsOf(m, dev)) if (m.groups.source[g] === Src.Msi) n += m.groups.size[g];
      const multi = multiMsiSupported(d) && !singleMsiKind(d.kind);
      // pci_msi_vec_count(): the capability's Multiple Message Capable bounds the block
      const D = m.devices;
      const cap = D.platform[dev] ? 32 : Math.min(D.msi[dev] < 0 ? 1 : D.msi[dev], 32);
      b = this.msiBlocks[dev] = { size: multi ? roundUpPow2(Math.min(n, cap)) : 1, next: 0, multi, cap };
    }
    const i = b.next;
    const name = m.devices.name[dev];
    if (i >= b.size)
      return b.multi
        ? this.f.fail(
            ctx,
            'msi-count',
            b.cap < 32
              ? `${s.irqName(k)} is MSI vector ${i}, but ${name}'s MSI capability offers ${b.cap} (msi ${b.cap}): the kernel cannot grant more (pci_msi_vec_count, drivers/pci/msi/msi.c)`
              : `${s.irqName(k)} is MSI vector ${i}: the MSI capability encodes at most 32`,
          )
        : this.f.fail(
            ctx,
            'multi-msi-unsupported',
            `${s.irqName(k)} is MSI vector ${i} of ${name}, but the parent has no multi-MSI: the kernel grants a single vector (msi_capability_init returns 1)`,
          );
    b.next++;
    s.log.push(this.id, Op.MsiBlock, dev, 0);
    ctx.blockSize = b.size;
    ctx.blockIndex = i;
    s.placement.epHwirq[k] = i;
    s.placement.epInfo[k] = b.size;
    ctx.did(0);
    return true;
  }

  hop(k: number, d: Domain): Hop {
    const s = this.s;
    const m = s.m;
    const P = s.placement;
    const h = P.epHwirq[k];
    const g = groupOf(m, k);
    const src = m.groups.source[g] as Src;
    const dev = m.groups.device[g];
    switch (d.kind) {
      case 'pci-msi':
        if (src === Src.Msi) {
          const size = P.epInfo[k];
          return {
            domain: d.name,
            hwirq: this.pciHwirq(d, dev, h),
            resource: size > 1 ? `MSI vector ${h} of an aligned block of ${size}` : 'MSI vector 0',
          };
        }
        return {
          domain: d.name,
          hwirq: this.pciHwirq(d, dev, h),
          resource:
            src === Src.Msix
              ? `MSI-X entry ${h}`
              : `virtual MSI-X entry ${h} (beyond the ${Math.max(0, m.devices.msix[dev])}-entry table)`,
        };
      case 'ims':
        return { domain: d.name, hwirq: h, resource: `IMS slot ${h}` };
      case 'ntb': {
        const info = P.epInfo[k];
        return {
          domain: d.name,
          hwirq: h,
          resource: `window ${Math.floor(info / 65536)} entry ${info % 65536}`,
        };
      }
      case 'ioapic': {
        const shared = P.sharedWith.get(k);
        return {
          domain: d.name,
          hwirq: h,
          resource: shared !== undefined ? `pin ${h} (shared with ${s.irqName(shared)})` : `pin ${h}`,
        };
      }
      default:
        return { domain: d.name, hwirq: h, resource: `${d.kind === 'hpet' ? 'HPET channel' : 'index'} ${h}` };
    }
  }
}
