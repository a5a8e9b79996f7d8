// Declarations: domains (objects) and devices (rows), and their properties.

import { DEVICE_PROPERTIES, DOMAIN_KINDS, KINDS, isDomainKind, type DomainKind } from '../kinds';
import { KEYWORDS, kwId, type Keyword } from '../syntax/names';
import { At, GROUP_START } from '../syntax/tree';
import type { SyntaxFile } from '../syntax/view';
import {
  describeAtom,
  nameValue,
  number,
  numberAtom,
  numberList,
  oneOf,
  single,
  valuesSpan,
} from '../values';
import type { BindContext } from './context';
import { MAX_CPUS, MAX_NAME, MAX_NODES } from './limits';
import { Assign, Domain, type NameRef } from './types';

const IN_USE = kwId('in-use');
const SCOPE = kwId('scope');

/** The properties a statement takes, as a lookup by name id (property names are keywords). */
export interface PropSet {
  names: readonly string[];
  mask: Uint8Array;
}

export function propSet(names: readonly string[]): PropSet {
  const mask = new Uint8Array(KEYWORDS.length);
  for (const n of names) mask[kwId(n as Keyword)] = 1;
  return { names, mask };
}

const KIND_PROPS = new Map<DomainKind, PropSet>(DOMAIN_KINDS.map((k) => [k, propSet(KINDS[k].properties)]));

/** The earlier row of the same property in [first, p), or -1 (a scan for small blocks, a map for big ones). */
function earlier(
  t: SyntaxFile['tree'],
  first: number,
  p: number,
  seen: Map<number, number> | undefined,
): number {
  if (seen) return seen.get(t.pName[p]) ?? -1;
  for (let q = first; q < p; q++) if (t.pName[q] === t.pName[p]) return q;
  return -1;
}

/** What to do with a property row: skip it (reported), bind it, or bind it as a repeat (scope, in-use). */
export const enum PropUse {
  Skip,
  First,
  Repeat,
}

/**
 * Whether a statement's property row is one the owner accepts, once (scope and in-use repeat);
 * reports unknown and repeated ones. `seen` is a map for blocks of more than 16 properties (else
 * the earlier rows are scanned).
 */
export function checkProperty(
  ctx: BindContext,
  file: SyntaxFile,
  first: number,
  p: number,
  allowed: PropSet | undefined,
  owner: string | undefined,
  seen: Map<number, number> | undefined,
): PropUse {
  const t = file.tree;
  const id = t.pName[p];
  if (allowed && (id >= allowed.mask.length || !allowed.mask[id])) {
    const names = allowed.names;
    ctx.report(
      'unknown-property',
      file,
      t.pStart[p],
      t.pNameEnd(p),
      `'${t.names.names[id]}' is not a property of ${owner}: ${names.length ? `expected one of ${names.join(', ')}` : 'it takes none'}`,
    );
    return PropUse.Skip;
  }
  const prev = earlier(t, first, p, seen);
  if (prev >= 0 && id !== IN_USE && id !== SCOPE) {
    const name = t.names.names[id];
    ctx.report('bad-value', file, t.pStart[p], t.pNameEnd(p), `'${name}' is given twice`, [
      { file, start: t.pStart[prev], end: t.pNameEnd(prev), message: `the first '${name}'` },
    ]);
    return PropUse.Skip;
  }
  if (prev < 0) seen?.set(id, p);
  return prev < 0 ? PropUse.First : PropUse.Repeat;
}

/** The accepted properties of a statement, in order (see checkProperty). */
export function eachProperty(
  ctx: BindContext,
  file: SyntaxFile,
  s: number,
  allowed: PropSet | undefined,
  owner: string | undefined,
  bind: (p: number, name: string, repeat: boolean) => void,
): void {
  const t = file.tree;
  const first = t.sProps[s];
  const n = t.sNProps[s];
  const seen = n > 16 ? new Map<number, number>() : undefined;
  for (let p = first; p < first + n; p++) {
    const use = checkProperty(ctx, file, first, p, allowed, owner, seen);
    if (use !== PropUse.Skip) bind(p, t.names.names[t.pName[p]], use === PropUse.Repeat);
  }
}

/** A name's length within budget; reports and returns false when it is not. */
function nameOk(ctx: BindContext, file: SyntaxFile, a: number): boolean {
  const t = file.tree;
  if (t.nameOf(a).length <= MAX_NAME) return true;
  ctx.report(
    'bad-value',
    file,
    t.aStart[a],
    t.aEnd(a),
    `a name of ${t.nameOf(a).length} characters: names are at most ${MAX_NAME}`,
  );
  return false;
}

