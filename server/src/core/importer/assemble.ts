// Interrupts -> the domains, devices and `irq` statements to declare: groups the classified
// interrupts by device, names devices and interrupts after their action names, decides MSI or MSI-X
// and the message domain (implied per-device, or explicit), and declares every domain the dumps name.

import type { DomainKind } from '../kinds';
import { at, where, type Ctx, type Intr } from './context';
import { cmp } from './infer';
import {
  classifyDomain,
  deviceStem,
  fwnodeToken,
  impliedDomainName,
  irqNameFromAction,
  itsBase,
  withoutBdf,
  type DomainClass,
} from './names';
import { irqOut } from './pins';
import type { ImportedDevice, ImportedDomain, ImportedIrq, ImportedTopology } from './result';
import { formatBdf, type Bdf } from './util';

function nextPow2(n: number): number {
  let p = 1;
  while (p < n && p < 1 << 16) p *= 2;
  return p;
}

export interface Assembly {
  domains: Map<string, ImportedDomain>;
  devices: ImportedDevice[];
  irqs: ImportedIrq[];
  rootName: string;
  seenOnly: string[];
}

function rootName(ctx: Ctx): string {
  for (const [n, info] of ctx.doms) {
    const c = classifyDomain(n, info.chip);
    if (c && (c.kind === 'vector' || c.kind === 'gic' || c.kind === 'imsic')) return n;
  }
  return ctx.arch === 'x86' ? 'VECTOR' : ctx.arch === 'arm64' ? 'GICv3' : 'IMSIC';
}

function irPrefixed(intrs: readonly Intr[], name: string): boolean {
  // an IO-APIC or HPET whose interrupts the dumps show with the IR- chip prefix
  return intrs.some((i) => /^IR-(?:IO-APIC|HPET)/.test(i.proc?.chip ?? '') && i.endpoint === name);
}

/** The prefix of the implied per-device domain the language would create for an observed one. */
function impliedPrefix(ctx: Ctx, ep: string): string | undefined {
  const m = /^(vIR-|IR-|ITS-)?PCI-MSIX?-/.exec(ep);
  if (!m) return undefined;
  const p = m[1] ?? '';
  if (ctx.arch === 'x86')
    return p === 'IR-' && ctx.remapName ? 'IR-' : p === '' && !ctx.remapName ? '' : undefined;
  if (ctx.arch === 'arm64') return p === 'ITS-' ? 'ITS-' : undefined;
  return p === '' ? '' : undefined;
}

function impliedAllowed(ctx: Ctx): boolean {
  const k = ctx.kernel;
  if (!k) return true;
  if (ctx.arch === 'x86') return cmp(k, { major: 6, minor: 2 }) >= 0;
  if (ctx.arch === 'arm64') return cmp(k, { major: 6, minor: 11 }) >= 0;
  return true;
}

