// arm64: a GICv3 ITS's level: per device (DeviceID = requester ID) an event space (ITT) sized once
// when the device is first set up, and a contiguous block of LPIs (its_lpi_alloc).

import { Src, eraAtLeast, groupOfIrq, groupPropSite, statementSite, type Domain } from '../../model';
import { LowestFree, roundUpPow2 } from '../alloc';
import type { IrqCtx, Level, SimContext } from '../context';
import type { Undoable } from '../placement';
import type { Hop } from '../types';
import type { Failer } from './endpoint';

/** GICv3 LPIs: INTIDs from 8192; Linux caps the ID bits at 16 (ITS_MAX_LPI_NRBITS). */
export const FIRST_LPI = 8192;
export const LPI_LIMIT = 1 << 16;
/** Minimum ITS event space (ITT) for DeviceID 0 and platform devices (its_pci_msi_prepare, its_pmsi_prepare). */
export const MIN_ITS_EVENTS = 32;

export interface ItsDevice {
  its: Domain;
  size: number;
  events: LowestFree;
  lpiBase: number;
  owner: Int32Array;
  deviceId: number;
}

const hex = (n: number) => '0x' + n.toString(16);

export class ItsLevel implements Level, Undoable {
  private readonly id: number;
  /** by its index * 2^21 + device */
  readonly devices = new Map<number, ItsDevice>();
  private readonly lpiTaken = new Uint8Array(LPI_LIMIT);
  private lpiNext = FIRST_LPI;
  private readonly pinnedLpis = new Map<number, number>();
  private readonly blockBase = new Map<number, number>();
  private readonly undoKeys: number[] = [];

  constructor(
    private readonly s: SimContext,
    private readonly f: Failer,
  ) {
    this.id = s.log.register(this);
    // pinned LPIs are observed: no device's LPI range may take them
    const G = s.m.groups;
    for (let g = 0; g < G.count; g++) if (G.lpi[g] >= 0 && G.lpi[g] < LPI_LIMIT) this.lpiTaken[G.lpi[g]] = 1;
  }

  undo(op: number, a: number, b: number): void {
    if (op === 0) this.devices.get(this.undoKeys[a])!.events.release(b);
    else this.pinnedLpis.delete(a);
  }

  deviceOf(its: Domain, dev: number): ItsDevice | undefined {
    return this.devices.get(its.index * 2 ** 21 + dev);
  }

