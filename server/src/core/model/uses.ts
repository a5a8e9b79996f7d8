// The statements that use declarations: irq (one group row per statement), release (history),
// expect and inject. Interrupts are numbered in allocation order (file order, includes first);
// an interrupt is an index, never an object.

import { IRQ_PROPERTIES, IRQ_SOURCES } from '../kinds';
import { KEYWORDS, kwId } from '../syntax/names';
import { At, St } from '../syntax/tree';
import type { SyntaxFile } from '../syntax/view';
import { describeAtom, number, numberAtom, numberList } from '../values';
import type { BindContext } from './context';
import { PropUse, checkProperty, propSet } from './declare';
import { MAX_CPUS, MAX_IRQS } from './limits';
import { Uses, unknownName } from './links';
import { closest, findDomain, groupsOfDevice } from './queries';
import { GroupFlag, Src, type Model } from './types';

/** Interrupt sources by the name id of their keyword (0: not a source). */
const SRC_BY_ID = new Uint8Array(KEYWORDS.length);
SRC_BY_ID[kwId('msix')] = Src.Msix;
SRC_BY_ID[kwId('msi')] = Src.Msi;
SRC_BY_ID[kwId('ims')] = Src.Ims;
SRC_BY_ID[kwId('pin')] = Src.Pin;
SRC_BY_ID[kwId('window')] = Src.Window;
SRC_BY_ID[kwId('virtual')] = Src.Virtual;
const sourceOf = (id: number): Src => (id < SRC_BY_ID.length ? SRC_BY_ID[id] : Src.None);

const IRQ_PROPS = propSet(IRQ_PROPERTIES);
const P_AFFINITY = kwId('affinity');
const P_MANAGED = kwId('managed');
const P_SPREAD = kwId('spread');
const P_INACTIVE = kwId('inactive');
const P_MASKED = kwId('masked');
const P_CPU = kwId('cpu');
const P_VECTOR = kwId('vector');
const P_LPI = kwId('lpi');
const P_IRTE = kwId('irte');
const P_COUNTS = kwId('counts');

/** Per file: interned name id -> device index (-1: no such device), resolved once per distinct name. */
export class DeviceNames {
  private readonly perFile = new Map<SyntaxFile, Int32Array>();
  constructor(private readonly m: Model) {}

  of(file: SyntaxFile, atom: number): number {
    const t = file.tree;
    let map = this.perFile.get(file);
    if (!map || map.length < t.names.size) {
      const old = map;
      map = new Int32Array(t.names.size).fill(-2);
      if (old) map.set(old);
      this.perFile.set(file, map);
    }
    const id = t.aV1[atom];
    let dev = map[id];
    if (dev === -2) dev = map[id] = this.m.devicesByName.get(t.names.names[id]) ?? -1;
    return dev;
  }
}

/** Which sources each device's irq statements use (before binding: it decides the implied domains). */
export function prescanSources(m: Model, names: DeviceNames): Uint8Array {
  const uses = new Uint8Array(m.devices.count);
  for (const file of m.files) {
    const t = file.tree;
    for (let s = 0; s < t.sCount; s++) {
      if (t.sKind[s] !== St.Irq || t.sD[s] < 0) continue;
      const dev = names.of(file, t.sA[s]);
      if (dev < 0) continue;
      const src = sourceOf(t.aV1[t.sD[s]]);
      if (src === Src.Msi) uses[dev] |= Uses.Msi;
      else if (src === Src.Msix || src === Src.Virtual) uses[dev] |= Uses.Msix;
      else if (src === Src.Window) uses[dev] |= Uses.Window;
    }
  }
  return uses;
}

/** The declarations of one device's interrupt name: their highest index, and who holds each index once they overlap. */
interface Declared {
  maxLast: number;
  groups: number[];
  owner: Map<number, number> | undefined;
}

export class UseBinder {
  /** per device: interrupt name -> the groups declaring it since the device's last release */
  private readonly declared = new Map<number, Map<string, Declared>>();
  private readonly declaredPlain = new Map<number, Map<string, Declared>>();
  private readonly maskIds = new Map<string, number>();
  /** the index of the topology's only IO-APIC domain (-1: none or several), looked up once */
  private ioapic: number | undefined;

  constructor(
    private readonly ctx: BindContext,
    private readonly names: DeviceNames,
  ) {}