export function declareDomain(ctx: BindContext, file: SyntaxFile, s: number): void {
  const m = ctx.m;
  const t = file.tree;
  const nameAtom = t.sA[s];
  if (!nameOk(ctx, file, nameAtom)) return;
  const name = t.nameOf(nameAtom);
  const kindAtom = t.sB[s];
  const kindText = kindAtom >= 0 ? t.nameOf(kindAtom) : '';
  let kind: DomainKind | undefined;
  if (kindAtom >= 0) {
    if (isDomainKind(kindText)) kind = kindText;
    else
      ctx.report(
        'unknown-kind',
        file,
        t.aStart[kindAtom],
        t.aEnd(kindAtom),
        `'${kindText}' is not a domain kind: expected one of ${DOMAIN_KINDS.join(', ')}`,
      );
  }
  const d = new Domain(
    file,
    name,
    kind,
    kindText,
    s,
    t.aStart[nameAtom],
    t.aEnd(nameAtom),
    t.sStart[s],
    t.sEnd[s],
    false,
  );
  const prev = m.domainsByName.get(name);
  if (prev) {
    ctx.report(
      'duplicate-name',
      file,
      d.nameStart,
      d.nameEnd,
      `the domain '${name}' is declared twice: domain names must be unique`,
      [
        {
          file: prev.file,
          start: prev.nameStart,
          end: prev.nameEnd,
          message: `'${name}' is first declared here`,
        },
      ],
    );
  } else m.domainsByName.set(name, d);
  d.index = m.domains.length;
  m.domains.push(d);
  eachProperty(
    ctx,
    file,
    s,
    kind ? KIND_PROPS.get(kind) : undefined,
    kind ? `a ${kind} domain` : undefined,
    (p, pname, repeat) => {
      if (!repeat) d.props.set(pname, p);
      if (pname === 'scope' || pname === 'in-use') d.repeated.push(p);
    },
  );
}

function nameRef(file: SyntaxFile, a: number): NameRef {
  const t = file.tree;
  return { file, start: t.aStart[a], end: t.aEnd(a), name: t.nameOf(a) };
}

export function bindDomain(ctx: BindContext, d: Domain): void {
  const file = d.file;
  const t = file.tree;
  for (const [n, p] of d.props) {
    const v = ctx.propValues(file, p);
    switch (n) {
      case 'parent': {
        const r = nameValue(v, 'the parent domain name');
        if (ctx.ok(file, r)) d.parentRef = nameRef(file, r.value);
        break;
      }
      case 'vendor': {
        const r = oneOf(v, ['intel', 'amd'] as const, 'remap vendor');
        if (ctx.ok(file, r)) d.vendor = r.value;
        break;
      }
      case 'entries': {
        const r = number(v, 'the remap table size', 1, 1 << 16);
        if (ctx.ok(file, r)) d.entries = r.value;
        break;
      }
      case 'id': {
        const r = number(v, 'an ID', 0, 255);
        if (ctx.ok(file, r)) d.id = r.value;
        break;
      }
      case 'slots': {
        const r = number(v, 'the number of IMS slots', 1, 1 << 16);
        if (ctx.ok(file, r)) d.slots = r.value;
        break;
      }
      case 'pins': {
        const r = number(v, 'the number of IO-APIC pins', 1, 240);
        if (ctx.ok(file, r)) d.pins = r.value;
        break;
      }
      case 'node': {
        const r = number(v, 'a NUMA node', 0, MAX_NODES - 1);
        if (ctx.ok(file, r)) d.node = r.value;
        break;
      }
      case 'base': {
        const r = number(v, 'the ITS physical base address');
        if (ctx.ok(file, r)) {
          if (r.value % 0x10000 !== 0) {
            const sp = valuesSpan(v);
            ctx.report(
              'bad-value',
              file,
              sp.start,
              sp.end,
              'the ITS base must be 64 KiB aligned (GITS_CTLR frame)',
            );
          } else d.base = r.value;
        }
        break;
      }
      case 'device': {
        const r = nameValue(v, 'the device name');
        if (ctx.ok(file, r)) d.deviceRef = nameRef(file, r.value);
        break;
      }
      case 'multi-msi':
      case 'no-multi-msi':
        if (ctx.flag(file, p)) {
          if (d.multiMsi !== undefined)
            ctx.report(
              'bad-value',
              file,
              t.pStart[p],
              t.pNameEnd(p),
              "'multi-msi' and 'no-multi-msi' contradict each other: keep one",
            );
          d.multiMsi = n === 'multi-msi';
        }
        break;
      case 'system-vectors': {
        const r = numberList(v, 'the system vectors', 255);
        if (ctx.ok(file, r)) d.systemVectors = r.value;
        break;
      }
    }
  }
  for (const p of d.repeated) {
    if (t.names.names[t.pName[p]] === 'scope') scope(ctx, d, p);
    else inUse(ctx, d, p);
  }
  if (d.vendor === 'amd' && d.entries !== undefined && d.entries > 2048) {
    const site = d.propSite('entries')!;
    const v = ctx.propValues(file, d.props.get('entries')!);
    const sp = v.n ? valuesSpan(v) : site;
    ctx.report(
      'bad-value',
      file,
      sp.start,
      sp.end,
      `an AMD-Vi remap table is per device and holds 512 entries, or 2048 when the IOMMU advertises 2K support (MAX_IRQS_PER_TABLE_512/_2K, drivers/iommu/amd/amd_iommu_types.h); ${d.entries} is more than the hardware has`,
    );
    d.entries = 2048;
  }
}