export function assemble(ctx: Ctx, intrs: Intr[], topo: ImportedTopology): Assembly {
  const modelled = intrs.filter((i) => i.source !== undefined);
  // devices: group interrupts
  const groups = new Map<string, Intr[]>();
  for (const it of modelled) {
    const stem = deviceStem(it.actions.slice(0, 1).map((a) => withoutBdf(a, it.bdf)));
    let key: string;
    if (it.bdf) key = `pci:${formatBdf(it.bdf)}`;
    else if (it.cls!.kind === 'ioapic') key = `wired:${it.endpoint}:${stem ?? ''}`;
    else key = `${it.endpoint}:${stem ?? `hwirq${it.hwirq ?? it.irq ?? '?'}`}`;
    it.deviceKey = key;
    const g = groups.get(key);
    if (g) g.push(it);
    else groups.set(key, [it]);
  }

  const domains = new Map<string, ImportedDomain>();
  const add = (name: string, kind: DomainKind, parent?: string): ImportedDomain => {
    let d = domains.get(name);
    if (!d) {
      const seen = ctx.doms.get(name);
      d = {
        name,
        kind,
        parent,
        props: [],
        v2Props: [],
        kernelNames: seen ? [...seen.kernelNames] : [],
        comments: [],
      };
      if (seen) d.comments.push(`seen as ${[...seen.kernelNames].join(', ')} (${at(seen.src)})`);
      domains.set(name, d);
    }
    return d;
  };
  const root = rootName(ctx);
  const rootDom = add(root, ctx.arch === 'x86' ? 'vector' : ctx.arch === 'arm64' ? 'gic' : 'imsic');
  if (!ctx.doms.has(root))
    rootDom.comments.push(`inferred: the ${ctx.arch} root domain (not named in the dumps)`);
  const itsUnits = [...ctx.doms.keys()]
    .filter((n) => classifyDomain(n, ctx.doms.get(n)?.chip)?.kind === 'its')
    .sort();
  let itsName: string | undefined;
  if (ctx.arch === 'arm64' && (modelled.length > 0 || itsUnits.length > 0)) {
    itsName = itsUnits[0] ?? 'ITS';
    if (!ctx.doms.has(itsName)) {
      const its = add(itsName, 'its', root);
      its.comments.push('inferred: the ITS every MSI goes through (not named in /proc/interrupts)');
      ctx.inferred.push(
        'ITS: one GICv3 ITS assumed (the ITS- chip names show one; /proc/interrupts does not name it)',
      );
    }
  }
  if (ctx.remapName) {
    const r = add(ctx.remapName, 'remap', root);
    const v = classifyDomain(ctx.remapName)?.vendor ?? ctx.vendor;
    if (v && !r.props.includes(`vendor ${v}`)) r.props.push(`vendor ${v}`);
    else if (!v) r.comments.push('vendor unknown: add `vendor intel` or `vendor amd`');
    if (!ctx.doms.has(ctx.remapName)) r.comments.push('inferred: see the inferred facts above');
  }
  const defaultParent = (name: string, c: DomainClass): string | undefined => {
    const observed = ctx.doms.get(name)?.parent;
    if (observed) return observed;
    switch (c.kind) {
      case 'vector':
      case 'gic':
      case 'imsic':
        return undefined;
      case 'remap':
      case 'its':
      case 'dmar-msi':
        return root;
      case 'ioapic':
      case 'hpet': {
        const ir = ctx.remapName && (irPrefixed(intrs, name) || ctx.doms.has(ctx.remapName));
        return ir ? ctx.remapName : root;
      }
      case 'pci-msi':
      case 'platform-msi': {
        // a global ITS domain of a firmware node (`...its@X-3`) belongs to the ITS of that node
        const ft = fwnodeToken(name);
        if (ft && classifyDomain(ft.base, ctx.doms.get(ft.base)?.chip)?.kind === 'its') return ft.base;
        if (c.kind === 'platform-msi') return itsName ?? root;
        if (c.global) {
          if (name === 'PCI-MSI') return root;
          if (name === 'ITS-MSI') return itsName;
          const m = /^(INTEL|AMD)-IR-MSI-(\d+)$/.exec(name);
          if (m) return `${m[1]}-IR-${m[2]}`;
          return ctx.arch === 'arm64' ? itsName : (ctx.remapName ?? root);
        }
        if (c.perDevice?.prefix === 'ITS-') return itsName;
        if (c.perDevice?.prefix) return ctx.remapName ?? root;
        return root;
      }
      default:
        return root;
    }
  };
  const ensure = (name: string, depth = 0): ImportedDomain | undefined => {
    if (domains.has(name)) return domains.get(name);
    const c = classifyDomain(name, ctx.doms.get(name)?.chip);
    if (!c || depth > 16) return undefined;
    const d = add(name, c.kind, defaultParent(name, c));
    if (c.kind === 'remap' && c.vendor) d.props.push(`vendor ${c.vendor}`);
    if ((c.kind === 'ioapic' || c.kind === 'hpet') && c.id !== undefined) d.props.push(`id ${c.id}`);
    const size = ctx.doms.get(name)?.size;
    if (c.kind === 'ioapic' && size) d.props.push(`pins ${size}`);
    const log = ctx.ioapicFromLog;
    if (c.kind === 'ioapic' && log && log.name === name && !size) {
      if (c.id === undefined) d.props.push(`id ${log.id}`);
      d.props.push(`pins ${log.pins}`);
      d.comments.push(
        `id and pins: the kernel log line IOAPIC[...]: apic_id ${log.id}, GSI ${log.pins} pins (${at(log.src)})`,
      );
    }
    if (c.kind === 'its') {
      const base = itsBase(name);
      if (base !== undefined) {
        d.props.push(`base 0x${base.toString(16).padStart(8, '0')}`);
        d.comments.push('base: the physical address in its firmware-node name');
      }
    }
    if (d.parent && d.parent !== name) ensure(d.parent, depth + 1);
    return d;
  };
  // every domain the dumps name, except per-device ones (declared with their device below)
  const seenOnly: string[] = [];
  for (const [name, info] of ctx.doms) {
    const c = classifyDomain(name, info.chip);
    if (!c) {
      seenOnly.push(
        `domain ${[...info.kernelNames].join(', ')} (${at(info.src)}): not modelled (a firmware or GPIO domain, or a kind the language does not have)`,
      );
      continue;
    }
    if (c.perDevice) continue;
    if (c.kind === 'remap' && ctx.arch !== 'x86') continue;
    ensure(name);
  }
  if (ctx.ioapicFromLog && modelled.some((i) => i.endpoint === ctx.ioapicFromLog!.name))
    ensure(ctx.ioapicFromLog.name);

  // devices
  const used = new Set<string>();
  const devices: ImportedDevice[] = [];
  const irqs: ImportedIrq[] = [];
  const implied = impliedAllowed(ctx);
  for (const its of groups.values()) {
    ctx.checkStop();
    const first = its[0];
    const bdf = first.bdf;
    const allActions = its.flatMap((i) => i.actions.slice(0, 1)).map((a) => withoutBdf(a, bdf));
    let name = deviceStem(allActions);
    if (!name) {
      if (bdf) name = `pci-${formatBdf(bdf).replace(/[:.]/g, '-')}`;
      else if (first.cls!.kind === 'ioapic') name = 'ioapic-pins';
      else name = `${first.cls!.kind}${first.hwirq ?? first.irq ?? ''}`;
    }
    if (bdf && used.has(name)) name = `${name}-${formatBdf(bdf).slice(5).replace(/[:.]/g, '-')}`;
    let k = 2;
    const base = name;
    while (used.has(name)) name = `${base}-${k++}`;
    used.add(name);
    const dev: ImportedDevice = { name, platform: false, comments: [] };
    if (bdf) {
      dev.pci = formatBdf(bdf);
      const pf = ctx.machine.pci.get(dev.pci);
      if (pf?.numaNode && pf.numaNode.value >= 0) {
        dev.node = pf.numaNode.value;
        dev.comments.push(`node ${dev.node}: ${where(pf.numaNode.src)}`);
      } else if (pf?.numaNode) dev.comments.push(`no node: numa_node is -1 (${where(pf.numaNode.src)})`);
    }
    const stemForIrqs = deviceStem(allActions);
    const msgIntrs = its.filter((i) => i.cls!.kind === 'pci-msi');
    if (msgIntrs.length > 0) messageDomain(ctx, dev, msgIntrs, bdf, { add, ensure, defaultParent, implied });
    const other = its.filter((i) => i.cls!.kind !== 'pci-msi' && i.cls!.kind !== 'ioapic');
    if (other.length > 0) {
      const ep = other[0].endpoint!;
      ensure(ep);
      if (!dev.msiDomain) dev.msiDomain = ep;
      dev.platform = !bdf;
      if (other.some((i) => i.endpoint !== ep))
        ctx.problem(
          other[0].proc?.src ?? other[0].dbg?.src,
          'warning',
          `${name}: interrupts in several message domains (${[...new Set(other.map((i) => i.endpoint))].join(', ')}); only ${ep} is written as its msi-domain`,
        );
    }
    const pins = its.filter((i) => i.cls!.kind === 'ioapic');
    if (pins.length > 0) {
      ensure(pins[0].endpoint!);
      dev.ioapic = pins[0].endpoint!;
    }
    if (!bdf && first.cls!.kind === 'ioapic' && first.actions.length === 0)
      dev.comments.push(
        'the IO-APIC pins that have no action name in the dumps (no driver requested them, or their /proc/interrupts row is missing)',
      );
    if (its.some((i) => i.actions.some((a) => /^vfio-(?:msix?|intx)\b/.test(a)))) {
      dev.assign = 'vfio';
      dev.comments.push('assign vfio: its action names are vfio-msix/vfio-msi/vfio-intx (handed to a guest)');
    }
    devices.push(dev);
    // interrupts of this device
    const names = its.map((i) => {
      if (i.actions.length === 0) return `${i.source}${i.index ?? i.irq ?? ''}`;
      if (i.cls!.kind === 'dmar-msi' && /^dmar\d+$/.test(i.actions[0])) return 'fault';
      return irqNameFromAction(i.actions[0], stemForIrqs, bdf) || `${i.source}${i.index ?? ''}`;
    });
    const count = new Map<string, number>();
    for (const n of names) count.set(n, (count.get(n) ?? 0) + 1);
    const usedIdx = new Map<string, Set<number>>();
    its.forEach((i, j) => {
      const nm = names[j];
      let index: number | undefined;
      if ((count.get(nm) ?? 0) > 1) {
        const u = usedIdx.get(nm) ?? new Set<number>();
        usedIdx.set(nm, u);
        index = i.index ?? i.irq ?? 0;
        while (u.has(index)) index++;
        u.add(index);
      }
      irqs.push(irqOut(ctx, i, dev, nm, index));
    });
  }
  for (const d of [...domains.values()]) if (d.parent) ensure(d.parent);
  for (const it of intrs) if (it.source === undefined) ctx.notModelled.push(unmodelledLine(it));
  void topo;
  return { domains, devices, irqs, rootName: root, seenOnly };
}