  /** The only IO-APIC domain, which a `pin` of a device naming no `ioapic` goes to; -1 when not one. */
  private onlyIoapic(): number {
    if (this.ioapic === undefined) {
      const ioapics = this.ctx.m.domains.filter((d) => d.kind === 'ioapic');
      this.ioapic = ioapics.length === 1 ? ioapics[0].index : -1;
    }
    return this.ioapic;
  }

  /** The irq and release statements of a file, in order. */
  bindIrqs(file: SyntaxFile, fileIndex: number): void {
    const t = file.tree;
    for (let s = 0; s < t.sCount; s++) {
      const k = t.sKind[s];
      if (k === St.Irq) this.irq(file, fileIndex, s);
      else if (k === St.Release) this.release(file, s);
    }
  }

  /** The expect and inject statements of a file (after every file's interrupts are bound). */
  bindChecks(file: SyntaxFile): void {
    const t = file.tree;
    for (let s = 0; s < t.sCount; s++) {
      const k = t.sKind[s];
      if (k === St.Expect) this.expect(file, s);
      else if (k === St.Inject) this.inject(file, s);
    }
  }

  private deviceAt(file: SyntaxFile, atom: number): number {
    const dev = this.names.of(file, atom);
    if (dev < 0) {
      const t = file.tree;
      unknownName(this.ctx, 'device', {
        file,
        start: t.aStart[atom],
        end: t.aEnd(atom),
        name: t.nameOf(atom),
      });
    }
    return dev;
  }

  private release(file: SyntaxFile, s: number): void {
    const t = file.tree;
    if (t.sA[s] < 0) return;
    const dev = this.deviceAt(file, t.sA[s]);
    if (dev < 0) return;
    const m = this.ctx.m;
    m.releases.push({
      device: dev,
      site: { file, start: t.sStart[s], end: t.sEnd[s] },
      before: m.groups.count,
    });
    // its later statements declare its interrupts anew; later expects name those only
    m.releasedBefore.set(dev, m.groups.count);
    this.declared.delete(dev);
    this.declaredPlain.delete(dev);
  }

  private irq(file: SyntaxFile, fileIndex: number, s: number): void {
    const ctx = this.ctx;
    const m = ctx.m;
    const t = file.tree;
    const dev = this.deviceAt(file, t.sA[s]);
    if (dev < 0 || t.sB[s] < 0) return; // unknown device reported; a missing name is a syntax error
    const idx = t.sC[s];
    let first = -1;
    let last = -1;
    if (idx >= 0) {
      first = t.v1(idx);
      last = t.v2(idx);
      const at = (msg: string) => ctx.report('bad-value', file, t.aStart[idx], t.aEnd(idx), msg);
      if (first > last) return at(`the index range [${first}..${last}] runs backwards`);
      if (last - first >= 1 << 16)
        return at(`[${first}..${last}] declares more than 65536 interrupts (MSI_MAX_INDEX is USHRT_MAX)`);
      if (m.irqCount + (last - first + 1) > MAX_IRQS)
        return at(
          `[${first}..${last}] would bring the topology above ${MAX_IRQS} interrupts, irqtopo's budget (no machine has nr_irqs near it): split the topology`,
        );
    }
    const name = t.nameOf(t.sB[s]);
    const G = m.groups;
    const g = G.add(fileIndex, s, dev, name);
    G.first[g] = first;
    G.last[g] = last;
    G.size[g] = first < 0 ? 1 : last - first + 1;
    G.order[g] = m.irqCount;
    m.irqCount += G.size[g];
    this.source(file, s, g);
    this.properties(file, s, g);
    this.duplicates(file, s, g, dev, name);
    this.endpoint(g, dev);
    m.devices.irqs[dev] += G.size[g];
  }

  private source(file: SyntaxFile, s: number, g: number): void {
    const ctx = this.ctx;
    const t = file.tree;
    const G = ctx.m.groups;
    const k = t.sD[s];
    if (k < 0) return;
    const src = sourceOf(t.aV1[k]);
    const kname = t.nameOf(k);
    if (src === Src.None || t.atomKind(k) !== At.Name) {
      ctx.report(
        'bad-value',
        file,
        t.aStart[k],
        t.aEnd(k),
        `'${kname}' is not an interrupt source: expected one of ${IRQ_SOURCES.join(', ')}`,
      );
      return;
    }
    G.source[g] = src;
    const args = t.sArgs[s];
    const n = t.sNArgs[s];
    const needsArg = src === Src.Pin || src === Src.Window;
    const takesArg = needsArg || src === Src.Msix;
    if (n > 1 || (n === 1 && !takesArg)) {
      const extra = args + (takesArg ? 1 : 0);
      ctx.report(
        'bad-value',
        file,
        t.aStart[extra],
        t.aEnd(extra),
        `unexpected '${describeAtom(t, extra)}' after the source '${kname}'`,
      );
    } else if (n === 1) {
      const r = numberAtom(
        t,
        args,
        src === Src.Msix ? 'an MSI-X index' : src === Src.Pin ? 'a pin number' : 'a window number',
        0,
        1 << 16,
      );
      if (ctx.ok(file, r)) G.sourceArg[g] = r.value;
    } else if (needsArg) {
      ctx.report(
        'bad-value',
        file,
        t.aStart[k],
        t.aEnd(k),
        src === Src.Pin
          ? "'pin' needs the IO-APIC pin number: pin N"
          : "'window' needs the memory window number: window W",
      );
    }
  }

