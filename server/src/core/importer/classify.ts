// Per interrupt: its endpoint domain, source kind (msix / msi / pin), index and PCI address, from its
// debugfs chain, its /proc/interrupts row, or /sys/kernel/irq/<n>; and the interrupt-remapping unit
// and IO-APIC to use when the dumps show them without naming them.

import { at, type Ctx, type Intr } from './context';
import { canonicalDomain, classifyDomain, fwnodeToken } from './names';
import type { ProcRow } from './types';
import { decodeGlobalMsiHwirq, formatBdf, parseBdf } from './util';

/** The interrupt-remapping unit to use when a dump shows IR but not the unit's name. */
export function decideRemap(ctx: Ctx, intrs: Intr[]): void {
  if (ctx.arch !== 'x86') return;
  const units = [...ctx.doms.keys()].filter((n) => classifyDomain(n)?.kind === 'remap');
  const chips = intrs.map((i) => chipOf(i) ?? '');
  const actions = intrs.flatMap((i) => i.actions);
  const iommuUnits = [...ctx.machine.iommu.keys()];
  const hasIR = units.length > 0 || chips.some((c) => /^(?:v?IR-)/.test(c));
  const intel =
    units.some((u) => u.startsWith('INTEL')) ||
    chips.some((c) => /^DMAR[-_]MSI/.test(c)) ||
    ctx.doms.has('DMAR-MSI') ||
    iommuUnits.some((u) => /^dmar\d+$/.test(u));
  const amd =
    units.some((u) => u.startsWith('AMD')) ||
    chips.some((c) => c === 'IOMMU-MSI') ||
    actions.some((a) => /^AMD-Vi/.test(a)) ||
    iommuUnits.some((u) => /^ivhd\d+$/.test(u));
  ctx.vendor = intel && !amd ? 'intel' : amd && !intel ? 'amd' : undefined;
  if (!hasIR) return;
  if (units.length > 0) {
    ctx.remapName = units.sort()[0];
    return;
  }
  ctx.remapName = ctx.vendor === 'intel' ? 'INTEL-IR-0' : ctx.vendor === 'amd' ? 'AMD-IR-0' : 'IR-0';
  const src = intrs.find((i) => /^v?IR-/.test(chipOf(i) ?? ''))?.proc?.src;
  ctx.inferred.push(
    `${ctx.remapName}: the chips' IR- prefix (${at(src)}) shows interrupt remapping; /proc/interrupts does not name the unit, so one unit is assumed${ctx.vendor ? ` (${ctx.vendor}: ${ctx.vendor === 'intel' ? 'a DMAR-MSI interrupt or domain, or a dmar unit in /sys/class/iommu' : 'an AMD-Vi / IOMMU-MSI interrupt, or an ivhd unit in /sys/class/iommu'})` : ' (vendor unknown)'}`,
  );
}

/** The chip of an interrupt as /proc/interrupts or /sys/kernel/irq/<n>/chip_name prints it. */
export function chipOf(i: Intr): string | undefined {
  return i.proc?.chip;
}

export function ioapicName(ctx: Ctx): string {
  const named = [...ctx.doms.keys()].filter((n) => /^IO-APIC-\d+$/.test(n));
  if (named.length === 1) return named[0];
  if (named.length === 0 && ctx.ioapicFromLog) return ctx.ioapicFromLog.name;
  if (!ctx.ioapicNoted) {
    ctx.ioapicNoted = true;
    ctx.inferred.push(
      named.length === 0
        ? 'IO-APIC: one IO-APIC assumed, named IO-APIC; /proc/interrupts gives neither its id nor how many there are (debugfs domains/IO-APIC-<id> does, and so does the kernel log line IOAPIC[n]: apic_id)'
        : `IO-APIC: the dumps name ${named.join(', ')} but /proc/interrupts does not say which one each pin is on; the pins are written on one domain named IO-APIC`,
    );
  }
  return 'IO-APIC';
}

/** The global ITS PCI/MSI domains debugfs names (`...its@X-3`), or none. */
function itsGlobalDomains(ctx: Ctx): string[] {
  return [...ctx.doms.entries()]
    .filter(([n, d]) => {
      const c = classifyDomain(n, d.chip);
      return c?.kind === 'pci-msi' && c.global && (d.chip === 'ITS-MSI' || fwnodeToken(n)?.token === 3);
    })
    .map(([n]) => n);
}