function scope(ctx: BindContext, d: Domain, p: number): void {
  const file = d.file;
  const t = file.tree;
  const items = (d.scope ??= []);
  const first = t.pAtoms[p];
  const end = first + t.pNAtoms[p];
  // comma groups
  for (let a = first; a < end;) {
    let b = a + 1;
    while (b < end && !(t.aKind[b] & GROUP_START)) b++;
    const n = b - a;
    const k = t.atomKind(a);
    if (n === 1 && k === At.BusRange) {
      const v2 = t.v2(a);
      const item = {
        kind: 'bus' as const,
        segment: t.v1(a),
        first: v2 >> 8,
        last: v2 & 0xff,
        start: t.aStart[a],
        end: t.aEnd(a),
      };
      items.push(item);
      if (item.first > item.last)
        ctx.report(
          'bad-value',
          file,
          item.start,
          item.end,
          `the bus range ${t.text.slice(item.start, item.end)} runs backwards`,
        );
    } else if (n === 2 && t.isName(a) && (t.nameOf(a) === 'ioapic' || t.nameOf(a) === 'hpet')) {
      const which = t.nameOf(a) as 'ioapic' | 'hpet';
      const r = numberAtom(t, a + 1, `the ${which} ID`, 0, 255);
      if (ctx.ok(file, r)) items.push({ kind: which, id: r.value, start: t.aStart[a], end: t.aEnd(a + 1) });
    } else {
      const words: string[] = [];
      for (let x = a; x < b; x++) words.push(describeAtom(t, x));
      ctx.report(
        'bad-value',
        file,
        t.aStart[a],
        t.aEnd(b - 1),
        `scope items are bus ranges (SSSS:BB-BB), 'ioapic ID' or 'hpet ID'; found '${words.join(' ')}'`,
      );
    }
    a = b;
  }
}

function inUse(ctx: BindContext, d: Domain, p: number): void {
  // in-use CPULIST : VECTORLIST
  const file = d.file;
  const t = file.tree;
  const first = t.pAtoms[p];
  const n = t.pNAtoms[p];
  let colon = -1;
  for (let a = first; a < first + n; a++)
    if (t.atomKind(a) === At.Punct && t.v1(a) === 58) {
      colon = a;
      break;
    }
  if (colon < 0) {
    const sp = n
      ? { start: t.aStart[first], end: t.aEnd(first + n - 1) }
      : { start: t.pStart[p], end: t.pNameEnd(p) };
    ctx.report(
      'bad-value',
      file,
      sp.start,
      sp.end,
      "expected 'in-use CPULIST : VECTORLIST', e.g. in-use 0-3 : 0x20-0x25",
    );
    return;
  }
  const cpus = numberList(
    { t, first, n: colon - first, at: t.pStart[p], atEnd: t.pNameEnd(p) },
    'the CPUs',
    MAX_CPUS - 1,
  );
  const vecs = numberList(
    { t, first: colon + 1, n: first + n - colon - 1, at: t.aStart[colon], atEnd: t.aEnd(colon) },
    'the vectors',
    255,
  );
  if (ctx.ok(file, cpus) && ctx.ok(file, vecs))
    d.inUse.push({ cpus: cpus.value, vectors: vecs.value, start: t.pStart[p], end: t.pEnd(p) });
}