  private properties(file: SyntaxFile, s: number, g: number): void {
    const ctx = this.ctx;
    const t = file.tree;
    const first = t.sProps[s];
    const n = t.sNProps[s];
    if (n === 0) return;
    const seen = n > 16 ? new Map<number, number>() : undefined;
    for (let p = first; p < first + n; p++)
      if (checkProperty(ctx, file, first, p, IRQ_PROPS, 'an interrupt', seen) !== PropUse.Skip)
        this.property(file, p, g);
  }

  private property(file: SyntaxFile, p: number, g: number): void {
    const ctx = this.ctx;
    const G = ctx.m.groups;
    const t = file.tree;
    const v = ctx.propValues(file, p);
    switch (t.pName[p]) {
      case P_AFFINITY: {
        // one CPU (the common import) without an array: masks of one CPU are cached by number
        if (v.n === 1 && t.atomKind(v.first) === At.Number && t.v1(v.first) < MAX_CPUS) {
          G.affinity[g] = this.singleMask(t.v1(v.first));
          break;
        }
        const r = numberList(v, 'the affinity CPUs', MAX_CPUS - 1);
        if (ctx.ok(file, r)) G.affinity[g] = this.mask(r.value);
        break;
      }
      case P_MANAGED:
        if (ctx.flag(file, p)) G.flags[g] |= GroupFlag.Managed;
        break;
      case P_SPREAD:
        if (ctx.flag(file, p)) G.flags[g] |= GroupFlag.Spread | GroupFlag.Managed;
        break;
      case P_INACTIVE:
        if (ctx.flag(file, p)) G.flags[g] |= GroupFlag.Inactive;
        break;
      case P_MASKED:
        if (ctx.flag(file, p)) G.flags[g] |= GroupFlag.Masked;
        break;
      case P_CPU: {
        const r = number(v, 'a CPU number', 0, MAX_CPUS - 1);
        if (ctx.ok(file, r)) G.cpu[g] = r.value;
        break;
      }
      case P_VECTOR: {
        const r = number(v, 'a vector', 0, 255);
        if (ctx.ok(file, r)) G.vector[g] = r.value;
        break;
      }
      case P_LPI: {
        const r = number(v, 'an LPI INTID', 8192, (1 << 24) - 1);
        if (ctx.ok(file, r)) G.lpi[g] = r.value;
        break;
      }
      case P_IRTE: {
        const r = number(v, 'a remap table index', 0, 65535);
        if (ctx.ok(file, r)) G.irte[g] = r.value;
        break;
      }
      case P_COUNTS:
        for (let a = v.first; a < v.first + v.n; a++)
          if (t.atomKind(a) !== At.Number) {
            ctx.report(
              'bad-value',
              file,
              t.aStart[a],
              t.aEnd(a),
              `counts: expected per-CPU numbers, found '${describeAtom(t, a)}'`,
            );
            break;
          }
        break;
    }
  }

  private readonly singles = new Int32Array(MAX_CPUS).fill(-1);

  private singleMask(cpu: number): number {
    if (this.singles[cpu] < 0) this.singles[cpu] = this.mask([cpu]);
    return this.singles[cpu];
  }

  /** An affinity list, interned by content (masks are shared by every group that names them). */
  mask(cpus: number[]): number {
    const key = cpus.length === 1 ? String(cpus[0]) : cpus.join(',');
    let id = this.maskIds.get(key);
    if (id === undefined) {
      id = this.ctx.m.masks.length;
      this.ctx.m.masks.push(cpus);
      this.maskIds.set(key, id);
    }
    return id;
  }

