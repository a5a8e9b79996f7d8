// Topology questions, answered from the model: the home of every query that checks, the
// simulation and the services share (a domain's chain, the MSI parent of a device, multi-MSI
// support, kernel-version gates, the root per architecture, names of interrupts and implied
// domains). Nothing here builds a key that another layer already knew.

import { KINDS, type Arch } from '../kinds';
import { bdf } from '../values';
import { GroupFlag, type ApicMode, type Domain, type Model, type ScopeItem, type Site } from './types';

export function kernelAtLeast(m: Model, major: number, minor: number): boolean | undefined {
  if (!m.kernel) return undefined;
  return m.kernel.major > major || (m.kernel.major === major && m.kernel.minor >= minor);
}

/** kernelAtLeast, with no `kernel` statement meaning the newest behaviour. */
export function eraAtLeast(m: Model, major: number, minor: number): boolean {
  return kernelAtLeast(m, major, minor) !== false;
}

/** Whether per-device PCI/MSI domains are implied when a device names no `msi-domain`. */
export function perDeviceMsiEra(m: Model): boolean {
  if (!m.kernel) return true;
  if (m.arch === 'arm64') return kernelAtLeast(m, 6, 11) === true;
  if (m.arch === 'x86') return kernelAtLeast(m, 6, 2) === true;
  return true;
}

/** The root kind of an architecture. */
export const ROOT_KIND: Readonly<Record<Arch, 'vector' | 'gic' | 'imsic'>> = {
  x86: 'vector',
  arm64: 'gic',
  riscv: 'imsic',
};

export function isRoot(d: Domain | undefined): boolean {
  return !!d?.kind && KINDS[d.kind].root;
}
export function isMsiParent(d: Domain | undefined): boolean {
  return !!d?.kind && KINDS[d.kind].msiParent;
}

/** A domain's chain, itself first, to the root (cycle-safe). */
export function chainOf(d: Domain | undefined): Domain[] {
  const out: Domain[] = [];
  const seen = new Set<Domain>();
  for (let c = d; c && !seen.has(c); c = c.parent) {
    seen.add(c);
    out.push(c);
  }
  return out;
}

/** The first remap or its on a domain's chain to the root (cycle-safe). */
export function unitOf(d: Domain | undefined): Domain | undefined {
  for (const c of chainOf(d)) if (c.kind === 'remap' || c.kind === 'its') return c;
  return undefined;
}

/** Whether every `parent` on the chain resolved (if not, unknown-name has said so already). */
export function chainResolved(d: Domain | undefined): boolean {
  for (const c of chainOf(d)) if (c.parentRef && !c.parent) return false;
  return true;
}

/** Whether a domain's parent chain loops (parent-cycle owns those; other parent checks stay silent). */
export function onCycle(d: Domain): boolean {
  return d.onCycle;
}

/** The nearest multi-MSI setting on the chain, else the MSI parent's default. */
export function multiMsiSupported(d: Domain | undefined): boolean {
  for (const c of chainOf(d)) {
    if (c.multiMsi !== undefined) return c.multiMsi;
    if (c.kind && KINDS[c.kind].msiParent) return c.kind === 'remap' || c.kind === 'its';
  }
  return false;
}

const UNDER_PCI_MSI = ['ims', 'ntb', 'platform-msi', 'hpet'];

/**
 * Why the kernel refuses to create `child` under its parent, if it does: the layering codes whose
 * domains allocate nothing (ims-parent-pci-msi, ims-parent-vector, platform-msi-x86,
 * parent-not-msi-parent). The checks report them; the simulation allocates nothing behind them.
 */
