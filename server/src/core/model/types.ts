// The semantic model's shapes. Domains stay objects (they are few, and every layer walks their
// chains); devices and interrupt groups are columns (a row per device, a row per `irq` statement:
// `irq x.q[0..7]` is one row, not eight objects); interrupts exist only as indices. Places are
// offsets in a file; ranges are computed when a result leaves the core.

import type { Arch, DomainKind } from '../kinds';
import type { Range } from '../syntax/ast';
import type { SyntaxFile } from '../syntax/view';
import type { Finding } from '../diagnostics';
import { grow32, grow8 } from '../syntax/columns';

/** A place in a file. */
export interface Site {
  file: SyntaxFile;
  start: number;
  end: number;
}

export function rangeOf(s: Site): Range {
  return s.file.range(s.start, s.end);
}

/** A use of a domain or device name (a `parent`, `msi-domain`, `device` value...). */
export interface NameRef extends Site {
  name: string;
}

export type ScopeItem =
  | { kind: 'bus'; segment: number; first: number; last: number; start: number; end: number }
  | { kind: 'ioapic'; id: number; start: number; end: number }
  | { kind: 'hpet'; id: number; start: number; end: number };

export class Domain {
  /** the position in model.domains */
  index = -1;
  kind: DomainKind | undefined;
  /** the kind as written (for unknown kinds) */
  kindText: string;
  /** declared: the statement row; implied: -1 */
  stmt: number;
  /** the name's span (implied domains: the device's name) and the statement's span */
  nameStart: number;
  nameEnd: number;
  start: number;
  end: number;
  implied: boolean;
  /** implied per-device domains: the device they serve (device index), else -1 */
  impliedFor = -1;
  /** implied per-device domains: MSI-X (PCI-MSIX-<bdf>) rather than MSI (PCI-MSI-<bdf>) */
  impliedMsix = false;
  /** the first row of each property (repeatable `scope` and `in-use`: every row in `repeated`) */
  readonly props = new Map<string, number>();
  readonly repeated: number[] = [];
  parentRef: NameRef | undefined;
  parent: Domain | undefined;
  readonly children: Domain[] = [];
  /** on a parent cycle (set once the parents are linked: ./links.ts markChains) */
  onCycle = false;
  vendor?: 'intel' | 'amd';
  entries?: number;
  /** undefined: no scope property (a remap then covers everything not claimed: INCLUDE_PCI_ALL) */
  scope?: ScopeItem[];
  /** ioapic, hpet: the ID a scope names */
  id?: number;
  slots?: number;
  deviceRef: NameRef | undefined;
  /** ims, ntb, per-device pci-msi: the device it serves (device index), else -1 */
  device = -1;
  pins?: number;
  base?: number;
  multiMsi?: boolean;
  /** its: the ITS's NUMA node (its->numa_node) */
  node?: number;
  systemVectors?: number[];
  readonly inUse: { cpus: number[]; vectors: number[]; start: number; end: number }[] = [];
  /** devices whose message domain this is (device indices) */
  readonly servedDevices: number[] = [];
  private nameCache: string | undefined;

  constructor(
    readonly file: SyntaxFile,
    name: string | undefined,
    kind: DomainKind | undefined,
    kindText: string,
    stmt: number,
    nameStart: number,
    nameEnd: number,
    start: number,
    end: number,
    implied: boolean,
    /** makes an implied domain's name on first use */
    private readonly makeName?: () => string,
  ) {
    this.nameCache = name;
    this.kind = kind;
    this.kindText = kindText;
    this.stmt = stmt;
    this.nameStart = nameStart;
    this.nameEnd = nameEnd;
    this.start = start;
    this.end = end;
    this.implied = implied;
  }

  get name(): string {
    return (this.nameCache ??= this.makeName ? this.makeName() : '');
  }
  get uri(): string {
    return this.file.uri;
  }
  get nameRange(): Range {
    return this.file.range(this.nameStart, this.nameEnd);
  }
  get range(): Range {
    return this.file.range(this.start, this.end);
  }
  /** the site of a property (its name through its last value), if given */
  propSite(name: string): Site | undefined {
    const p = this.props.get(name);
    if (p === undefined) return undefined;
    const t = this.file.tree;
    return { file: this.file, start: t.pStart[p], end: t.pEnd(p) };
  }
}

/** Interrupt source kinds, as stored in the group table (0 = none). */
export const SOURCE_CODES = ['', 'msix', 'msi', 'ims', 'pin', 'window', 'virtual'] as const;
export const enum Src {
  None,
  Msix,
  Msi,
  Ims,
  Pin,
  Window,
  Virtual,
}

