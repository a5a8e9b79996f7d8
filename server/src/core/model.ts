// The semantic model: files (includes resolved), domains (with the implied per-device PCI/MSI
// domains), devices, interrupts (ranges expanded), and every reference linked to its declaration.
// Building it reports the Language findings (unknown names, bad values...); the Layering and
// Capability checks run on the finished model (checks.ts).

import type {
  Atom,
  DeviceStatement,
  DomainStatement,
  ExpectStatement,
  InjectStatement,
  IrqStatement,
  NameNode,
  Property,
  Range,
  SourceFile,
} from './syntax/ast';
import { parse } from './syntax/parser';
import {
  ARCHES,
  DEVICE_PROPERTIES,
  DOMAIN_KINDS,
  IRQ_PROPERTIES,
  IRQ_SOURCES,
  KINDS,
  isDomainKind,
  type Arch,
  type DomainKind,
  type IrqSourceKind,
} from './kinds';
import type { Diagnostic, FileReader, RelatedInformation } from './types';
import {
  bdf,
  describeAtom,
  groupsRange,
  isPowerOfTwo,
  nameValue,
  number,
  numberAtom,
  numberList,
  oneOf,
  single,
  type Result,
} from './values';

/** Includes deeper than this are an `include-error` (a chain of ever-new paths would never end). */
export const MAX_INCLUDE_DEPTH = 64;

/** Linux caps NR_CPUS at 8192 (CONFIG_NR_CPUS_RANGE_END with MAXSMP). */
export const MAX_CPUS = 8192;

export interface Pci {
  segment: number;
  bus: number;
  dev: number;
  fn: number;
  /** requester ID: bus << 8 | devfn */
  rid: number;
  text: string;
}

export type RefKind = 'domain' | 'device' | 'irq';

/** A use of a name, linked to what it names (if anything). */
export interface Ref {
  kind: RefKind;
  name: string;
  uri: string;
  range: Range;
  target: Domain | Device | IrqGroup | undefined;
}

export type ScopeItem =
  | { kind: 'bus'; segment: number; first: number; last: number; range: Range }
  | { kind: 'ioapic'; id: number; range: Range }
  | { kind: 'hpet'; id: number; range: Range };

export interface Domain {
  name: string;
  kind: DomainKind | undefined;
  /** the kind as written (for unknown kinds) */
  kindText: string;
  uri: string;
  /** the declaring name; for implied domains, the device's name */
  nameRange: Range;
  /** the whole statement (for implied domains, the device statement) */
  range: Range;
  implied: boolean;
  /** set for implied per-device domains: the device they serve */
  impliedFor?: Device;
  properties: Map<string, Property>;
  parentRef?: Ref;
  parent?: Domain;
  children: Domain[];
  vendor?: 'intel' | 'amd';
  entries?: number;
  /** undefined: no scope property (a remap then covers everything not claimed: INCLUDE_PCI_ALL) */
  scope?: ScopeItem[];
  id?: number;
  slots?: number;
  deviceRef?: Ref;
  device?: Device;
  pins?: number;
  base?: number;
  multiMsi?: boolean;
  systemVectors?: number[];
  inUse: { cpus: number[]; vectors: number[]; range: Range }[];
  /** devices whose message domain this is */
  servedDevices: Device[];
}

export interface Device {
  name: string;
  uri: string;
  nameRange: Range;
  range: Range;
  properties: Map<string, Property>;
  pci?: Pci;
  msix?: number;
  msi?: number;
  msiDomainRef?: Ref;
  /** the message domain: explicit `msi-domain`, or the implied per-device one */
  msiDomain?: Domain;
  imsRef?: Ref;
  ims?: Domain;
  ntbRef?: Ref;
  ntb?: Domain;
  ioapicRef?: Ref;
  ioapic?: Domain;
  windows?: number;
  platform: boolean;
  assign?: string;
  irqs: Irq[];
  groups: IrqGroup[];
}

export interface IrqSource {
  kind: IrqSourceKind;
  /** msix INDEX, pin N, window W */
  arg?: number;
  range: Range;
}

/** One `irq` statement: a name and an index range. */
export interface IrqGroup {
  device: Device;
  name: string;
  uri: string;
  statement: IrqStatement;
  nameRange: Range;
  first: number | undefined;
  last: number | undefined;
  irqs: Irq[];
}

export interface Irq {
  /** `nvme0.q[1]`, or `nvme0.admin` without an index */
  id: string;
  device: Device;
  group: IrqGroup;
  name: string;
  index: number | undefined;
  uri: string;
  /** the `irq` statement's range */
  range: Range;
  source?: IrqSource;
  affinity?: number[];
  affinityRange?: Range;
  managed: boolean;
  cpu?: { value: number; range: Range };
  vector?: { value: number; range: Range };
  lpi?: { value: number; range: Range };
  masked: boolean;
  counts?: number[];
  /** the endpoint domain the request starts in */
  domain?: Domain;
  /** allocation order (file order, includes first) */
  order: number;
}

export interface ExpectInfo {
  uri: string;
  statement: ExpectStatement;
  targets: Irq[];
}

export interface InjectInfo {
  uri: string;
  statement: InjectStatement;
  address?: number;
  data?: number;
  from?: Device;
}

export interface Model {
  rootUri: string;
  /** every file, in allocation order (includes first, depth-first) */
  files: SourceFile[];
  arch?: Arch;
  archRange?: Range;
  kernel?: { major: number; minor: number; text: string; range: Range; uri: string };
  cpus: number[];
  cpusRange?: Range;
  /** APIC ID per CPU number */
  apicIds: Map<number, number>;
  domains: Domain[];
  domainsByName: Map<string, Domain>;
  devices: Device[];
  devicesByName: Map<string, Device>;
  irqs: Irq[];
  irqsById: Map<string, Irq>;
  roots: Domain[];
  expects: ExpectInfo[];
  injects: InjectInfo[];
  refs: Ref[];
  /** the Language findings (codes of RULES.md section Language), default severities */
  findings: Diagnostic[];
}

