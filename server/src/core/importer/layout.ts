// The VECTOR root's matrix properties (system-vectors, in-use), the translation units' scopes
// (read from /sys/class/iommu/<unit>/devices when a capture has them, else inferred from the devices
// seen under each unit), and the order the domains are written in.

import type { DomainKind } from '../kinds';
import { at, where, type Ctx } from './context';
import type { ImportedDevice, ImportedDomain, ImportedIrq } from './result';
import { formatList, parseBdf } from './util';

export function matrixProps(ctx: Ctx, root: ImportedDomain, irqs: readonly ImportedIrq[]): void {
  const m = ctx.matrix!;
  if (m.system) {
    root.props.push(`system-vectors ${formatList(m.system)}`);
    root.comments.push(`system-vectors: the VECTOR matrix System: line [${at(m.systemSrc)}]`);
  }
  const pinned = new Set(
    irqs.filter((i) => i.cpu !== undefined && i.vector !== undefined).map((i) => `${i.cpu}:${i.vector}`),
  );
  const byVectors = new Map<string, number[]>();
  let subtracted = 0;
  for (const r of m.rows) {
    if (!ctx.cpuSet.has(r.cpu)) continue;
    const left = r.vectors.filter((v) => !pinned.has(`${r.cpu}:${v}`));
    subtracted += r.vectors.length - left.length;
    if (left.length === 0) continue;
    const key = formatList(left);
    const cpus = byVectors.get(key) ?? [];
    cpus.push(r.cpu);
    byVectors.set(key, cpus);
  }
  for (const [vectors, cpus] of byVectors) root.props.push(`in-use ${formatList(cpus)} : ${vectors}`);
  root.comments.push(
    `in-use: the vectors column of the VECTOR matrix [${at(m.rows[0]?.src)}]${subtracted ? `, less the ${subtracted} (CPU, vector) pairs pinned by the interrupts below` : ''}`,
  );
  if (subtracted === 0 && irqs.length > 0)
    root.comments.push('note: no interrupt below is pinned, so in-use also holds their own vectors');
}

/** `0000:00-00, 0000:3a-3b`: bus ranges of a set of PCI addresses. */
function busRanges(bdfs: readonly string[]): string {
  const bySeg = new Map<number, Set<number>>();
  for (const t of bdfs) {
    const b = parseBdf(t);
    if (!b) continue;
    const s = bySeg.get(b.segment) ?? new Set<number>();
    s.add(b.bus);
    bySeg.set(b.segment, s);
  }
  const out: string[] = [];
  const h = (n: number, w: number): string => n.toString(16).padStart(w, '0');
  for (const [seg, buses] of [...bySeg].sort((a, b) => a[0] - b[0])) {
    const list = [...buses].sort((a, b) => a - b);
    for (let i = 0; i < list.length;) {
      let j = i;
      while (j + 1 < list.length && list[j + 1] === list[j] + 1) j++;
      out.push(`${h(seg, 4)}:${h(list[i], 2)}-${h(list[j], 2)}`);
      i = j + 1;
    }
  }
  return out.join(', ');
}

/** The remap domain a /sys/class/iommu unit is: dmar<N> is INTEL-IR-<N>, ivhd<N> is AMD-IR-<N> (seq_id / index). */
function unitDomain(unit: string): string | undefined {
  let m = /^dmar(\d+)$/.exec(unit);
  if (m) return `INTEL-IR-${m[1]}`;
  m = /^ivhd(\d+)$/.exec(unit);
  if (m) return `AMD-IR-${m[1]}`;
  return undefined;
}

export function scopes(
  ctx: Ctx,
  domains: Map<string, ImportedDomain>,
  devices: readonly ImportedDevice[],
  irqs: readonly ImportedIrq[],
): void {
  const units = [...domains.values()].filter((d) => d.kind === 'remap' || d.kind === 'its');
  if (units.length === 0) return;
  if (ctx.machine.iommu.size > 0 && units.every((u) => u.kind === 'remap') && readScopes(ctx, domains, units))
    return;
  if (units.length === 1 && units[0].kind === 'remap') return; // INCLUDE_PCI_ALL
  const chainOf = (name: string): string[] => {
    const out: string[] = [];
    let cur: string | undefined = name;
    while (cur && !out.includes(cur) && out.length < 32) {
      out.push(cur);
      cur = domains.get(cur)?.parent ?? ctx.doms.get(cur)?.parent;
    }
    return out;
  };
  const byName = new Map(devices.map((d) => [d.name, d]));
  for (const u of units) {
    if (units.length === 1) {
      const segs = new Set(devices.filter((d) => d.pci).map((d) => d.pci!.slice(0, 4)));
      if (segs.size === 0) segs.add('0000');
      const scope = [...segs].map((s) => `${s}:00-ff`).join(', ');
      u.props.push(`scope ${scope}`);
      u.comments.push(
        "scope: inferred (every bus of the segments seen; the dumps do not show the unit's scope)",
      );
      ctx.inferred.push(`${u.name} scope ${scope}: one translation unit assumed to cover every bus`);
      continue;
    }
    const pcis: string[] = [];
    for (const i of irqs) {
      const dev = byName.get(i.device);
      if (!dev?.pci) continue;
      if (!chainOf(i.endpoint).includes(u.name) && !(i.observedChain ?? []).includes(u.name)) continue;
      pcis.push(dev.pci);
    }
    if (pcis.length > 0) {
      u.props.push(`scope ${busRanges(pcis)}`);
      u.comments.push(
        'scope: the buses of the devices the dumps show under this unit (inferred; the real scope may be wider)',
      );
      ctx.inferred.push(`${u.name} scope ${busRanges(pcis)}: the buses of the devices seen under it`);
    }
  }
}