export const enum GroupFlag {
  Managed = 1,
  Masked = 2,
  Spread = 4,
  Inactive = 8,
}

export const enum Assign {
  None,
  Vfio,
}

export interface Kernel {
  major: number;
  minor: number;
  text: string;
  site: Site;
}

export interface MachineNode {
  id: number;
  cpus: number[];
  site: Site;
}

export interface Offline {
  cpus: number[];
  site: Site;
}

export interface Release {
  device: number;
  site: Site;
  /** the number of groups (irq statements) bound before it: it acts between those and the rest */
  before: number;
}

/** The interrupts an `expect` names: groups and, when it names an index, the index range. */
export interface ExpectInfo {
  file: SyntaxFile;
  stmt: number;
  /** interrupt indices (global, in allocation order) */
  targets: number[];
}

export interface InjectInfo {
  file: SyntaxFile;
  stmt: number;
  address?: number;
  data?: number;
  /** the issuing device (device index), or -1 */
  from: number;
}

export type ApicMode = 'flat' | 'physflat' | 'x2apic-cluster' | 'x2apic-phys';
export const APIC_MODES: readonly ApicMode[] = ['flat', 'physflat', 'x2apic-cluster', 'x2apic-phys'];

export interface Model {
  rootUri: string;
  /** every file, in allocation order (includes first, depth-first) */
  files: SyntaxFile[];
  fileByUri: Map<string, SyntaxFile>;
  arch?: Arch;
  archSite?: Site;
  kernel?: Kernel;
  /** the online CPUs, ascending */
  cpus: number[];
  cpusSite?: Site;
  /** APIC ID per CPU number */
  apicIds: Map<number, number>;
  /** cpu_possible_mask (default: the online CPUs) */
  possibleCpus: number[];
  possibleSite?: Site;
  /** NUMA nodes (default: one node 0 holding every possible CPU; `nodesGiven` tells) */
  nodes: MachineNode[];
  nodesGiven: boolean;
  smt?: { threads: number; adjacent: boolean; site: Site };
  apic?: { mode: ApicMode; site: Site };
  extDestId?: Site;
  offlines: Offline[];
  releases: Release[];
  domains: Domain[];
  /** declared domains by name (implied per-device domains are found through `findDomain`) */
  domainsByName: Map<string, Domain>;
  devices: DeviceTable;
  devicesByName: Map<string, number>;
  groups: GroupTable;
  /** the groups of every device, device by device (see devices.gStart/gCount), in allocation order */
  groupsByDevice: Int32Array;
  /** affinity lists, interned by content: a group's `affinity` is an index here */
  masks: number[][];
  /** `spread` ranges: each element's mask (an index into masks; -3: the kernel leaves it empty) */
  elementMasks: Map<number, Int32Array>;
  /** per device: the number of groups bound before its last `release` (its earlier ones are history) */
  releasedBefore: Map<number, number>;
  /** the total number of interrupts (every element of every group) */
  irqCount: number;
  roots: Domain[];
  expects: ExpectInfo[];
  injects: InjectInfo[];
  /** the Language findings (codes of RULES.md section Language) */
  findings: Finding[];
}

const DEV_I32 = [
  'file',
  'stmt',
  'nameStart',
  'nameEnd',
  'start',
  'end',
  'segment',
  'rid',
  'msix',
  'msi',
  'windows',
  'node',
  'msiDomain',
  'ims',
  'ntb',
  'ioapic',
  'msiDomainRef',
  'imsRef',
  'ntbRef',
  'ioapicRef',
  'pMsi',
  'pMsix',
  'pAssign',
  'pWindows',
  'pPlatform',
  'irqs',
  'gStart',
  'gCount',
] as const;

/** Devices as columns. Integer columns hold -1 for "not given" (refs: the atom of the name used). */
export class DeviceTable {
  count = 0;
  readonly name: string[] = [];
  file = new Int32Array(16);
  stmt = new Int32Array(16);
  nameStart = new Int32Array(16);
  nameEnd = new Int32Array(16);
  start = new Int32Array(16);
  end = new Int32Array(16);
  /** PCI segment and requester ID (bus << 8 | devfn); -1 when the device has no pci address */
  segment = new Int32Array(16);
  rid = new Int32Array(16);
  msix = new Int32Array(16);
  msi = new Int32Array(16);
  windows = new Int32Array(16);
  node = new Int32Array(16);
  /** domain indices */
  msiDomain = new Int32Array(16);
  ims = new Int32Array(16);
  ntb = new Int32Array(16);
  ioapic = new Int32Array(16);
  /** the name atoms of the references (in the device's file) */
  msiDomainRef = new Int32Array(16);
  imsRef = new Int32Array(16);
  ntbRef = new Int32Array(16);
  ioapicRef = new Int32Array(16);
  /** property rows, for reporting at the property */
  pMsi = new Int32Array(16);
  pMsix = new Int32Array(16);
  pAssign = new Int32Array(16);
  pWindows = new Int32Array(16);
  pPlatform = new Int32Array(16);
  platform = new Uint8Array(16);
  assign = new Uint8Array(16);
  /** the number of interrupts, and the device's groups: groupsOf[gStart .. gStart + gCount) */
  irqs = new Int32Array(16);
  gStart = new Int32Array(16);
  gCount = new Int32Array(16);