export function kernelAtLeast(m: Model, major: number, minor: number): boolean | undefined {
  if (!m.kernel) return undefined;
  return m.kernel.major > major || (m.kernel.major === major && m.kernel.minor >= minor);
}

/** Whether per-device PCI/MSI domains are implied when a device names no `msi-domain`. */
export function perDeviceMsiEra(m: Model): boolean {
  if (!m.kernel) return true;
  if (m.arch === 'arm64') return kernelAtLeast(m, 6, 11) === true;
  if (m.arch === 'x86') return kernelAtLeast(m, 6, 2) === true;
  return true;
}

// ------------------------------------------------------------------------------------------------

/** Resolves `rel` against the folder of `base` (a path or a URI), with `.` and `..` segments. */
export function resolveInclude(base: string, rel: string): string {
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(rel) || rel.startsWith('/')) {
    if (rel.startsWith('/') && /^file:\/\//.test(base)) return 'file://' + normalize(rel);
    return rel.startsWith('/') ? normalize(rel) : rel;
  }
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/]*)(.*)$/.exec(base);
  const prefix = m ? m[1] : '';
  const path = m ? m[2] : base;
  const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/') + 1) : '';
  return prefix + normalize(dir + rel);
}

function normalize(path: string): string {
  const abs = path.startsWith('/');
  const out: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!abs) out.push('..');
    } else out.push(seg);
  }
  return (abs ? '/' : '') + out.join('/');
}

export interface BuildOptions {
  /** reads included files; without it, every include is an `include-error` */
  reader?: FileReader;
  /** already-parsed files by URI (the language server's cache); parsed on demand otherwise */
  parsed?: (uri: string, text: string) => SourceFile;
}

const zeroRange: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

export function buildModel(rootUri: string, rootText: string, options: BuildOptions = {}): Model {
  return new Binder(rootUri, options).build(rootText);
}

class Binder {
  private readonly m: Model;
  private readonly parseFile: (uri: string, text: string) => SourceFile;
  private order = 0;
  private readonly settingsSeen = new Map<string, { uri: string; range: Range }>();

  constructor(
    rootUri: string,
    private readonly options: BuildOptions,
  ) {
    this.parseFile = options.parsed ?? ((uri, text) => parse(text, uri));
    this.m = {
      rootUri,
      files: [],
      cpus: [],
      apicIds: new Map(),
      domains: [],
      domainsByName: new Map(),
      devices: [],
      devicesByName: new Map(),
      irqs: [],
      irqsById: new Map(),
      roots: [],
      expects: [],
      injects: [],
      refs: [],
      findings: [],
    };
  }

  private report(
    code: string,
    uri: string,
    range: Range,
    message: string,
    related: RelatedInformation[] = [],
  ): void {
    this.m.findings.push({ uri, range, severity: 'error', code, message, related });
  }

  build(rootText: string): Model {
    const m = this.m;
    this.loadFiles(m.rootUri, rootText, []);
    // declarations first (all files), then references, then interrupts in allocation order
    for (const f of m.files) this.declare(f);
    this.applyApicIds();
    if (!m.arch) {
      this.report(
        'missing-property',
        m.rootUri,
        zeroRange,
        'the topology has no `arch` statement: add `arch x86`, `arch arm64` or `arch riscv` (it selects the domain kinds, limits and message formats)',
      );
    }
    if (!m.cpusRange) {
      this.report(
        'missing-property',
        m.rootUri,
        zeroRange,
        'the topology has no `cpus` statement: add the online CPUs, e.g. `cpus 0-7`',
      );
    }
    for (const d of m.domains) this.bindDomain(d);
    for (const d of m.devices) this.bindDevice(d);
    this.implyDomains();
    for (const f of m.files) this.bindUses(f);
    for (const d of m.domains) {
      if (!d.kind) continue;
      if (KINDS[d.kind].root) m.roots.push(d);
    }
    return m;
  }

  // ---- files -----------------------------------------------------------------------------------

  private loadFiles(uri: string, text: string, stack: string[]): void {
    if (this.m.files.some((f) => f.uri === uri)) return; // included twice: once is enough
    const file = this.parseFile(uri, text);
    for (const e of file.errors) this.report('syntax', uri, e.range, e.message);
    const inner = [...stack, uri];
    for (const st of file.statements) {
      if (st.type !== 'include' || !st.path) continue;
      const target = resolveInclude(uri, st.path.value);
      if (inner.length >= MAX_INCLUDE_DEPTH) {
        this.report(
          'include-error',
          uri,
          st.path.range,
          `"${st.path.value}" would nest includes more than ${MAX_INCLUDE_DEPTH} files deep (${inner[0]} -> ... -> ${uri}): a topology's includes must end`,
        );
        continue;
      }
      if (inner.includes(target)) {
        this.report(
          'include-error',
          uri,
          st.path.range,
          target === uri
            ? `"${st.path.value}" includes this file itself: remove the include`
            : `"${st.path.value}" closes an include cycle (${[...inner.slice(inner.indexOf(target)), target].join(' -> ')}): includes may not loop`,
        );
        continue;
      }
      const reader = this.options.reader;
      const read = reader ? safeRead(reader, target) : new Error('no file reader was given');
      if (read instanceof Error) {
        this.report(
          'include-error',
          uri,
          st.path.range,
          `cannot read "${st.path.value}" (${target}): ${read.message}`,
        );
        continue;
      }
      this.loadFiles(target, read, inner);
    }
    this.m.files.push(file);
  }