/** Scopes from /sys/class/iommu/<unit>/devices; false when the listing names none of these units. */
function readScopes(ctx: Ctx, domains: Map<string, ImportedDomain>, units: ImportedDomain[]): boolean {
  const lists = new Map<ImportedDomain, { devs: string[]; src: string }>();
  for (const [unit, f] of ctx.machine.iommu) {
    const name = unitDomain(unit);
    const d = name ? domains.get(name) : undefined;
    if (d) lists.set(d, { devs: f.value, src: `/sys/class/iommu/${unit}/devices (${where(f.src)})` });
  }
  if (lists.size === 0) return false;
  const all = new Set<string>([...ctx.machine.pci.keys(), ...[...lists.values()].flatMap((l) => l.devs)]);
  // the unit whose devices are everything the others do not cover is the INCLUDE_PCI_ALL one
  const ranked = [...lists].sort((a, b) => b[1].devs.length - a[1].devs.length);
  const [big, bigList] = ranked[0];
  const others = new Set(ranked.slice(1).flatMap(([, l]) => l.devs));
  const catchAll = [...all].every((b) => others.has(b) || bigList.devs.includes(b));
  for (const [u, l] of lists) {
    if (u === big && catchAll) {
      u.comments.push(
        `no scope: it covers every PCI device the other units do not (${l.src}), as an INCLUDE_PCI_ALL unit does`,
      );
      continue;
    }
    if (l.devs.length === 0) {
      u.comments.push(`${l.src} lists no device`);
      continue;
    }
    u.props.push(`scope ${busRanges(l.devs)}`);
    u.comments.push(`scope: the buses of the devices in ${l.src}`);
    const mine = new Set(l.devs);
    const shared = [...all].filter(
      (b) => !mine.has(b) && l.devs.some((x) => x.slice(0, 7) === b.slice(0, 7)),
    );
    if (shared.length > 0)
      ctx.problem(
        ctx.machine.iommu.values().next().value?.src,
        'warning',
        `${u.name} covers only some devices of its buses (not ${shared.slice(0, 4).join(', ')}${shared.length > 4 ? ', …' : ''}); the language's scopes are bus ranges, so those devices are placed under ${u.name} too`,
      );
  }
  for (const u of units)
    if (!lists.has(u) && u.kind === 'remap') u.comments.push('not in /sys/class/iommu: its scope is unknown');
  // IO-APIC scope items from the kernel log (DMAR-IR: IOAPIC id N under DRHD base ... IOMMU n)
  for (const f of ctx.machine.dmarIoapics) {
    const u = domains.get(`INTEL-IR-${f.value.unit}`);
    if (!u) continue;
    const io = [...domains.values()].find(
      (d) => d.kind === 'ioapic' && d.props.includes(`id ${f.value.ioapicId}`),
    );
    if (io && !ctx.doms.get(io.name)?.parent && io.parent !== u.name) {
      io.parent = u.name;
      io.comments.push(
        `parent ${u.name}: the kernel log line DMAR-IR: IOAPIC id ${f.value.ioapicId} ... IOMMU ${f.value.unit} (${at(f.src)})`,
      );
    }
    const sc = u.props.findIndex((p) => p.startsWith('scope '));
    if (sc >= 0 && !u.props[sc].includes(`ioapic ${f.value.ioapicId}`))
      u.props[sc] += `, ioapic ${f.value.ioapicId}`;
  }
  return true;
}

export function orderDomains(ds: ImportedDomain[]): ImportedDomain[] {
  const byName = new Map(ds.map((d) => [d.name, d]));
  const depth = (d: ImportedDomain): number => {
    let n = 0;
    let cur: ImportedDomain | undefined = d;
    const seen = new Set<string>();
    while (cur?.parent && !seen.has(cur.name) && n < 16) {
      seen.add(cur.name);
      cur = byName.get(cur.parent);
      n++;
    }
    return n;
  };
  const depths = new Map(ds.map((d) => [d, depth(d)]));
  const rank: Partial<Record<DomainKind, number>> = {
    vector: 0,
    gic: 0,
    imsic: 0,
    remap: 1,
    its: 1,
    'dmar-msi': 2,
    ioapic: 3,
    hpet: 4,
  };
  return ds.sort(
    (a, c) =>
      depths.get(a)! - depths.get(c)! ||
      (rank[a.kind] ?? 9) - (rank[c.kind] ?? 9) ||
      a.name.localeCompare(c.name),
  );
}