export function layeringRefusal(m: Model, child: Domain): { code: string; why: string } | undefined {
  const p = child.parent;
  const k = child.kind;
  if (!p?.kind || !k || isRoot(child) || k === 'remap' || k === 'its') return undefined;
  if (UNDER_PCI_MSI.includes(k) && p.kind === 'pci-msi')
    return {
      code: 'ims-parent-pci-msi',
      why: `'${child.name}' is a ${k} domain under the PCI/MSI domain '${p.name}'`,
    };
  if (k === 'ims' && p.kind === 'vector' && m.arch === 'x86')
    return {
      code: 'ims-parent-vector',
      why: `'${child.name}' is an IMS domain under the bare vector domain '${p.name}', which does not support PCI/IMS`,
    };
  if (k === 'platform-msi' && (p.kind === 'vector' || p.kind === 'remap'))
    return {
      code: 'platform-msi-x86',
      why: `'${child.name}' is a platform-msi domain under the x86 ${p.kind} domain '${p.name}'`,
    };
  if (k === 'dmar-msi') return undefined; // dmar-msi-under-remap: reported, and still allocated through the unit
  const legal =
    k === 'ioapic' || k === 'hpet'
      ? isRoot(p) || p.kind === 'remap'
      : k === 'aplic'
        ? p.kind === 'imsic'
        : isMsiParent(p);
  return legal
    ? undefined
    : {
        code: 'parent-not-msi-parent',
        why: `'${child.name}' has the ${p.kind} domain '${p.name}' as parent, which is not an MSI parent`,
      };
}

/** HPET and DMAR interrupts are one per channel or unit: never a multi-MSI block (v2). */
export function singleMsiKind(kind: string | undefined): boolean {
  return kind === 'hpet' || kind === 'dmar-msi';
}

/** A scope item's owner: the first unit (in declaration order) whose scope names it, and that item. */
interface Owner {
  unit: Domain;
  item: ScopeItem;
}

/** The declared remap/its units, the MSI-parent root and who owns each bus and id, made once per model. */
interface Units {
  units: Domain[];
  remaps: Domain[];
  msiRoot: Domain | undefined;
  /** the first unit with no scope (INCLUDE_PCI_ALL), of the units and of the remaps */
  allUnit: Domain | undefined;
  allRemap: Domain | undefined;
  /** per PCI segment, the owner of each of its 256 buses */
  buses: Map<number, (Owner | undefined)[]>;
  /** `ioapic:ID` and `hpet:ID` -> the remap unit whose scope lists it */
  ids: Map<string, Owner>;
}

const unitCache = new WeakMap<Model, Units>();
function unitsOf(m: Model): Units {
  let c = unitCache.get(m);
  if (!c) {
    const units = m.domains.filter((d) => !d.implied && (d.kind === 'remap' || d.kind === 'its'));
    const remaps = m.domains.filter((d) => d.kind === 'remap');
    c = {
      units,
      remaps,
      msiRoot: m.domains.find((d) => d.kind && KINDS[d.kind].root && KINDS[d.kind].msiParent),
      allUnit: units.find((u) => u.scope === undefined),
      allRemap: remaps.find((u) => u.scope === undefined),
      buses: busOwners(units),
      ids: new Map(),
    };
    for (const u of remaps)
      for (const item of u.scope ?? [])
        if (item.kind !== 'bus' && !c.ids.has(`${item.kind}:${item.id}`))
          c.ids.set(`${item.kind}:${item.id}`, { unit: u, item });
    unitCache.set(m, c);
  }
  return c;
}

/**
 * Paints each segment's 256 buses with the first unit whose scope covers them, in linear time
 * however many units and items overlap: `next` skips the buses painted already (union-find with
 * path halving), so each bus is painted once and each item costs about one step beyond its new buses.
 */
function busOwners(units: readonly Domain[]): Map<number, (Owner | undefined)[]> {
  const out = new Map<number, (Owner | undefined)[]>();
  const nexts = new Map<number, Int16Array>();
  for (const unit of units)
    for (const item of unit.scope ?? []) {
      if (item.kind !== 'bus') continue;
      let owners = out.get(item.segment);
      let next = nexts.get(item.segment);
      if (!owners || !next) {
        out.set(item.segment, (owners = new Array<Owner | undefined>(256).fill(undefined)));
        // next[b]: the first bus >= b not painted yet (256: none)
        nexts.set(item.segment, (next = Int16Array.from({ length: 257 }, (_, i) => i)));
      }
      const find = (b: number): number => {
        while (next[b] !== b) {
          next[b] = next[next[b]];
          b = next[b];
        }
        return b;
      };
      const first = Math.max(0, item.first);
      const last = Math.min(255, item.last);
      for (let b = find(first); b <= last; b = find(b)) {
        owners[b] = { unit, item };
        next[b] = b + 1;
      }
    }
  return out;
}