  // ---- declarations ----------------------------------------------------------------------------

  private declare(f: SourceFile): void {
    for (const st of f.statements) {
      switch (st.type) {
        case 'setting':
          this.setting(f.uri, st.keyword, st.groups, st.range);
          break;
        case 'domain':
          this.declareDomain(f.uri, st);
          break;
        case 'device':
          this.declareDevice(f.uri, st);
          break;
      }
    }
  }

  private setting(uri: string, keyword: NameNode, groups: Atom[][], range: Range): void {
    const m = this.m;
    const kw = keyword.value;
    const prev = this.settingsSeen.get(kw);
    if (prev) {
      this.report('bad-value', uri, keyword.range, `'${kw}' is given twice: a topology has one`, [
        { uri: prev.uri, range: prev.range, message: `the first '${kw}'` },
      ]);
      return;
    }
    this.settingsSeen.set(kw, { uri, range: keyword.range });
    const where = groupsRange(groups, range);
    switch (kw) {
      case 'arch': {
        const r = oneOf(groups, ARCHES, 'architecture', keyword.range);
        if (this.ok(uri, r)) {
          m.arch = r.value;
          m.archRange = where;
        }
        break;
      }
      case 'kernel': {
        const a = single(groups, 'a kernel version such as 6.8', keyword.range);
        if (!this.ok(uri, a)) break;
        const v = a.value;
        if (v.kind === 'version')
          m.kernel = { major: v.major, minor: v.minor, text: v.text, range: v.range, uri };
        else if (v.kind === 'number')
          m.kernel = { major: v.value, minor: 0, text: v.text, range: v.range, uri };
        else
          this.report(
            'bad-value',
            uri,
            v.range,
            `expected a kernel version such as 6.8, found '${describeAtom(v)}'`,
          );
        break;
      }
      case 'cpus': {
        const r = numberList(groups, 'the online CPUs', keyword.range, MAX_CPUS - 1);
        if (this.ok(uri, r)) {
          m.cpus = r.value;
          m.cpusRange = where;
        }
        break;
      }
      case 'apic-ids': {
        // in CPU order: not deduplicated or sorted, so expand by hand
        const ids: number[] = [];
        for (const g of groups)
          for (const a of g) {
            if (a.kind === 'number') ids.push(a.value);
            else if (a.kind === 'range' && a.first <= a.last && a.last - a.first < 1 << 16)
              for (let v = a.first; v <= a.last; v++) ids.push(v);
            else {
              this.report(
                'bad-value',
                uri,
                a.range,
                `apic-ids: expected numbers and ranges in CPU order, found '${describeAtom(a)}'`,
              );
              return;
            }
          }
        this.pendingApic = { ids, uri, range: where };
        break;
      }
    }
  }

  private pendingApic: { ids: number[]; uri: string; range: Range } | undefined;

  private applyApicIds(): void {
    const m = this.m;
    const p = this.pendingApic;
    if (!p) {
      for (const c of m.cpus) m.apicIds.set(c, c);
      return;
    }
    if (p.ids.length !== m.cpus.length) {
      this.report(
        'bad-value',
        p.uri,
        p.range,
        `apic-ids lists ${p.ids.length} APIC IDs for ${m.cpus.length} CPUs: give one per CPU, in CPU order`,
        m.cpusRange ? [{ uri: m.rootUri, range: m.cpusRange, message: 'the CPUs' }] : [],
      );
    }
    m.cpus.forEach((c, i) => m.apicIds.set(c, i < p.ids.length ? p.ids[i] : c));
  }

  private ok<T>(uri: string, r: Result<T>): r is { ok: true; value: T } {
    if (!r.ok) this.report('bad-value', uri, r.range, r.message);
    return r.ok;
  }

  private declareDomain(uri: string, st: DomainStatement): void {
    const m = this.m;
    const name = st.name.value;
    const kindText = st.kind?.value ?? '';
    let kind: DomainKind | undefined;
    if (st.kind) {
      if (isDomainKind(kindText)) kind = kindText;
      else
        this.report(
          'unknown-kind',
          uri,
          st.kind.range,
          `'${kindText}' is not a domain kind: expected one of ${DOMAIN_KINDS.join(', ')}`,
        );
    }
    const d: Domain = {
      name,
      kind,
      kindText,
      uri,
      nameRange: st.name.range,
      range: st.range,
      implied: false,
      properties: new Map(),
      children: [],
      inUse: [],
      servedDevices: [],
    };
    const prev = m.domainsByName.get(name);
    if (prev) {
      this.report(
        'duplicate-name',
        uri,
        st.name.range,
        `the domain '${name}' is declared twice: domain names must be unique`,
        [{ uri: prev.uri, range: prev.nameRange, message: `'${name}' is first declared here` }],
      );
    } else m.domainsByName.set(name, d);
    m.domains.push(d);
    this.collectProperties(
      uri,
      st.block?.properties ?? [],
      d.properties,
      kind ? KINDS[kind].properties : undefined,
      kind ? `a ${kind} domain` : undefined,
    );
  }

  private declareDevice(uri: string, st: DeviceStatement): void {
    const m = this.m;
    const name = st.name.value;
    const d: Device = {
      name,
      uri,
      nameRange: st.name.range,
      range: st.range,
      properties: new Map(),
      platform: false,
      irqs: [],
      groups: [],
    };
    const prev = m.devicesByName.get(name);
    if (prev) {
      this.report(
        'duplicate-name',
        uri,
        st.name.range,
        `the device '${name}' is declared twice: device names must be unique`,
        [{ uri: prev.uri, range: prev.nameRange, message: `'${name}' is first declared here` }],
      );
    } else m.devicesByName.set(name, d);
    m.devices.push(d);
    this.collectProperties(uri, st.block?.properties ?? [], d.properties, DEVICE_PROPERTIES, 'a device');
  }