  add(
    name: string,
    file: number,
    stmt: number,
    nameStart: number,
    nameEnd: number,
    start: number,
    end: number,
  ): number {
    const i = this.count++;
    if (i >= this.file.length) {
      for (const k of DEV_I32) this[k] = grow32(this[k], i + 1);
      this.platform = grow8(this.platform, i + 1);
      this.assign = grow8(this.assign, i + 1);
    }
    this.name.push(name);
    this.file[i] = file;
    this.stmt[i] = stmt;
    this.nameStart[i] = nameStart;
    this.nameEnd[i] = nameEnd;
    this.start[i] = start;
    this.end[i] = end;
    this.segment[i] = this.rid[i] = this.msix[i] = this.msi[i] = this.windows[i] = this.node[i] = -1;
    this.msiDomain[i] = this.ims[i] = this.ntb[i] = this.ioapic[i] = -1;
    this.msiDomainRef[i] = this.imsRef[i] = this.ntbRef[i] = this.ioapicRef[i] = -1;
    this.pMsi[i] = this.pMsix[i] = this.pAssign[i] = this.pWindows[i] = this.pPlatform[i] = -1;
    this.gStart[i] = -1;
    this.platform[i] = 0;
    this.assign[i] = 0;
    this.irqs[i] = 0;
    this.gCount[i] = 0;
    return i;
  }

  hasPci(i: number): boolean {
    return this.rid[i] >= 0;
  }
}

const GROUP_I32 = [
  'file',
  'stmt',
  'device',
  'first',
  'last',
  'sourceArg',
  'affinity',
  'cpu',
  'vector',
  'lpi',
  'irte',
  'domain',
  'order',
  'size',
] as const;

/** `irq` statements as columns: one row per statement, however many interrupts it declares. */
export class GroupTable {
  count = 0;
  readonly name: string[] = [];
  file = new Int32Array(64);
  stmt = new Int32Array(64);
  device = new Int32Array(64);
  /** the index range [first..last]; first = -1 when the statement has no index (one interrupt) */
  first = new Int32Array(64);
  last = new Int32Array(64);
  source = new Uint8Array(64);
  /** msix INDEX, pin N, window W; -1 when not given */
  sourceArg = new Int32Array(64);
  flags = new Uint8Array(64);
  /** the affinity (an index into model.masks), -1 for all CPUs */
  affinity = new Int32Array(64);
  /** observed pins (-1: none) */
  cpu = new Int32Array(64);
  vector = new Int32Array(64);
  lpi = new Int32Array(64);
  irte = new Int32Array(64);
  /** the endpoint domain (domain index), -1 when none */
  domain = new Int32Array(64);
  /** the global index of the first interrupt, and how many the statement declares (last - first + 1) */
  order = new Int32Array(64);
  size = new Int32Array(64);
  /** elements of a group that duplicate an earlier declaration (not allocated) */
  readonly dead = new Map<number, Set<number>>();

  /** Trims every column to the row count (growing by doubling leaves up to half spare). */
  trim(): void {
    const n = Math.max(1, this.count);
    for (const k of GROUP_I32) if (this[k].length > n) this[k] = this[k].slice(0, n);
    if (this.source.length > n) this.source = this.source.slice(0, n);
    if (this.flags.length > n) this.flags = this.flags.slice(0, n);
  }

  add(file: number, stmt: number, device: number, name: string): number {
    const i = this.count++;
    if (i >= this.file.length) {
      for (const k of GROUP_I32) this[k] = grow32(this[k], i + 1);
      this.source = grow8(this.source, i + 1);
      this.flags = grow8(this.flags, i + 1);
    }
    this.name.push(name);
    this.file[i] = file;
    this.stmt[i] = stmt;
    this.device[i] = device;
    this.first[i] = this.last[i] = this.sourceArg[i] = this.affinity[i] = -1;
    this.cpu[i] = this.vector[i] = this.lpi[i] = this.irte[i] = this.domain[i] = this.order[i] = -1;
    this.source[i] = 0;
    this.flags[i] = 0;
    this.size[i] = 1;
    return i;
  }
}