const DEVICE_PROPS = propSet(DEVICE_PROPERTIES);

export function declareDevice(ctx: BindContext, file: SyntaxFile, fileIndex: number, s: number): void {
  const m = ctx.m;
  const t = file.tree;
  const nameAtom = t.sA[s];
  if (!nameOk(ctx, file, nameAtom)) return;
  const name = t.nameOf(nameAtom);
  const D = m.devices;
  const i = D.add(name, fileIndex, s, t.aStart[nameAtom], t.aEnd(nameAtom), t.sStart[s], t.sEnd[s]);
  const prev = m.devicesByName.get(name);
  if (prev !== undefined) {
    const pf = m.files[D.file[prev]];
    ctx.report(
      'duplicate-name',
      file,
      D.nameStart[i],
      D.nameEnd[i],
      `the device '${name}' is declared twice: device names must be unique`,
      [
        {
          file: pf,
          start: D.nameStart[prev],
          end: D.nameEnd[prev],
          message: `'${name}' is first declared here`,
        },
      ],
    );
  } else m.devicesByName.set(name, i);
  eachProperty(ctx, file, s, DEVICE_PROPS, 'a device', (p, n) => bindDeviceProperty(ctx, file, i, p, n));
}

function bindDeviceProperty(ctx: BindContext, file: SyntaxFile, i: number, p: number, n: string): void {
  const D = ctx.m.devices;
  const t = file.tree;
  const v = ctx.propValues(file, p);
  const ref = (what: string): number => {
    const r = nameValue(v, what);
    return ctx.ok(file, r) ? r.value : -1;
  };
  switch (n) {
    case 'pci': {
      const a = single(v, 'a PCI address SSSS:BB:DD.F');
      if (!ctx.ok(file, a)) break;
      const x = a.value;
      if (t.atomKind(x) !== At.Pci) {
        ctx.report(
          'bad-value',
          file,
          t.aStart[x],
          t.aEnd(x),
          `expected a PCI address SSSS:BB:DD.F (e.g. 0000:01:00.0), found '${describeAtom(t, x)}'`,
        );
        break;
      }
      const dev = t.v2(x);
      if (dev > 31) {
        ctx.report(
          'bad-value',
          file,
          t.aStart[x],
          t.aEnd(x),
          `PCI device number 0x${dev.toString(16)} is above 0x1f`,
        );
        break;
      }
      const packed = t.v1(x);
      D.segment[i] = Math.floor(packed / 65536);
      D.rid[i] = packed % 65536;
      break;
    }
    case 'msix': {
      // the upper bound is `msix-table-size`'s to report
      const r = number(v, 'the MSI-X table size', 1, 1 << 16);
      if (ctx.ok(file, r)) D.msix[i] = r.value;
      D.pMsix[i] = p;
      break;
    }
    case 'msi': {
      const r = number(v, 'the number of MSI vectors', 1, 1 << 16);
      if (ctx.ok(file, r)) D.msi[i] = r.value;
      D.pMsi[i] = p;
      break;
    }
    case 'msi-domain':
      D.msiDomainRef[i] = ref('the MSI domain name');
      break;
    case 'ims':
      D.imsRef[i] = ref('the IMS domain name');
      break;
    case 'ntb':
      D.ntbRef[i] = ref('the NTB domain name');
      break;
    case 'ioapic':
      D.ioapicRef[i] = ref('the IO-APIC domain name');
      break;
    case 'windows': {
      const r = number(v, 'the number of NTB memory windows', 1, 64);
      if (ctx.ok(file, r)) D.windows[i] = r.value;
      D.pWindows[i] = p;
      break;
    }
    case 'node': {
      const r = number(v, 'a NUMA node', 0, MAX_NODES - 1);
      if (ctx.ok(file, r)) D.node[i] = r.value;
      break;
    }
    case 'platform':
      if (ctx.flag(file, p)) {
        D.platform[i] = 1;
        D.pPlatform[i] = p;
      }
      break;
    case 'assign': {
      const r = oneOf(v, ['vfio'] as const, 'assignment');
      if (ctx.ok(file, r)) D.assign[i] = Assign.Vfio;
      D.pAssign[i] = p;
      break;
    }
  }
}