  /**
   * Elements declared twice (since the device's last release) are reported and not allocated: one
   * finding per run of elements that an earlier statement already declared. Statements in index
   * order (the usual way) cost O(1); otherwise a map from index to its declaring group is kept.
   */
  private duplicates(file: SyntaxFile, s: number, g: number, dev: number, name: string): void {
    const G = this.ctx.m.groups;
    // indexed and unindexed declarations of a name are different interrupts (`d.q` vs `d.q[0]`)
    const table = G.first[g] < 0 ? this.declaredPlain : this.declared;
    let byName = table.get(dev);
    if (!byName) table.set(dev, (byName = new Map<string, Declared>()));
    const d = byName.get(name);
    if (!d) {
      byName.set(name, { maxLast: G.last[g], groups: [g], owner: undefined });
      return;
    }
    if (!d.owner && G.first[g] > d.maxLast) {
      d.groups.push(g);
      d.maxLast = G.last[g];
      return;
    }
    if (!d.owner) {
      d.owner = new Map<number, number>();
      for (const h of d.groups)
        for (let i = G.first[h]; i <= G.last[h]; i++)
          if (!d.owner.has(i) && !G.dead.get(h)?.has(G.first[h] < 0 ? 0 : i - G.first[h])) d.owner.set(i, h);
    }
    this.reportDuplicates(file, s, g, dev, name, d.owner);
    d.groups.push(g);
    d.maxLast = Math.max(d.maxLast, G.last[g]);
  }

  private reportDuplicates(
    file: SyntaxFile,
    s: number,
    g: number,
    dev: number,
    name: string,
    owner: Map<number, number>,
  ): void {
    const m = this.ctx.m;
    const G = m.groups;
    const t = file.tree;
    const start = t.aStart[t.sA[s]];
    const end = t.sC[s] >= 0 ? t.aEnd(t.sC[s]) : t.aEnd(t.sB[s]);
    const devName = m.devices.name[dev];
    const off = (i: number) => (G.first[g] < 0 ? 0 : i - G.first[g]);
    let dead: Set<number> | undefined;
    let run = -2;
    let runOwner = -1;
    const flush = (runEnd: number) => {
      if (run < -1) return;
      const a = run;
      const h = runOwner;
      const id =
        G.first[g] < 0
          ? `the interrupt ${devName}.${name} is`
          : a === runEnd
            ? `the interrupt ${devName}.${name}[${a}] is`
            : `the interrupts ${devName}.${name}[${a}..${runEnd}] are`;
      const first = G.first[g] < 0 ? `${devName}.${name}` : `${devName}.${name}[${a}]`;
      const hf = m.files[G.file[h]];
      const ht = hf.tree;
      const hs = G.stmt[h];
      this.ctx.report('duplicate-name', file, start, end, `${id} declared twice`, [
        {
          file: hf,
          start: ht.aStart[ht.sA[hs]],
          end: ht.sC[hs] >= 0 ? ht.aEnd(ht.sC[hs]) : ht.aEnd(ht.sB[hs]),
          message: `${first} is first declared here`,
        },
      ]);
      run = -2;
    };
    for (let i = G.first[g]; i <= G.last[g]; i++) {
      const h = owner.get(i);
      if (h === undefined) {
        flush(i - 1);
        owner.set(i, g);
        continue;
      }
      if (run >= -1 && h !== runOwner) flush(i - 1);
      (dead ??= new Set<number>()).add(off(i));
      if (run < -1) {
        run = i;
        runOwner = h;
      }
    }
    flush(G.last[g]);
    if (dead) G.dead.set(g, dead);
  }

  /** The endpoint domain every interrupt of the group starts in. */
  private endpoint(g: number, dev: number): void {
    const m = this.ctx.m;
    const D = m.devices;
    const G = m.groups;
    switch (G.source[g] as Src) {
      case Src.Msix:
      case Src.Msi:
      case Src.Virtual:
        G.domain[g] = D.msiDomain[dev];
        break;
      case Src.Ims:
        G.domain[g] = D.ims[dev];
        break;
      case Src.Window:
        G.domain[g] = D.ntb[dev] >= 0 ? D.ntb[dev] : D.msiDomain[dev];
        break;
      case Src.Pin: {
        if (D.ioapic[dev] >= 0) G.domain[g] = D.ioapic[dev];
        else {
          const only = this.onlyIoapic();
          if (only >= 0) G.domain[g] = only;
        }
        break;
      }
    }
  }