interface DomainOps {
  add(name: string, kind: DomainKind, parent?: string): ImportedDomain;
  ensure(name: string): ImportedDomain | undefined;
  defaultParent(name: string, c: DomainClass): string | undefined;
  implied: boolean;
}

/** MSI or MSI-X, the table size, and the message domain (implied per-device, or explicit). */
function messageDomain(
  ctx: Ctx,
  dev: ImportedDevice,
  msgIntrs: Intr[],
  bdf: Bdf | undefined,
  ops: DomainOps,
): void {
  let msix: boolean;
  const known = msgIntrs.find((i) => i.msixKnown);
  const sysfs = dev.pci ? ctx.machine.pci.get(dev.pci)?.msiIrqs : undefined;
  const modes = sysfs
    ? [...new Set(msgIntrs.map((i) => (i.irq !== undefined ? sysfs.value.get(i.irq) : undefined)))]
    : [];
  if (known) msix = known.source === 'msix';
  else if (modes.length === 1 && modes[0] !== undefined) {
    msix = modes[0] === 'msix';
    dev.comments.push(`${msix ? 'MSI-X' : 'MSI'}: ${where(sysfs!.src)} says ${modes[0]}`);
  } else {
    const idx = msgIntrs.map((i) => i.index ?? 0);
    const underBareVector = ctx.arch === 'x86' && !ctx.remapName;
    if (idx.some((x) => x >= 32)) msix = true;
    else if (msgIntrs.length > 1 && underBareVector) msix = true;
    else if (msgIntrs.length === 1 && idx[0] === 0) msix = false;
    else msix = true;
    const why = idx.some((x) => x >= 32)
      ? 'an index >= 32 (MSI has at most 32 vectors)'
      : msgIntrs.length > 1 && underBareVector
        ? 'several vectors under the bare x86 vector domain, which cannot do multi-MSI'
        : msgIntrs.length === 1 && idx[0] === 0
          ? 'one vector at index 0'
          : underBareVector
            ? 'an index above 0 under the bare x86 vector domain, which cannot do multi-MSI'
            : 'several vectors or an index above 0 (multi-MSI is rarer)';
    ctx.inferred.push(
      `${dev.name}: ${msix ? 'MSI-X' : 'MSI'} (the global PCI/MSI domain does not say which; chosen from ${why})`,
    );
    dev.comments.push(`inferred: ${msix ? 'MSI-X' : 'MSI'} (${why}); the global domain does not say which`);
  }
  for (const i of msgIntrs) i.source = msix ? 'msix' : 'msi';
  if (msix) {
    let max = 0;
    for (const i of msgIntrs) max = Math.max(max, i.index ?? 0);
    dev.msix = Math.min(max + 1, 2048);
    dev.comments.push(`msix ${dev.msix}: the highest MSI-X index seen + 1 (the table may be larger)`);
  } else {
    dev.msi = Math.min(nextPow2(msgIntrs.length), 32);
    if (msgIntrs.length > 1 || dev.msi > 1)
      dev.comments.push(`msi ${dev.msi}: ${msgIntrs.length} vector(s) seen`);
  }
  const first = msgIntrs[0];
  const ep = first.endpoint!;
  const cls = first.cls!;
  if (cls.perDevice && bdf) {
    const prefix = impliedPrefix(ctx, ep);
    const predicted = prefix === undefined ? undefined : impliedDomainName(prefix, msix, bdf);
    if (ops.implied && predicted === ep) {
      dev.comments.push(`its domain ${ep} is implied (per-device MSI domain)`);
    } else {
      const d = ops.add(ep, 'pci-msi', ops.defaultParent(ep, cls));
      if (d.parent) ops.ensure(d.parent);
      if (!d.props.includes(`device ${dev.name}`)) d.props.push(`device ${dev.name}`);
      dev.msiDomain = ep;
    }
  } else {
    ops.ensure(ep);
    dev.msiDomain = ep;
  }
}

function unmodelledLine(it: Intr): string {
  const p = it.proc;
  const what = p
    ? `${p.chip ?? ''}${p.hwirq !== undefined ? ` ${p.hwirq}` : ''}${p.trigger ? ` ${p.trigger}` : ''}${p.flow ? `-${p.flow}` : ''} ${p.actions.join(', ')}`.trim()
    : `${it.chain?.join(' > ') ?? 'no domain'}`;
  const counts =
    p && p.counts.length
      ? `; counts ${p.counts.slice(0, 64).join(' ')}${p.counts.length > 64 ? ' …' : ''}`
      : '';
  const src = [p?.src, it.dbg?.src]
    .filter((s) => s !== undefined)
    .map(at)
    .join(', ');
  return `irq ${it.irq ?? '?'}: ${what} [${src}]: not modelled (${it.why ?? 'no source kind for it'})${counts}`;
}