  alloc(ctx: IrqCtx, d: Domain, pos: number): boolean {
    const s = this.s;
    const m = s.m;
    const G = m.groups;
    const D = m.devices;
    const dev = ctx.dev;
    const k = ctx.k;
    const key = d.index * 2 ** 21 + dev;
    let t = this.devices.get(key);
    if (!t) {
      // The event space (ITT) is a power of two, sized once, when the first allocation creates the ITS
      // device (its_msi_prepare -> its_create_device); later allocations for the same DeviceID reuse it
      // and fail beyond it. That first allocation is the device's first batch (one
      // pci_alloc_irq_vectors() -> msi_domain_alloc_irqs(nvec) call: its `irq` statements up to a
      // `release`); msi_domain_prepare_irqs() passes its nvec to its_pci_msi_prepare().
      // its_pci_msi_prepare (drivers/irqchip/irq-gic-v3-its-msi-parent.c, the per-device domains of
      // 6.11+) takes nvec = max(nvec, the domain's hwsize): the MSI-X table size (a per-device MSI
      // domain has hwsize 1); before 6.11 the global ITS PCI/MSI domain used nvec alone. The minimum is
      // 32 only for DeviceID 0 ("broken systems where the DevID is not wired") and for platform devices
      // (its_pmsi_prepare: "Allocate at least 32 MSIs"); other PCI devices get roundup_pow_of_two(nvec).
      const src = G.source[ctx.g] as Src;
      const perDeviceEra = eraAtLeast(m, 6, 11);
      const hwsize = perDeviceEra && (src === Src.Msix || src === Src.Virtual) ? Math.max(0, D.msix[dev]) : 0;
      // (a PCI device's MSI statements are one batch, so a multi-MSI block is counted whole)
      const requests = ctx.batch;
      const deviceId = D.rid[dev] >= 0 ? D.rid[dev] : 0;
      const min = deviceId === 0 || D.platform[dev] ? MIN_ITS_EVENTS : 1;
      const size = Math.max(min, roundUpPow2(Math.max(hwsize, requests, 1)));
      // its_lpi_alloc: a contiguous LPI range for the whole event space, lowest first from 8192
      const base = this.lpiRange(size);
      if (base < 0)
        return this.f.fail(
          ctx,
          'its-events-exhausted',
          `${s.irqName(k)}: no range of ${size} free LPIs is left for ${D.name[dev]} (LPIs run from 8192; Linux caps the LPI ID bits at 16, ITS_MAX_LPI_NRBITS, so 8192..65535)`,
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
      this.devices.set(key, t);
    }
    let ev: number;
    if (ctx.blockSize > 1) {
      let base = this.blockBase.get(key);
      if (base === undefined) {
        base = t.events.lowestBlock(ctx.blockSize);
        if (base < 0) return this.full(ctx, d, t);
        t.events.take(base, ctx.blockSize);
        this.blockBase.set(key, base);
      }
      ev = base + ctx.blockIndex;
    } else {
      ev = t.events.lowest();
      if (ev < 0) return this.full(ctx, d, t);
      t.events.take(ev);
      let ki = this.undoKeys.indexOf(key);
      if (ki < 0) ki = this.undoKeys.push(key) - 1;
      s.log.push(this.id, 0, ki, ev);
    }
    let lpi = t.lpiBase + ev;
    const pin = G.lpi[ctx.g];
    if (pin >= 0) {
      lpi = pin;
      const other = this.pinnedLpis.get(lpi);
      if (other !== undefined)
        return this.f.fail(
          ctx,
          'vector-conflict',
          `${s.irqName(k)} is pinned to LPI ${lpi}, which ${s.irqName(other)} is also pinned to: one LPI is one interrupt`,
          true,
          [
            {
              ...statementSite(m, groupOfIrq(m, other)),
              message: `${s.irqName(other)} is pinned to LPI ${lpi}`,
            },
          ],
          groupPropSite(m, ctx.g, 'lpi'),
        );
      this.pinnedLpis.set(lpi, k);
      s.log.push(this.id, 1, lpi, 0);
    }
    s.placement.event[k] = ev;
    s.placement.lpi[k] = lpi;
    ctx.did(pos);
    return true;
  }

  /** Frees interrupt k's event; the device's last event frees its LPI range too (its_free_device). */
  free(k: number, its: Domain, dev: number): void {
    const P = this.s.placement;
    const key = its.index * 2 ** 21 + dev;
    const t = this.devices.get(key);
    const ev = P.event[k];
    if (P.lpi[k] >= 0 && this.pinnedLpis.get(P.lpi[k]) === k) this.pinnedLpis.delete(P.lpi[k]);
    if (!t || ev < 0) return;
    if (t.owner[ev] === k + 1) t.owner[ev] = 0;
    t.events.release(ev);
    if (t.events.count === 0) {
      this.lpiTaken.fill(0, t.lpiBase, t.lpiBase + t.size);
      if (t.lpiBase < this.lpiNext) this.lpiNext = t.lpiBase;
      this.devices.delete(key);
      this.blockBase.delete(key);
    }
  }

  commit(k: number, its: Domain, dev: number): void {
    const t = this.deviceOf(its, dev);
    const ev = this.s.placement.event[k];
    if (t && ev >= 0) t.owner[ev] = k + 1;
  }

  private full(ctx: IrqCtx, d: Domain, t: ItsDevice): false {
    const { k, dev } = ctx;
    const size = t.size;
    return this.f.fail(
      ctx,
      'its-events-exhausted',
      () =>
        `${this.s.irqName(k)} finds no free event ID: ${this.s.m.devices.name[dev]}'s event space (ITT) on '${d.name}' has ${size} events (0..${size - 1}), all taken. The ITS sizes it once, when the device is first set up (its_msi_prepare -> its_create_device, drivers/irqchip/irq-gic-v3-its.c): a power of two covering that first allocation call (from 6.11 at least the MSI-X table, its_pci_msi_prepare), at least 32 for DeviceID 0 and platform devices; a later call for the same device reuses it. Declare the table size the device really has, allocate everything in the first call, or request fewer interrupts`,
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

  hop(k: number, d: Domain): Hop {
    const P = this.s.placement;
    const m = this.s.m;
    const dev = m.groups.device[groupOfIrq(m, k)];
    const t = this.deviceOf(d, dev);
    const ev = P.event[k];
    return {
      domain: d.name,
      hwirq: ev,
      resource: `event ${ev} of device ID ${hex(t?.deviceId ?? 0)} -> LPI ${P.lpi[k]}`,
    };
  }
}
