// The statements that use declarations: irq (one group row per statement), release (history),
// expect and inject. Interrupts are numbered in allocation order (file order, includes first);
// an interrupt is an index, never an object.

import { IRQ_PROPERTIES, IRQ_SOURCES } from '../kinds';
import { kwId } from '../syntax/names';
import { At, St } from '../syntax/tree';
import type { SyntaxFile } from '../syntax/view';
import { describeAtom, number, numberAtom, numberList } from '../values';
import type { BindContext } from './context';
import { eachProperty } from './declare';
import { MAX_CPUS, MAX_IRQS } from './limits';
import { Uses, unknownName } from './links';
import { closest, findDomain, groupsOfDevice } from './queries';
import { GroupFlag, Src, type Model } from './types';

const SRC_BY_ID = new Map<number, Src>([
  [kwId('msix'), Src.Msix],
  [kwId('msi'), Src.Msi],
  [kwId('ims'), Src.Ims],
  [kwId('pin'), Src.Pin],
  [kwId('window'), Src.Window],
  [kwId('virtual'), Src.Virtual],
]);

const IRQ_PROPS: readonly string[] = [...IRQ_PROPERTIES, 'irte', 'inactive', 'spread'];

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
      const src = SRC_BY_ID.get(t.aV1[t.sD[s]]);
      if (src === Src.Msi) uses[dev] |= Uses.Msi;
      else if (src === Src.Msix || src === Src.Virtual) uses[dev] |= Uses.Msix;
      else if (src === Src.Window) uses[dev] |= Uses.Window;
    }
  }
  return uses;
}

export class UseBinder {
  /** per device: interrupt name -> the groups declaring it since the device's last release */
  private readonly declared = new Map<number, Map<string, number[]>>();
  private readonly maskIds = new Map<string, number>();

  constructor(
    private readonly ctx: BindContext,
    private readonly names: DeviceNames,
  ) {}

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
    this.declared.delete(dev); // its later statements declare its interrupts anew
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
    const src = SRC_BY_ID.get(t.aV1[k]);
    const kname = t.nameOf(k);
    if (src === undefined || t.atomKind(k) !== At.Name) {
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
    const G = ctx.m.groups;
    const t = file.tree;
    eachProperty(ctx, file, s, IRQ_PROPS, 'an interrupt', (p, n) => {
      const v = ctx.propValues(file, p);
      switch (n) {
        case 'affinity': {
          const r = numberList(v, 'the affinity CPUs', MAX_CPUS - 1);
          if (ctx.ok(file, r)) G.affinity[g] = this.mask(r.value);
          break;
        }
        case 'managed':
          if (ctx.flag(file, p)) G.flags[g] |= GroupFlag.Managed;
          break;
        case 'spread':
          if (ctx.flag(file, p)) G.flags[g] |= GroupFlag.Spread | GroupFlag.Managed;
          break;
        case 'inactive':
          if (ctx.flag(file, p)) G.flags[g] |= GroupFlag.Inactive;
          break;
        case 'masked':
          if (ctx.flag(file, p)) G.flags[g] |= GroupFlag.Masked;
          break;
        case 'cpu': {
          const r = number(v, 'a CPU number', 0, MAX_CPUS - 1);
          if (ctx.ok(file, r)) G.cpu[g] = r.value;
          break;
        }
        case 'vector': {
          const r = number(v, 'a vector', 0, 255);
          if (ctx.ok(file, r)) G.vector[g] = r.value;
          break;
        }
        case 'lpi': {
          const r = number(v, 'an LPI INTID', 8192, (1 << 24) - 1);
          if (ctx.ok(file, r)) G.lpi[g] = r.value;
          break;
        }
        case 'irte': {
          const r = number(v, 'a remap table index', 0, 65535);
          if (ctx.ok(file, r)) G.irte[g] = r.value;
          break;
        }
        case 'counts': {
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
    });
  }

  /** An affinity list, interned by content (masks are shared by every group that names them). */
  private mask(cpus: number[]): number {
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
   * finding per run of elements that an earlier statement already declared.
   */
  private duplicates(file: SyntaxFile, s: number, g: number, dev: number, name: string): void {
    const m = this.ctx.m;
    const G = m.groups;
    let byName = this.declared.get(dev);
    if (!byName) this.declared.set(dev, (byName = new Map<string, number[]>()));
    const key = G.first[g] < 0 ? name : name + '[]';
    const earlier = byName.get(key);
    if (!earlier) {
      byName.set(key, [g]);
      return;
    }
    const t = file.tree;
    const start = t.aStart[t.sA[s]];
    const end = t.sC[s] >= 0 ? t.aEnd(t.sC[s]) : t.aEnd(t.sB[s]);
    const devName = m.devices.name[dev];
    const off = (x: number, i: number) => (G.first[x] < 0 ? 0 : i - G.first[x]);
    for (const h of earlier) {
      const lo = Math.max(G.first[g], G.first[h]);
      const hi = Math.min(G.last[g], G.last[h]);
      if (lo > hi) continue;
      let dead = G.dead.get(g);
      if (!dead) G.dead.set(g, (dead = new Set()));
      let runStart = -2;
      const flush = (runEnd: number) => {
        if (runStart < -1) return;
        const a = runStart;
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
        runStart = -2;
      };
      const hDead = G.dead.get(h);
      for (let i = lo; i <= hi; i++) {
        // a duplicate of h's element only where h's element is itself live (else an earlier one owns it)
        if (dead.has(off(g, i)) || hDead?.has(off(h, i))) {
          flush(i - 1);
          continue;
        }
        dead.add(off(g, i));
        if (runStart < -1) runStart = i;
      }
      flush(hi);
    }
    earlier.push(g);
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
          const ioapics = m.domains.filter((d) => d.kind === 'ioapic');
          if (ioapics.length === 1) G.domain[g] = ioapics[0].index;
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
    const groups: number[] = [];
    for (const g of groupsOfDevice(m, dev)) if (G.name[g] === name) groups.push(g);
    const nameStart = t.aStart[t.sB[s]];
    const refEnd = t.sC[s] >= 0 ? t.aEnd(t.sC[s]) : t.aEnd(t.sB[s]);
    if (groups.length === 0) {
      ctx.report('unknown-name', file, nameStart, refEnd, () => {
        const pool = new Set<string>();
        for (const g of groupsOfDevice(m, dev)) pool.add(G.name[g]);
        const near = closest(name, pool);
        return `${m.devices.name[dev]} has no interrupt named '${name}'${near ? `: did you mean '${near}'?` : ''}`;
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