  private expect(file: SyntaxFile, s: number): void {
    const m = this.ctx.m;
    const targets = this.targets(file, s);
    m.expects.push({ file, stmt: s, targets });
    const t = file.tree;
    const pathId = kwId('path');
    for (let p = t.sProps[s]; p < t.sProps[s] + t.sNProps[s]; p++) {
      if (t.pName[p] !== pathId) continue;
      for (let a = t.pAtoms[p]; a < t.pAtoms[p] + t.pNAtoms[p]; a++)
        if (t.isName(a)) {
          const name = t.nameOf(a);
          if (!findDomain(m, name))
            unknownName(this.ctx, 'domain', { file, start: t.aStart[a], end: t.aEnd(a), name });
        }
    }
  }

  /** The interrupts an expect names: `d.q[3]` one, `d.q` all of the group(s). */
  private targets(file: SyntaxFile, s: number): number[] {
    const ctx = this.ctx;
    const m = ctx.m;
    const t = file.tree;
    const dev = this.deviceAt(file, t.sA[s]);
    if (dev < 0 || t.sB[s] < 0) return [];
    const name = t.nameOf(t.sB[s]);
    const G = m.groups;
    // the device's interrupts since its last release (the earlier ones are history)
    const since = m.releasedBefore.get(dev) ?? 0;
    const groups: number[] = [];
    for (const g of groupsOfDevice(m, dev)) if (G.name[g] === name && g >= since) groups.push(g);
    const nameStart = t.aStart[t.sB[s]];
    const refEnd = t.sC[s] >= 0 ? t.aEnd(t.sC[s]) : t.aEnd(t.sB[s]);
    if (groups.length === 0) {
      let text: string | undefined; // made once: the budget may be spent when asked again
      ctx.report('unknown-name', file, nameStart, refEnd, () => {
        if (text !== undefined) return text;
        const near = closest(name, groupNames(m, dev), ctx.suggest);
        return (text = `${m.devices.name[dev]} has no interrupt named '${name}'${near ? `: did you mean '${near}'?` : ''}`);
      });
      return [];
    }
    const all: number[] = [];
    // the latest declaration of each index wins (a release lets a device declare an interrupt anew)
    for (const g of groups)
      for (let i = 0; i < G.size[g]; i++) if (!G.dead.get(g)?.has(i)) all.push(G.order[g] + i);
    const idx = t.sC[s];
    if (idx < 0) return all;
    const lo = t.v1(idx);
    const hi = t.v2(idx);
    const picked: number[] = [];
    for (const g of groups) {
      if (G.first[g] < 0) continue;
      for (let i = Math.max(lo, G.first[g]); i <= Math.min(hi, G.last[g]); i++)
        if (!G.dead.get(g)?.has(i - G.first[g])) picked.push(G.order[g] + (i - G.first[g]));
    }
    if (picked.length === 0) {
      let min = Infinity;
      let max = -Infinity;
      for (const g of groups)
        if (G.first[g] >= 0) {
          min = Math.min(min, G.first[g]);
          max = Math.max(max, G.last[g]);
        }
      ctx.report(
        'unknown-name',
        file,
        t.aStart[idx],
        t.aEnd(idx),
        `${m.devices.name[dev]}.${name} has no index ${lo === hi ? lo : `${lo}..${hi}`}${min <= max ? ` (declared: ${min}..${max})` : ' (it is declared without an index)'}`,
      );
    }
    return picked;
  }

  private inject(file: SyntaxFile, s: number): void {
    const ctx = this.ctx;
    const t = file.tree;
    const info = { file, stmt: s, from: -1 } as {
      file: SyntaxFile;
      stmt: number;
      from: number;
      address?: number;
      data?: number;
    };
    if (t.sA[s] >= 0) {
      const r = numberAtom(t, t.sA[s], 'the written address', 0, 2 ** 52);
      if (ctx.ok(file, r)) info.address = r.value;
    }
    if (t.sB[s] >= 0) {
      const r = numberAtom(t, t.sB[s], 'the written data', 0, 0xffffffff);
      if (ctx.ok(file, r)) info.data = r.value;
    }
    if (t.sC[s] >= 0) info.from = this.deviceAt(file, t.sC[s]);
    ctx.m.injects.push(info);
  }
}

/** The distinct names of a device's interrupt groups, made as they are asked for. */
function* groupNames(m: Model, dev: number): Iterable<string> {
  const seen = new Set<string>();
  for (const g of groupsOfDevice(m, dev)) {
    const n = m.groups.name[g];
    if (!seen.has(n)) {
      seen.add(n);
      yield n;
    }
  }
}