  private collectProperties(
    uri: string,
    props: Property[],
    into: Map<string, Property>,
    allowed: readonly string[] | undefined,
    owner: string | undefined,
  ): void {
    for (const p of props) {
      const n = p.name.value;
      if (allowed && !allowed.includes(n)) {
        this.report(
          'unknown-property',
          uri,
          p.name.range,
          `'${n}' is not a property of ${owner}: ${allowed.length ? `expected one of ${allowed.join(', ')}` : 'it takes none'}`,
        );
        continue;
      }
      const prev = into.get(n);
      if (prev && n !== 'in-use' && n !== 'scope') {
        this.report('bad-value', uri, p.name.range, `'${n}' is given twice`, [
          { uri, range: prev.name.range, message: `the first '${n}'` },
        ]);
        continue;
      }
      if (prev && (n === 'in-use' || n === 'scope')) {
        // repeatable: keep them all, chained through a synthetic list
        into.set(n + '#' + into.size, p);
        continue;
      }
      into.set(n, p);
    }
  }

  private ref(kind: RefKind, uri: string, name: string, range: Range): Ref {
    const r: Ref = { kind, name, uri, range, target: undefined };
    this.m.refs.push(r);
    return r;
  }

  /** a reference to a domain by name; unresolved ones are reported once all domains are known */
  private domainRef(uri: string, p: Property, what: string): Ref | undefined {
    const v = nameValue(p.groups, what, p.name.range);
    if (!this.ok(uri, v)) return undefined;
    return this.ref('domain', uri, v.value.value, v.value.range);
  }

  private flag(uri: string, p: Property): boolean {
    if (p.groups.length > 0) {
      this.report(
        'bad-value',
        uri,
        groupsRange(p.groups, p.range),
        `'${p.name.value}' is a flag and takes no value`,
      );
      return false;
    }
    return true;
  }

  private bindDomain(d: Domain): void {
    this.bindDomainProperties(d);
    const entries = d.properties.get('entries');
    if (d.vendor === 'amd' && d.entries !== undefined && d.entries > 2048 && entries) {
      this.report(
        'bad-value',
        d.uri,
        groupsRange(entries.groups, entries.range),
        `an AMD-Vi remap table is per device and holds 512 entries, or 2048 when the IOMMU advertises 2K support (MAX_IRQS_PER_TABLE_512/_2K, drivers/iommu/amd/amd_iommu_types.h); ${d.entries} is more than the hardware has`,
      );
      d.entries = 2048;
    }
  }

  private bindDomainProperties(d: Domain): void {
    const uri = d.uri;
    for (const [key, p] of d.properties) {
      const n = key.includes('#') ? key.slice(0, key.indexOf('#')) : key;
      switch (n) {
        case 'parent':
          d.parentRef = this.domainRef(uri, p, 'the parent domain name');
          break;
        case 'vendor': {
          const r = oneOf(p.groups, ['intel', 'amd'] as const, 'remap vendor', p.name.range);
          if (this.ok(uri, r)) d.vendor = r.value;
          break;
        }
        case 'entries': {
          const r = number(p.groups, 'the remap table size', p.name.range, 1, 1 << 16);
          if (this.ok(uri, r)) d.entries = r.value;
          break;
        }
        case 'scope':
          this.scope(d, p);
          break;
        case 'id': {
          const r = number(p.groups, 'an ID', p.name.range, 0, 255);
          if (this.ok(uri, r)) d.id = r.value;
          break;
        }
        case 'slots': {
          const r = number(p.groups, 'the number of IMS slots', p.name.range, 1, 1 << 16);
          if (this.ok(uri, r)) d.slots = r.value;
          break;
        }
        case 'pins': {
          const r = number(p.groups, 'the number of IO-APIC pins', p.name.range, 1, 240);
          if (this.ok(uri, r)) d.pins = r.value;
          break;
        }
        case 'base': {
          const r = number(p.groups, 'the ITS physical base address', p.name.range);
          if (this.ok(uri, r)) {
            if (r.value % 0x10000 !== 0)
              this.report(
                'bad-value',
                uri,
                groupsRange(p.groups, p.range),
                'the ITS base must be 64 KiB aligned (GITS_CTLR frame)',
              );
            else d.base = r.value;
          }
          break;
        }
        case 'device': {
          const v = nameValue(p.groups, 'the device name', p.name.range);
          if (this.ok(uri, v)) d.deviceRef = this.ref('device', uri, v.value.value, v.value.range);
          break;
        }
        case 'multi-msi':
        case 'no-multi-msi':
          if (this.flag(uri, p)) {
            if (d.multiMsi !== undefined)
              this.report(
                'bad-value',
                uri,
                p.name.range,
                "'multi-msi' and 'no-multi-msi' contradict each other: keep one",
              );
            d.multiMsi = n === 'multi-msi';
          }
          break;
        case 'system-vectors': {
          const r = numberList(p.groups, 'the system vectors', p.name.range, 255);
          if (this.ok(uri, r)) d.systemVectors = r.value;
          break;
        }
        case 'in-use':
          this.inUse(d, p);
          break;
      }
    }
  }