/** The remap/its unit whose scope holds a bus (explicit scopes first, then an INCLUDE_PCI_ALL unit), else the MSI-parent root. */
export function msiParentFor(m: Model, segment: number, bus: number): Domain | undefined {
  const c = unitsOf(m);
  if (segment >= 0) {
    const owner = c.buses.get(segment)?.[bus];
    if (owner) return owner.unit;
  }
  if (c.allUnit) return c.allUnit;
  if (segment < 0) return undefined;
  return c.msiRoot;
}

/** The scope item of `unit` that covers a bus, when `unit` is the unit msiParentFor finds for it. */
export function busScopeItem(m: Model, unit: Domain, segment: number, bus: number): ScopeItem | undefined {
  const owner = unitsOf(m).buses.get(segment)?.[bus];
  return owner?.unit === unit ? owner.item : undefined;
}

/** The MSI parent of a device by its PCI address (undefined without a pci address and no INCLUDE_PCI_ALL unit). */
export function msiParentOfDevice(m: Model, dev: number): Domain | undefined {
  const d = m.devices;
  return d.rid[dev] >= 0 ? msiParentFor(m, d.segment[dev], d.rid[dev] >> 8) : msiParentFor(m, -1, -1);
}

/** The remap unit whose scope names an IO-APIC or HPET id (or the INCLUDE_PCI_ALL unit). */
export function remapForId(m: Model, kind: 'ioapic' | 'hpet', id: number | undefined): Domain | undefined {
  const c = unitsOf(m);
  if (id !== undefined) {
    const owner = c.ids.get(`${kind}:${id}`);
    if (owner) return owner.unit;
  }
  return c.allRemap;
}

/** The scope item of `unit` that lists an IO-APIC or HPET id, when `unit` is the one remapForId finds. */
export function idScopeItem(
  m: Model,
  unit: Domain,
  kind: 'ioapic' | 'hpet',
  id: number | undefined,
): ScopeItem | undefined {
  if (id === undefined) return undefined;
  const owner = unitsOf(m).ids.get(`${kind}:${id}`);
  return owner?.unit === unit ? owner.item : undefined;
}

// ---- names -----------------------------------------------------------------------------------

/** A device's PCI address as the kernel's pci_name() prints it. */
export function pciText(m: Model, dev: number): string | undefined {
  const d = m.devices;
  if (d.rid[dev] < 0) return undefined;
  const rid = d.rid[dev];
  return bdf({ segment: d.segment[dev], bus: rid >> 8, dev: (rid >> 3) & 0x1f, fn: rid & 7 });
}

/** `IR-PCI-MSIX-0000:01:00.0`: the name the kernel gives a device's per-device domain. */
export function impliedName(m: Model, d: Domain): string {
  const dev = d.impliedFor;
  const parent = d.parent;
  const prefix = parent?.kind === 'remap' ? 'IR-' : parent?.kind === 'its' ? 'ITS-' : '';
  return `${prefix}${d.impliedMsix ? 'PCI-MSIX' : 'PCI-MSI'}-${pciText(m, dev) ?? ''}`;
}