/** The endpoint domain of a /proc/interrupts row (or /sys/kernel/irq chip). */
export function procEndpoint(ctx: Ctx, r: Pick<ProcRow, 'chip' | 'legacyForm'>): string | undefined {
  const c = r.chip ?? '';
  if (/^(?:vIR-|IR-|ITS-)?PCI-MSIX?-[0-9a-f]{4}:/.test(c) && !r.legacyForm) return c;
  if (c === 'PCI-MSI' || c === 'PCI-MSI-X') return ctx.arch === 'riscv' ? undefined : 'PCI-MSI';
  if (c === 'IR-PCI-MSI' || c === 'IR-PCI-MSI-X') {
    const r0 = ctx.remapName;
    if (r0 && /^(INTEL|AMD)-IR-(\d+)$/.test(r0)) return r0.replace(/-IR-/, '-IR-MSI-');
    return 'IR-PCI-MSI';
  }
  if (c === 'IO-APIC' || c === 'IR-IO-APIC') return ioapicName(ctx);
  if (c === 'DMAR-MSI' || c === 'DMAR_MSI') return 'DMAR-MSI';
  if (c === 'IOMMU-MSI') return 'IOMMU-MSI';
  if (/^(?:IR-)?HPET[-_]MSI$/.test(c)) return 'HPET-MSI';
  if (c === 'ITS-MSI') {
    const g = itsGlobalDomains(ctx);
    return g.length >= 1 ? g.sort()[0] : 'ITS-MSI';
  }
  if (c === 'ITS-pMSI' || /^ITS-pMSI-/.test(c)) return c;
  if (/^APLIC-MSI-/.test(c)) return c;
  return undefined;
}

/**
 * /proc/interrupts says `ITS-MSI` for the global PCI/MSI domain of every ITS: on a machine with
 * several, an interrupt without its debugfs record goes to the ITS domain another interrupt of the
 * same device shows in debugfs; with none, to the first one, with a warning.
 */
export function settleItsDomains(ctx: Ctx, intrs: readonly Intr[]): void {
  const globals = itsGlobalDomains(ctx);
  if (globals.length < 2) return;
  const seen = new Map<string, string>();
  for (const it of intrs)
    if (it.chain && it.bdf && it.cls?.kind === 'pci-msi') seen.set(formatBdf(it.bdf), it.endpoint!);
  for (const it of intrs) {
    if (it.chain || it.proc?.chip !== 'ITS-MSI' || it.source === undefined) continue;
    const peer = it.bdf ? seen.get(formatBdf(it.bdf)) : undefined;
    if (peer) it.endpoint = peer;
    else
      ctx.problem(
        it.proc.src,
        'warning',
        `irq ${it.irq}: /proc/interrupts does not say which ITS serves it, and the dumps name ${globals.length} ITS PCI/MSI domains; ${it.endpoint} is assumed (its debugfs irqs/${it.irq} would tell)`,
      );
  }
}

/** Decides an interrupt's endpoint domain, source, index and PCI address. */
export function classify(ctx: Ctx, it: Intr): void {
  const lvls = it.dbg?.levels.filter((l) => l.domain !== '') ?? [];
  if (lvls.length > 0) it.chain = lvls.map((l) => canonicalDomain(l.domain));
  const chip0 = lvls[0]?.chip;
  const proc = it.proc;
  if (it.chain) {
    it.endpoint = it.chain[0];
    it.hwirq = lvls[0].hwirq;
  } else if (proc?.chip) {
    it.endpoint = procEndpoint(ctx, proc);
    it.hwirq = proc.hwirq;
  }
  const cls = it.endpoint ? classifyDomain(it.endpoint, chip0 ?? ctx.doms.get(it.endpoint)?.chip) : undefined;
  it.cls = cls;
  const devField = it.dbg?.device ? parseBdf(it.dbg.device) : undefined;
  if (!cls || ['vector', 'gic', 'imsic', 'remap', 'its'].includes(cls.kind)) {
    it.why = cls
      ? `its endpoint is the ${cls.kind} domain ${it.endpoint}`
      : it.endpoint
        ? `domain ${it.endpoint} is not one the importer knows`
        : 'no irq domain';
    return;
  }
  switch (cls.kind) {
    case 'pci-msi': {
      if (cls.perDevice) {
        if (it.hwirq === undefined) {
          it.why = 'its MSI-X/MSI index (the hwirq) is not in the dumps';
          return;
        }
        it.bdf = cls.perDevice.bdf;
        it.index = it.hwirq;
        it.source = cls.perDevice.msix ? 'msix' : 'msi';
        it.msixKnown = true;
      } else if (cls.global) {
        it.source = 'msi'; // MSI or MSI-X: decided per device
        const dec = it.hwirq !== undefined ? decodeGlobalMsiHwirq(it.hwirq) : undefined;
        if (dec) {
          it.bdf = dec.bdf;
          it.index = dec.index;
          if (devField && formatBdf(devField) !== formatBdf(dec.bdf))
            ctx.problem(
              it.dbg?.src,
              'warning',
              `irq ${it.irq}: the hwirq 0x${it.hwirq!.toString(16)} decodes to ${formatBdf(dec.bdf)} but the device is ${it.dbg?.device}`,
            );
        }
        if (devField) it.bdf = devField;
      }
      break;
    }
    case 'ioapic':
      it.source = 'pin';
      if (it.hwirq !== undefined) it.index = it.hwirq;
      else if (it.irq !== undefined && proc?.legacyForm) {
        it.index = it.irq;
        it.pinAssumed = true;
      } else {
        it.source = undefined;
        it.why = 'its IO-APIC pin (the hwirq) is not in the dumps';
        return;
      }
      if (devField) it.bdf = devField;
      break;
    default:
      it.source = 'msi';
      it.index = it.hwirq;
      if (devField) it.bdf = devField;
  }
}