  private scope(d: Domain, p: Property): void {
    const items: ScopeItem[] = d.scope ?? [];
    for (const g of p.groups) {
      const a = g[0];
      if (g.length === 1 && a.kind === 'busrange') {
        items.push({ kind: 'bus', segment: a.segment, first: a.first, last: a.last, range: a.range });
        if (a.first > a.last)
          this.report('bad-value', d.uri, a.range, `the bus range ${a.text} runs backwards`);
        continue;
      }
      if (g.length === 2 && a.kind === 'name' && (a.value === 'ioapic' || a.value === 'hpet')) {
        const r = numberAtom(g[1], `the ${a.value} ID`, 0, 255);
        if (this.ok(d.uri, r))
          items.push({ kind: a.value, id: r.value, range: { start: a.range.start, end: g[1].range.end } });
        continue;
      }
      const r: Range = { start: g[0].range.start, end: g[g.length - 1].range.end };
      this.report(
        'bad-value',
        d.uri,
        r,
        `scope items are bus ranges (SSSS:BB-BB), 'ioapic ID' or 'hpet ID'; found '${g.map(describeAtom).join(' ')}'`,
      );
    }
    d.scope = items;
  }

  private inUse(d: Domain, p: Property): void {
    // in-use CPULIST : VECTORLIST
    const atoms = p.groups.flat();
    const colon = atoms.findIndex((a) => a.kind === 'punct' && a.value === ':');
    if (colon < 0) {
      this.report(
        'bad-value',
        d.uri,
        groupsRange(p.groups, p.name.range),
        "expected 'in-use CPULIST : VECTORLIST', e.g. in-use 0-3 : 0x20-0x25",
      );
      return;
    }
    const cpuAtoms = atoms.slice(0, colon);
    const vecAtoms = atoms.slice(colon + 1);
    const cpus = numberList([cpuAtoms], 'the CPUs', p.name.range, MAX_CPUS - 1);
    const vecs = numberList([vecAtoms], 'the vectors', atoms[colon].range, 255);
    if (this.ok(d.uri, cpus) && this.ok(d.uri, vecs))
      d.inUse.push({ cpus: cpus.value, vectors: vecs.value, range: p.range });
  }

  private bindDevice(d: Device): void {
    const uri = d.uri;
    for (const [n, p] of d.properties) {
      switch (n) {
        case 'pci': {
          const a = single(p.groups, 'a PCI address SSSS:BB:DD.F', p.name.range);
          if (!this.ok(uri, a)) break;
          const v = a.value;
          if (v.kind !== 'pci') {
            this.report(
              'bad-value',
              uri,
              v.range,
              `expected a PCI address SSSS:BB:DD.F (e.g. 0000:01:00.0), found '${describeAtom(v)}'`,
            );
            break;
          }
          if (v.dev > 31) {
            this.report('bad-value', uri, v.range, `PCI device number 0x${v.dev.toString(16)} is above 0x1f`);
            break;
          }
          d.pci = {
            segment: v.segment,
            bus: v.bus,
            dev: v.dev,
            fn: v.fn,
            rid: (v.bus << 8) | (v.dev << 3) | v.fn,
            text: bdf(v),
          };
          break;
        }
        case 'msix': {
          // the upper bound is `msix-table-size`'s to report
          const r = number(p.groups, 'the MSI-X table size', p.name.range, 1, 1 << 16);
          if (this.ok(uri, r)) d.msix = r.value;
          break;
        }
        case 'msi': {
          const r = number(p.groups, 'the number of MSI vectors', p.name.range, 1, 1 << 16);
          if (this.ok(uri, r)) d.msi = r.value;
          break;
        }
        case 'msi-domain':
          d.msiDomainRef = this.domainRef(uri, p, 'the MSI domain name');
          break;
        case 'ims':
          d.imsRef = this.domainRef(uri, p, 'the IMS domain name');
          break;
        case 'ntb':
          d.ntbRef = this.domainRef(uri, p, 'the NTB domain name');
          break;
        case 'ioapic':
          d.ioapicRef = this.domainRef(uri, p, 'the IO-APIC domain name');
          break;
        case 'windows': {
          const r = number(p.groups, 'the number of NTB memory windows', p.name.range, 1, 64);
          if (this.ok(uri, r)) d.windows = r.value;
          break;
        }
        case 'platform':
          if (this.flag(uri, p)) d.platform = true;
          break;
        case 'assign': {
          const r = oneOf(p.groups, ['vfio'] as const, 'assignment', p.name.range);
          if (this.ok(uri, r)) d.assign = r.value;
          break;
        }
      }
    }
  }

  // ---- references ------------------------------------------------------------------------------

  private resolveDomain(r: Ref | undefined, expected?: readonly DomainKind[]): Domain | undefined {
    if (!r) return undefined;
    const d = this.m.domainsByName.get(r.name);
    r.target = d;
    if (!d) {
      this.unknown(r);
      return undefined;
    }
    if (expected && d.kind && !expected.includes(d.kind)) {
      this.report(
        'bad-value',
        r.uri,
        r.range,
        `'${r.name}' is a ${d.kind} domain; expected ${expected.join(' or ')}`,
        [{ uri: d.uri, range: d.nameRange, message: `'${r.name}' is declared here` }],
      );
    }
    return d;
  }

  private unknown(r: Ref): void {
    const pool =
      r.kind === 'domain'
        ? [...this.m.domainsByName.keys()]
        : r.kind === 'device'
          ? [...this.m.devicesByName.keys()]
          : [...this.m.irqsById.keys()];
    const near = closest(r.name, pool);
    this.report(
      'unknown-name',
      r.uri,
      r.range,
      `no ${r.kind} is named '${r.name}'${near ? `: did you mean '${near}'?` : ''}`,
    );
  }