const IMPLIED = /^(?:IR-|ITS-)?PCI-MSIX?-([0-9a-f]{4}):([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/;

/** The implied per-device domains by PCI key, made once per model. */
const impliedCache = new WeakMap<Model, { n: number; map: Map<number, Domain> }>();
function impliedByPci(m: Model): Map<number, Domain> {
  let c = impliedCache.get(m);
  if (!c || c.n !== m.domains.length) {
    // (re)made when domains were added since: the binder asks before and after it implies them
    const map = new Map<number, Domain>();
    for (const d of m.domains)
      if (d.implied) {
        const dev = d.impliedFor;
        map.set(m.devices.segment[dev] * 65536 + m.devices.rid[dev], d);
      }
    c = { n: m.domains.length, map };
    impliedCache.set(m, c);
  }
  return c.map;
}

/** A domain by name: a declared one, else the implied per-device domain with that name. */
export function findDomain(m: Model, name: string): Domain | undefined {
  const d = m.domainsByName.get(name);
  if (d) return d;
  const x = IMPLIED.exec(name);
  if (!x) return undefined;
  const key =
    parseInt(x[1], 16) * 65536 + ((parseInt(x[2], 16) << 8) | (parseInt(x[3], 16) << 3) | Number(x[4]));
  const i = impliedByPci(m).get(key);
  return i && i.name === name ? i : undefined;
}

/** Whether a name has the shape of an implied per-device domain's name. */
export function looksImplied(name: string): number | undefined {
  const x = IMPLIED.exec(name);
  if (!x) return undefined;
  return parseInt(x[1], 16) * 65536 + ((parseInt(x[2], 16) << 8) | (parseInt(x[3], 16) << 3) | Number(x[4]));
}

/** `nvme0.q[1]`, or `nvme0.admin` without an index: the name of interrupt k. */
export function irqName(m: Model, k: number): string {
  const g = groupOfIrq(m, k);
  const gr = m.groups;
  const dev = m.devices.name[gr.device[g]];
  if (gr.first[g] < 0) return `${dev}.${gr.name[g]}`;
  return `${dev}.${gr.name[g]}[${gr.first[g] + (k - gr.order[g])}]`;
}

/** The index of interrupt k inside its statement's range (undefined without an index). */
export function irqIndex(m: Model, k: number): number | undefined {
  const g = groupOfIrq(m, k);
  return m.groups.first[g] < 0 ? undefined : m.groups.first[g] + (k - m.groups.order[g]);
}

/** The group (irq statement row) of interrupt k: a binary search over the groups' orders. */
export function groupOfIrq(m: Model, k: number): number {
  const order = m.groups.order;
  let lo = 0;
  let hi = m.groups.count - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (order[mid] <= k) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Whether interrupt k was declared twice (its later declaration is not allocated). */
export function irqDead(m: Model, k: number): boolean {
  if (m.groups.dead.size === 0) return false;
  const g = groupOfIrq(m, k);
  const dead = m.groups.dead.get(g);
  return !!dead && dead.has(k - m.groups.order[g]);
}

/** The mask of interrupt k (an index into model.masks): its spread element's, else its statement's; -1: all CPUs. */
export function maskOfIrq(m: Model, k: number, g = groupOfIrq(m, k)): number {
  const e = m.elementMasks.get(g);
  return e ? e[k - m.groups.order[g]] : m.groups.affinity[g];
}

export function groupManaged(m: Model, g: number): boolean {
  return (m.groups.flags[g] & GroupFlag.Managed) !== 0;
}

/** The groups of a device, in allocation order. */
export function groupsOfDevice(m: Model, dev: number): Int32Array {
  const s = m.devices.gStart[dev];
  return s < 0 ? new Int32Array(0) : m.groupsByDevice.subarray(s, s + m.devices.gCount[dev]);
}

/** The interrupt indices of a group (skipping duplicated elements). */
export function irqsOfGroup(m: Model, g: number): number[] {
  const out: number[] = [];
  const dead = m.groups.dead.get(g);
  for (let i = 0; i < m.groups.size[g]; i++) if (!dead?.has(i)) out.push(m.groups.order[g] + i);
  return out;
}

/** Candidates `closest` looks at per call. */
export const MAX_SUGGEST_PER_NAME = 20_000;
/** Work for `closest` in one analysis, in all: cells of the distance table (about 0.1 s), see SuggestBudget. */
export const MAX_SUGGEST_TOTAL = 40_000_000;

/**
 * What is left of an analysis's "did you mean" work: a suggestion is a courtesy, so a file with
 * 50,000 unknown names gets suggestions for the names published first, not 50,000 scans of every
 * name. Shared by the messages of one model (they are built lazily, when published).
 */
export interface SuggestBudget {
  left: number;
}

export function suggestBudget(): SuggestBudget {
  return { left: MAX_SUGGEST_TOTAL };
}

/** Levenshtein distance, bounded: suggestions for `unknown-name` (long names are not compared). */
export function closest(
  name: string,
  pool: Iterable<string>,
  budget: SuggestBudget = suggestBudget(),
): string | undefined {
  if (name.length > 200) return undefined;
  let best: string | undefined;
  let bestD = Math.max(2, Math.floor(name.length / 3)) + 1;
  const lower = name.toLowerCase();
  let n = 0;
  for (const cand of pool) {
    if (++n > MAX_SUGGEST_PER_NAME || budget.left <= 0) break;
    budget.left--;
    if (Math.abs(cand.length - name.length) >= bestD || cand.length > 200) continue;
    budget.left -= name.length * cand.length;
    const c = cand.toLowerCase();
    const d = c === lower ? 0.5 : distance(lower, c, bestD);
    if (d < bestD) {
      bestD = d;
      best = cand;
    }
  }
  return best;
}

// two rows of the distance table, reused (names compared are at most 200 characters)
let ROW_A = new Int32Array(256);
let ROW_B = new Int32Array(256);

function distance(a: string, b: string, cap: number): number {
  if (ROW_A.length <= b.length) {
    ROW_A = new Int32Array(b.length + 1);
    ROW_B = new Int32Array(b.length + 1);
  }
  let prev = ROW_A;
  let cur = ROW_B;
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const sub = prev[j - 1] + (ca === b.charCodeAt(j - 1) ? 0 : 1);
      const del = prev[j] + 1;
      const ins = cur[j - 1] + 1;
      const v = sub < del ? (sub < ins ? sub : ins) : del < ins ? del : ins;
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin >= cap) return cap;
    const t = prev;
    prev = cur;
    cur = t;
  }
  return prev[b.length];
}

// ---- sites of an irq statement ------------------------------------------------------------------

/** An irq statement's source (its kind and arguments), where source findings are reported. */
export function sourceSite(m: Model, g: number): Site {
  const file = m.files[m.groups.file[g]];
  const t = file.tree;
  const s = m.groups.stmt[g];
  const k = t.sD[s];
  if (k < 0) return { file, start: t.sStart[s], end: t.sEnd[s] };
  const n = t.sNArgs[s];
  return { file, start: t.aStart[k], end: n > 0 ? t.aEnd(t.sArgs[s] + n - 1) : t.aEnd(k) };
}

/** An irq statement's target (DEVICE.NAME[RANGE]). */
export function targetSite(m: Model, g: number): Site {
  const file = m.files[m.groups.file[g]];
  const t = file.tree;
  const s = m.groups.stmt[g];
  return { file, start: t.aStart[t.sA[s]], end: t.sC[s] >= 0 ? t.aEnd(t.sC[s]) : t.aEnd(t.sB[s]) };
}

/** A whole irq statement. */
export function statementSite(m: Model, g: number): Site {
  const file = m.files[m.groups.file[g]];
  const s = m.groups.stmt[g];
  return { file, start: file.tree.sStart[s], end: file.tree.sEnd[s] };
}

/** The site of a group's property value (its values), else the statement. */
export function groupPropSite(m: Model, g: number, prop: string): Site {
  const file = m.files[m.groups.file[g]];
  const t = file.tree;
  const s = m.groups.stmt[g];
  for (let p = t.sProps[s]; p < t.sProps[s] + t.sNProps[s]; p++)
    if (t.names.names[t.pName[p]] === prop) {
      const n = t.pNAtoms[p];
      return n > 0
        ? { file, start: t.aStart[t.pAtoms[p]], end: t.aEnd(t.pAtoms[p] + n - 1) }
        : { file, start: t.pStart[p], end: t.pEnd(p) };
    }
  return { file, start: t.sStart[s], end: t.sEnd[s] };
}

/**
 * The APIC driver the simulation addresses CPUs with: `apic` when given; otherwise physical
 * destination mode (LANGUAGE.md 1): physflat, or x2apic-phys when an APIC ID is above 255.
 */
export function apicModeOf(m: Model): ApicMode {
  if (m.apic) return m.apic.mode;
  for (const id of m.apicIds.values()) if (id > 255) return 'x2apic-phys';
  return 'physflat';
}
