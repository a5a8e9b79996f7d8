// References between declarations: device <-> domain links, the per-device PCI/MSI domains the
// kernel creates on its own (x86 >= 6.2, arm64 >= 6.11), and parents.

import type { DomainKind } from '../kinds';
import type { BindContext } from './context';
import {
  closest,
  findDomain,
  impliedName,
  looksImplied,
  msiParentOfDevice,
  perDeviceMsiEra,
} from './queries';
import { MAX_PARENT_DEPTH } from './limits';
import { Domain, type NameRef } from './types';

export function unknownName(ctx: BindContext, kind: 'domain' | 'device', r: NameRef): void {
  const m = ctx.m;
  let text: string | undefined; // made once: the budget may be spent when asked again
  ctx.report('unknown-name', r.file, r.start, r.end, () => {
    if (text !== undefined) return text;
    const pool: Iterable<string> = kind === 'domain' ? domainNames(m.domains) : m.devicesByName.keys();
    const near = closest(r.name, pool, ctx.suggest);
    return (text = `no ${kind} is named '${r.name}'${near ? `: did you mean '${near}'?` : ''}`);
  });
}

function* domainNames(domains: readonly Domain[]): Iterable<string> {
  for (const d of domains) yield d.name;
}

export function resolveDomain(
  ctx: BindContext,
  r: NameRef | undefined,
  expected?: readonly DomainKind[],
): Domain | undefined {
  if (!r) return undefined;
  const d = findDomain(ctx.m, r.name);
  if (!d) {
    unknownName(ctx, 'domain', r);
    return undefined;
  }
  if (expected && d.kind && !expected.includes(d.kind)) {
    ctx.report(
      'bad-value',
      r.file,
      r.start,
      r.end,
      `'${r.name}' is a ${d.kind} domain; expected ${expected.join(' or ')}`,
      [{ file: d.file, start: d.nameStart, end: d.nameEnd, message: `'${r.name}' is declared here` }],
    );
  }
  return d;
}

/** What each device's interrupts use (from its irq statements), for the implied domains. */
export const enum Uses {
  Msi = 1,
  Msix = 2,
  Window = 4,
}

/** Links parents and the device links, then creates the implied per-device domains. */
export function linkDomains(ctx: BindContext, uses: Uint8Array): void {
  const m = ctx.m;
  const D = m.devices;
  // device links first (they decide which per-device domains are implied)
  for (const d of m.domains) {
    if (!d.deviceRef) continue;
    const dev = m.devicesByName.get(d.deviceRef.name);
    if (dev === undefined) unknownName(ctx, 'device', d.deviceRef);
    else d.device = dev;
  }
  const refOf = (dev: number, atom: number): NameRef | undefined => {
    if (atom < 0) return undefined;
    const file = m.files[D.file[dev]];
    const t = file.tree;
    return { file, start: t.aStart[atom], end: t.aEnd(atom), name: t.nameOf(atom) };
  };
  for (let dev = 0; dev < D.count; dev++) {
    if (D.msiDomainRef[dev] < 0 && D.imsRef[dev] < 0 && D.ntbRef[dev] < 0 && D.ioapicRef[dev] < 0) continue;
    const md = resolveDomain(ctx, refOf(dev, D.msiDomainRef[dev]), [
      'pci-msi',
      'platform-msi',
      'hpet',
      'dmar-msi',
      'ntb',
      'aplic',
    ]);
    if (md) {
      D.msiDomain[dev] = md.index;
      md.servedDevices.push(dev);
    }
    const ims = resolveDomain(ctx, refOf(dev, D.imsRef[dev]), ['ims', 'platform-msi']);
    const ntb = resolveDomain(ctx, refOf(dev, D.ntbRef[dev]), ['ntb']);
    const io = resolveDomain(ctx, refOf(dev, D.ioapicRef[dev]), ['ioapic']);
    if (ims) {
      D.ims[dev] = ims.index;
      ims.servedDevices.push(dev);
    }
    if (ntb) {
      D.ntb[dev] = ntb.index;
      // (it may be this device's msi-domain or ims too, a bad-value: then dev was pushed just now)
      if (ntb.servedDevices[ntb.servedDevices.length - 1] !== dev) ntb.servedDevices.push(dev);
    }
    if (io) D.ioapic[dev] = io.index;
  }
  // an ims/ntb domain naming its device serves it too
  for (const d of m.domains) {
    const dev = d.device;
    if (dev < 0 || !d.kind) continue;
    if (d.kind === 'ims' && D.ims[dev] < 0) D.ims[dev] = d.index;
    if (d.kind === 'ntb' && D.ntb[dev] < 0) D.ntb[dev] = d.index;
    if (d.kind === 'pci-msi' && D.msiDomain[dev] < 0) D.msiDomain[dev] = d.index;
    if (!d.servedDevices.includes(dev)) d.servedDevices.push(dev);
  }
  if (perDeviceMsiEra(m)) createImplied(ctx, uses);
  // then parents, which may name implied domains
  for (const d of m.domains) {
    if (d.implied || !d.parentRef) continue;
    const p = resolveDomain(ctx, d.parentRef);
    if (p) {
      d.parent = p;
      p.children.push(d);
    }
  }
  markChains(ctx);
}