  /** Links parents and the device links, then creates the implied per-device domains. */
  private implyDomains(): void {
    const m = this.m;
    // device links first (they decide which per-device domains are implied)
    for (const d of m.domains) {
      if (d.deviceRef) {
        const dev = m.devicesByName.get(d.deviceRef.name);
        d.deviceRef.target = dev;
        if (!dev) this.unknown(d.deviceRef);
        else d.device = dev;
      }
    }
    for (const dev of m.devices) {
      const md = this.resolveDomain(dev.msiDomainRef, [
        'pci-msi',
        'platform-msi',
        'hpet',
        'dmar-msi',
        'ntb',
        'aplic',
      ]);
      if (md) {
        dev.msiDomain = md;
        md.servedDevices.push(dev);
      }
      dev.ims = this.resolveDomain(dev.imsRef, ['ims', 'platform-msi']);
      dev.ntb = this.resolveDomain(dev.ntbRef, ['ntb']);
      dev.ioapic = this.resolveDomain(dev.ioapicRef, ['ioapic']);
      if (dev.ims) dev.ims.servedDevices.push(dev);
      if (dev.ntb && !dev.ntb.servedDevices.includes(dev)) dev.ntb.servedDevices.push(dev);
    }
    // an ims/ntb domain naming its device serves it too
    for (const d of m.domains) {
      const dev = d.device;
      if (!dev || !d.kind) continue;
      if (d.kind === 'ims' && !dev.ims) dev.ims = d;
      if (d.kind === 'ntb' && !dev.ntb) dev.ntb = d;
      if (d.kind === 'pci-msi' && !dev.msiDomain) dev.msiDomain = d;
      if (!d.servedDevices.includes(dev)) d.servedDevices.push(dev);
    }
    if (perDeviceMsiEra(m)) this.createImplied();
    // then parents, which may name implied domains
    for (const d of m.domains) {
      if (d.implied || !d.parentRef) continue;
      const p = this.resolveDomain(d.parentRef);
      if (p) {
        d.parent = p;
        p.children.push(d);
      }
    }
  }

  /** The per-device PCI/MSI domains the kernel (x86 >= 6.2, arm64 >= 6.11) creates on its own. */
  private createImplied(): void {
    const m = this.m;
    for (const dev of m.devices) {
      if (dev.msiDomain || dev.msiDomainRef || dev.platform || !dev.pci) continue;
      if (m.devicesByName.get(dev.name) !== dev) continue; // a duplicate declaration: reported already
      const usesMsi = this.deviceUsesSource(dev, 'msi');
      const usesMsix =
        this.deviceUsesSource(dev, 'msix') ||
        this.deviceUsesSource(dev, 'virtual') ||
        (this.deviceUsesSource(dev, 'window') && !dev.ntb);
      if (!usesMsi && !usesMsix && dev.msix === undefined && dev.msi === undefined) continue;
      const msix = usesMsix || (!usesMsi && dev.msix !== undefined);
      const parent = msiParentFor(m, dev.pci);
      const prefix = parent?.kind === 'remap' ? 'IR-' : parent?.kind === 'its' ? 'ITS-' : '';
      const name = `${prefix}${msix ? 'PCI-MSIX' : 'PCI-MSI'}-${dev.pci.text}`;
      const d: Domain = {
        name,
        kind: 'pci-msi',
        kindText: 'pci-msi',
        uri: dev.uri,
        nameRange: dev.nameRange,
        range: dev.range,
        implied: true,
        impliedFor: dev,
        properties: new Map(),
        children: [],
        inUse: [],
        servedDevices: [dev],
        parent,
        device: dev,
      };
      if (parent) parent.children.push(d);
      const prev = m.domainsByName.get(name);
      if (prev) {
        this.report(
          'duplicate-name',
          prev.uri,
          prev.nameRange,
          `'${name}' is also the name of the per-device domain the kernel creates for ${dev.name}: rename this domain, or give ${dev.name} an explicit msi-domain`,
          [{ uri: dev.uri, range: dev.nameRange, message: `${dev.name} implies ${name}` }],
        );
      } else m.domainsByName.set(name, d);
      m.domains.push(d);
      dev.msiDomain = d;
    }
  }

  private deviceUsesSource(dev: Device, kind: IrqSourceKind): boolean {
    return this.groupStatements(dev).some((st) => st.source?.kind.value === kind);
  }

  private readonly irqStatementsByDevice = new Map<string, IrqStatement[]>();

  private groupStatements(dev: Device): IrqStatement[] {
    if (this.irqStatementsByDevice.size === 0) {
      for (const f of this.m.files)
        for (const st of f.statements)
          if (st.type === 'irq') {
            const list = this.irqStatementsByDevice.get(st.target.device.value);
            if (list) list.push(st);
            else this.irqStatementsByDevice.set(st.target.device.value, [st]);
          }
      if (this.irqStatementsByDevice.size === 0) this.irqStatementsByDevice.set('', []);
    }
    return this.irqStatementsByDevice.get(dev.name) ?? [];
  }

  /** irq, expect, inject: in file order (includes first), after every declaration. */
  private bindUses(f: SourceFile): void {
    for (const st of f.statements) {
      if (st.type === 'irq') this.irq(f.uri, st);
    }
    for (const st of f.statements) {
      if (st.type === 'expect') this.expect(f.uri, st);
      else if (st.type === 'inject') this.inject(f.uri, st);
    }
  }

  private irq(uri: string, st: IrqStatement): void {
    const m = this.m;
    const t = st.target;
    const devRef = this.ref('device', uri, t.device.value, t.device.range);
    const dev = m.devicesByName.get(t.device.value);
    devRef.target = dev;
    if (!dev) {
      this.unknown(devRef);
      return;
    }
    if (!t.name) return; // syntax error already reported
    const first = t.index?.first;
    const last = t.index?.last;
    if (first !== undefined && last !== undefined) {
      if (first > last) {
        this.report('bad-value', uri, t.index!.range, `the index range [${first}..${last}] runs backwards`);
        return;
      }
      if (last - first >= 1 << 16) {
        this.report(
          'bad-value',
          uri,
          t.index!.range,
          `[${first}..${last}] declares more than 65536 interrupts (MSI_MAX_INDEX is USHRT_MAX)`,
        );
        return;
      }
    }
    const group: IrqGroup = {
      device: dev,
      name: t.name.value,
      uri,
      statement: st,
      nameRange: t.range,
      first,
      last,
      irqs: [],
    };
    // source
    let source: IrqSource | undefined;
    if (st.source) {
      const k = st.source.kind.value;
      if (!(IRQ_SOURCES as readonly string[]).includes(k)) {
        this.report(
          'bad-value',
          uri,
          st.source.kind.range,
          `'${k}' is not an interrupt source: expected one of ${IRQ_SOURCES.join(', ')}`,
        );
      } else {
        source = { kind: k as IrqSourceKind, range: st.source.range };
        const args = st.source.args;
        const needsArg = k === 'pin' || k === 'window';
        const takesArg = needsArg || k === 'msix';
        if (args.length > 1 || (args.length === 1 && !takesArg)) {
          const extra = args[takesArg ? 1 : 0];
          this.report(
            'bad-value',
            uri,
            extra.range,
            `unexpected '${describeAtom(extra)}' after the source '${k}'`,
          );
        } else if (args.length === 1) {
          const r = numberAtom(
            args[0],
            k === 'msix' ? 'an MSI-X index' : k === 'pin' ? 'a pin number' : 'a window number',
            0,
            1 << 16,
          );
          if (this.ok(uri, r)) source.arg = r.value;
        } else if (needsArg) {
          this.report(
            'bad-value',
            uri,
            st.source.kind.range,
            k === 'pin'
              ? "'pin' needs the IO-APIC pin number: pin N"
              : "'window' needs the memory window number: window W",
          );
        }
      }
    }
    // properties
    const props = new Map<string, Property>();
    this.collectProperties(uri, st.block?.properties ?? [], props, IRQ_PROPERTIES, 'an interrupt');
    const common: Partial<Irq> = { managed: false, masked: false };
    for (const [n, p] of props) {
      switch (n) {
        case 'affinity': {
          const r = numberList(p.groups, 'the affinity CPUs', p.name.range, MAX_CPUS - 1);
          if (this.ok(uri, r)) {
            common.affinity = r.value;
            common.affinityRange = groupsRange(p.groups, p.range);
          }
          break;
        }
        case 'managed':
          if (this.flag(uri, p)) common.managed = true;
          break;
        case 'masked':
          if (this.flag(uri, p)) common.masked = true;
          break;
        case 'cpu': {
          const r = number(p.groups, 'a CPU number', p.name.range, 0, MAX_CPUS - 1);
          if (this.ok(uri, r)) common.cpu = { value: r.value, range: groupsRange(p.groups, p.range) };
          break;
        }
        case 'vector': {
          const r = number(p.groups, 'a vector', p.name.range, 0, 255);
          if (this.ok(uri, r)) common.vector = { value: r.value, range: groupsRange(p.groups, p.range) };
          break;
        }
        case 'lpi': {
          const r = number(p.groups, 'an LPI INTID', p.name.range, 8192, (1 << 24) - 1);
          if (this.ok(uri, r)) common.lpi = { value: r.value, range: groupsRange(p.groups, p.range) };
          break;
        }
        case 'counts': {
          const counts: number[] = [];
          for (const a of p.groups.flat()) {
            if (a.kind === 'number') counts.push(a.value);
            else {
              this.report(
                'bad-value',
                uri,
                a.range,
                `counts: expected per-CPU numbers, found '${describeAtom(a)}'`,
              );
              break;
            }
          }
          common.counts = counts;
          break;
        }
      }
    }
    const indices = first === undefined ? [undefined] : range(first, last!);
    for (const index of indices) {
      const id = index === undefined ? `${dev.name}.${group.name}` : `${dev.name}.${group.name}[${index}]`;
      const irq: Irq = {
        id,
        device: dev,
        group,
        name: group.name,
        index,
        uri,
        range: st.range,
        source,
        managed: common.managed ?? false,
        masked: common.masked ?? false,
        affinity: common.affinity,
        affinityRange: common.affinityRange,
        cpu: common.cpu,
        vector: common.vector,
        lpi: common.lpi,
        counts: common.counts,
        order: this.order++,
      };
      const prev = m.irqsById.get(id);
      if (prev) {
        this.report('duplicate-name', uri, t.range, `the interrupt ${id} is declared twice`, [
          { uri: prev.uri, range: prev.group.nameRange, message: `${id} is first declared here` },
        ]);
        continue;
      }
      m.irqsById.set(id, irq);
      m.irqs.push(irq);
      group.irqs.push(irq);
      dev.irqs.push(irq);
    }
    dev.groups.push(group);
    this.refIrq(uri, t.range, group);
    this.endpoint(group);
  }

  /** the endpoint domain of each interrupt of a group */
  private endpoint(g: IrqGroup): void {
    const dev = g.device;
    const m = this.m;
    for (const irq of g.irqs) {
      const s = irq.source;
      if (!s) continue;
      switch (s.kind) {
        case 'msix':
        case 'msi':
        case 'virtual':
          irq.domain = dev.msiDomain;
          break;
        case 'ims':
          irq.domain = dev.ims;
          break;
        case 'window':
          irq.domain = dev.ntb ?? dev.msiDomain;
          break;
        case 'pin': {
          if (dev.ioapic) irq.domain = dev.ioapic;
          else {
            const ioapics = m.domains.filter((d) => d.kind === 'ioapic');
            if (ioapics.length === 1) irq.domain = ioapics[0];
          }
          break;
        }
      }
    }
  }