/**
 * In one pass over the parent links: the domains on a cycle (Domain.onCycle), and each chain's depth.
 * A domain deeper than MAX_PARENT_DEPTH is a `bad-value` at the first such domain of its chain, and
 * the parent links below the budget are cut, so every walk up a chain is bounded.
 */
function markChains(ctx: BindContext): void {
  const m = ctx.m;
  const depth = new Map<Domain, number>(); // -1: being walked
  for (const d of m.domains) {
    if (depth.has(d)) continue;
    const path: Domain[] = [];
    let c: Domain | undefined = d;
    while (c && !depth.has(c)) {
      depth.set(c, -1);
      path.push(c);
      c = c.parent;
    }
    let base = c ? depth.get(c)! : 0;
    if (c && base === -1) {
      // a cycle from c: its members are on it, and what leads into it is not rooted either
      for (let i = path.indexOf(c); i < path.length; i++) path[i].onCycle = true;
      base = 0;
    }
    for (let i = path.length - 1; i >= 0; i--) {
      const x = path[i];
      base = x.onCycle ? 0 : base + 1;
      depth.set(x, base);
      if (base === MAX_PARENT_DEPTH + 1 && x.parentRef) {
        const r = x.parentRef;
        ctx.report(
          'bad-value',
          r.file,
          r.start,
          r.end,
          `'${x.name}' is more than ${MAX_PARENT_DEPTH} domains below the root: irqtopo's budget for a parent chain (a kernel hierarchy is a handful of levels: device domain, IR unit or ITS, root). The domains below this point are not linked to their parents`,
        );
      }
    }
  }
  // unlinked in one pass per parent (a parent may have 100,000 children)
  const cut = new Set<Domain>();
  for (const d of m.domains) {
    const p = d.parent;
    if (!p || (depth.get(d) ?? 0) <= MAX_PARENT_DEPTH) continue;
    d.parent = undefined;
    cut.add(p);
  }
  for (const p of cut) {
    let w = 0;
    for (const c of p.children) if (c.parent === p) p.children[w++] = c;
    p.children.length = w;
  }
}

/** The per-device PCI/MSI domains the kernel (x86 >= 6.2, arm64 >= 6.11) creates on its own; names are made on demand. */
function createImplied(ctx: BindContext, uses: Uint8Array): void {
  const m = ctx.m;
  const D = m.devices;
  // declared domains whose names have the shape of a per-device domain's: collisions are checked by key
  const declaredLike = new Map<number, Domain[]>();
  for (const d of m.domains) {
    const key = looksImplied(d.name);
    if (key === undefined) continue;
    const list = declaredLike.get(key);
    if (list) list.push(d);
    else declaredLike.set(key, [d]);
  }
  for (let dev = 0; dev < D.count; dev++) {
    if (D.msiDomain[dev] >= 0 || D.msiDomainRef[dev] >= 0 || D.platform[dev] || D.rid[dev] < 0) continue;
    if (m.devicesByName.get(D.name[dev]) !== dev) continue; // a duplicate declaration: reported already
    const u = uses[dev];
    const usesMsi = (u & Uses.Msi) !== 0;
    const usesMsix = (u & Uses.Msix) !== 0 || ((u & Uses.Window) !== 0 && D.ntb[dev] < 0);
    if (!usesMsi && !usesMsix && D.msix[dev] < 0 && D.msi[dev] < 0) continue;
    const parent = msiParentOfDevice(m, dev);
    const file = m.files[D.file[dev]];
    const d: Domain = new Domain(
      file,
      undefined,
      'pci-msi',
      'pci-msi',
      -1,
      D.nameStart[dev],
      D.nameEnd[dev],
      D.start[dev],
      D.end[dev],
      true,
      () => impliedName(m, d),
    );
    d.impliedFor = dev;
    d.impliedMsix = usesMsix || (!usesMsi && D.msix[dev] >= 0);
    d.device = dev;
    d.parent = parent;
    d.servedDevices.push(dev);
    if (parent) parent.children.push(d);
    const clash = declaredLike.get(D.segment[dev] * 65536 + D.rid[dev])?.find((x) => x.name === d.name);
    if (clash) {
      const name = d.name;
      ctx.report(
        'duplicate-name',
        clash.file,
        clash.nameStart,
        clash.nameEnd,
        `'${name}' is also the name of the per-device domain the kernel creates for ${D.name[dev]}: rename this domain, or give ${D.name[dev]} an explicit msi-domain`,
        [{ file, start: D.nameStart[dev], end: D.nameEnd[dev], message: `${D.name[dev]} implies ${name}` }],
      ); // the declared domain keeps the name
    }
    d.index = m.domains.length;
    m.domains.push(d);
    D.msiDomain[dev] = d.index;
  }
}