  private expect(uri: string, st: ExpectStatement): void {
    const targets = this.irqTargets(uri, st.target);
    this.m.expects.push({ uri, statement: st, targets });
    for (const c of st.clauses) {
      if (c.name.value === 'path') {
        for (const a of c.args)
          if (a.kind === 'name') this.resolveDomain(this.ref('domain', uri, a.value, a.range));
      }
    }
  }

  /** The interrupts an expect names: `d.q[3]` one, `d.q` all of the group. */
  private irqTargets(uri: string, t: ExpectStatement['target']): Irq[] {
    const m = this.m;
    const devRef = this.ref('device', uri, t.device.value, t.device.range);
    const dev = m.devicesByName.get(t.device.value);
    devRef.target = dev;
    if (!dev) {
      this.unknown(devRef);
      return [];
    }
    if (!t.name) return [];
    const name = t.name.value;
    const groups = dev.groups.filter((g) => g.name === name);
    const nameRange: Range = { start: t.name.range.start, end: t.range.end };
    if (groups.length === 0) {
      const near = closest(name, [...new Set(dev.groups.map((g) => g.name))]);
      this.report(
        'unknown-name',
        uri,
        nameRange,
        `${dev.name} has no interrupt named '${name}'${near ? `: did you mean '${near}'?` : ''}`,
      );
      this.refIrq(uri, nameRange, undefined);
      return [];
    }
    this.refIrq(uri, nameRange, groups[0]);
    const irqs = groups.flatMap((g) => g.irqs);
    if (!t.index) return irqs;
    const picked = irqs.filter(
      (i) => i.index !== undefined && i.index >= t.index!.first && i.index <= t.index!.last,
    );
    if (picked.length === 0) {
      const idx = irqs.map((i) => i.index).filter((i): i is number => i !== undefined);
      this.report(
        'unknown-name',
        uri,
        t.index.range,
        `${dev.name}.${name} has no index ${t.index.first === t.index.last ? t.index.first : `${t.index.first}..${t.index.last}`}${idx.length ? ` (declared: ${Math.min(...idx)}..${Math.max(...idx)})` : ' (it is declared without an index)'}`,
      );
    }
    return picked;
  }

  private inject(uri: string, st: InjectStatement): void {
    const info: InjectInfo = { uri, statement: st };
    if (st.address) {
      const r = numberAtom(st.address, 'the written address', 0, 2 ** 52);
      if (this.ok(uri, r)) info.address = r.value;
    }
    if (st.data) {
      const r = numberAtom(st.data, 'the written data', 0, 0xffffffff);
      if (this.ok(uri, r)) info.data = r.value;
    }
    if (st.from) {
      const ref = this.ref('device', uri, st.from.value, st.from.range);
      const dev = this.m.devicesByName.get(st.from.value);
      ref.target = dev;
      if (!dev) this.unknown(ref);
      info.from = dev;
    }
    this.m.injects.push(info);
  }

  /** irq refs carry the group as target; the Ref's name is `dev.name` */
  private refIrq(uri: string, range: Range, g: IrqGroup | undefined): Ref {
    const r: Ref = { kind: 'irq', name: g ? `${g.device.name}.${g.name}` : '', uri, range, target: g };
    this.m.refs.push(r);
    return r;
  }
}

function safeRead(reader: FileReader, uri: string): string | Error {
  try {
    return reader(uri);
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

function range(a: number, b: number): number[] {
  const out: number[] = [];
  for (let i = a; i <= b; i++) out.push(i);
  return out;
}

/** The remap/its unit whose scope holds a bus (explicit scopes first, then an INCLUDE_PCI_ALL unit). */
const unitCache = new WeakMap<Model, { units: Domain[]; msiRoot: Domain | undefined }>();

/** The declared remap/its units and the MSI-parent root, computed once per model. */
function unitsOf(m: Model): { units: Domain[]; msiRoot: Domain | undefined } {
  let c = unitCache.get(m);
  if (!c) {
    c = {
      units: m.domains.filter((d) => !d.implied && (d.kind === 'remap' || d.kind === 'its')),
      msiRoot: m.domains.find((d) => d.kind && KINDS[d.kind].root && KINDS[d.kind].msiParent),
    };
    unitCache.set(m, c);
  }
  return c;
}

export function msiParentFor(m: Model, pci: Pci | undefined): Domain | undefined {
  const { units, msiRoot } = unitsOf(m);
  if (pci) {
    for (const u of units)
      if (
        u.scope?.some(
          (s) => s.kind === 'bus' && s.segment === pci.segment && pci.bus >= s.first && pci.bus <= s.last,
        )
      )
        return u;
  }
  const all = units.find((u) => u.scope === undefined);
  if (all) return all;
  if (!pci) return undefined;
  return msiRoot;
}

/** The remap unit whose scope names an IO-APIC or HPET id (or the INCLUDE_PCI_ALL unit). */
export function remapForId(m: Model, kind: 'ioapic' | 'hpet', id: number | undefined): Domain | undefined {
  const units = m.domains.filter((d) => d.kind === 'remap');
  if (id !== undefined)
    for (const u of units) if (u.scope?.some((s) => s.kind === kind && s.id === id)) return u;
  return units.find((u) => u.scope === undefined);
}

/** Levenshtein distance, bounded: suggestions for `unknown-name`. */
export function closest(name: string, pool: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Math.max(2, Math.floor(name.length / 3)) + 1;
  const lower = name.toLowerCase();
  for (const cand of pool) {
    if (Math.abs(cand.length - name.length) >= bestD) continue;
    const d = cand.toLowerCase() === lower ? 0.5 : distance(lower, cand.toLowerCase(), bestD);
    if (d < bestD) {
      bestD = d;
      best = cand;
    }
  }
  return best;
}

function distance(a: string, b: string, cap: number): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin >= cap) return cap;
    prev = cur;
  }
  return prev[b.length];
}

export { isPowerOfTwo };
