// The machine statements: arch, kernel, cpus, apic-ids and the v2 machine model (possible-cpus,
// node, smt, apic, ext-dest-id), and the ordered history statements offline (CPU hotplug).

import { ARCHES } from '../kinds';
import { KEYWORDS, Kw } from '../syntax/names';
import { At } from '../syntax/tree';
import type { SyntaxFile } from '../syntax/view';
import { describeAtom, numberList, oneOf, single, valuesOf, valuesSpan, type Values } from '../values';
import type { BindContext } from './context';
import { MAX_CPUS, MAX_NODES } from './limits';
import { APIC_MODES, type Model, type Site } from './types';

export class Settings {
  private readonly seen = new Map<number, Site>();
  private pendingApic: { ids: number[]; site: Site; overflow: boolean } | undefined;
  /** the node of each CPU so far (-1: none), and each node by id: a node statement costs its CPUs */
  private readonly nodeOfCpu = new Int32Array(MAX_CPUS).fill(-1);
  private readonly nodeById = new Map<number, Model['nodes'][number]>();
  private readonly nodeOrder = new Map<number, number>();

  constructor(private readonly ctx: BindContext) {}

  /** A setting statement (keyword + values). */
  setting(file: SyntaxFile, s: number): void {
    const ctx = this.ctx;
    const m = ctx.m;
    const t = file.tree;
    const kw = t.sKw[s];
    const kwStart = t.sStart[s];
    const kwEnd = kwStart + KEYWORDS[kw].length;
    const v = valuesOf(t, t.sArgs[s], t.sNArgs[s], kwStart, kwEnd);
    const span = valuesSpan(v);
    const where: Site = v.n
      ? { file, start: span.start, end: span.end }
      : { file, start: t.sStart[s], end: t.sEnd[s] };
    if (kw !== Kw.offline) {
      const prev = this.seen.get(kw);
      if (prev) {
        ctx.report(
          'bad-value',
          file,
          kwStart,
          kwEnd,
          `'${KEYWORDS[kw]}' is given twice: a topology has one`,
          [{ file: prev.file, start: prev.start, end: prev.end, message: `the first '${KEYWORDS[kw]}'` }],
        );
        return;
      }
      this.seen.set(kw, { file, start: kwStart, end: kwEnd });
    }
    switch (kw) {
      case Kw.arch: {
        const r = oneOf(v, ARCHES, 'architecture');
        if (ctx.ok(file, r)) {
          m.arch = r.value;
          m.archSite = where;
        }
        break;
      }
      case Kw.kernel: {
        const a = single(v, 'a kernel version such as 6.8');
        if (!ctx.ok(file, a)) break;
        const x = a.value;
        const k = t.atomKind(x);
        const text = t.text.slice(t.aStart[x], t.aEnd(x));
        const site = { file, start: t.aStart[x], end: t.aEnd(x) };
        if (k === At.Version) m.kernel = { major: t.v1(x), minor: t.v2(x), text, site };
        else if (k === At.Number) m.kernel = { major: t.v1(x), minor: 0, text, site };
        else
          ctx.report(
            'bad-value',
            file,
            site.start,
            site.end,
            `expected a kernel version such as 6.8, found '${describeAtom(t, x)}'`,
          );
        break;
      }
      case Kw.cpus: {
        const r = numberList(v, 'the online CPUs', MAX_CPUS - 1);
        if (ctx.ok(file, r)) {
          m.cpus = r.value;
          m.cpusSite = where;
        }
        break;
      }
      case Kw.possibleCpus: {
        const r = numberList(v, 'the possible CPUs', MAX_CPUS - 1);
        if (ctx.ok(file, r)) {
          m.possibleCpus = r.value;
          m.possibleSite = where;
        }
        break;
      }
      case Kw.apicIds:
        this.apicIds(file, v, where);
        break;
      case Kw.smt: {
        // smt N [adjacent]
        const first = v.first;
        if (v.n === 0 || t.atomKind(first) !== At.Number) {
          ctx.report(
            'bad-value',
            file,
            span.start,
            span.end,
            'expected the threads per core: smt N, or smt N adjacent',
          );
          break;
        }
        const threads = t.v1(first);
        if (threads < 1 || threads > 8) {
          ctx.report(
            'bad-value',
            file,
            t.aStart[first],
            t.aEnd(first),
            `smt: ${threads} threads per core; expected 1 to 8`,
          );
          break;
        }
        let adjacent = false;
        if (v.n > 1) {
          const a = first + 1;
          if (v.n > 2 || !t.isName(a) || t.nameOf(a) !== 'adjacent') {
            const bad = v.n > 2 && t.isName(a) && t.nameOf(a) === 'adjacent' ? first + 2 : a;
            ctx.report(
              'bad-value',
              file,
              t.aStart[bad],
              t.aEnd(bad),
              `unexpected '${describeAtom(t, bad)}' after smt ${threads}: the only word it takes is 'adjacent' (siblings numbered next to each other, as QEMU enumerates threads)`,
            );
            break;
          }
          adjacent = true;
        }
        m.smt = { threads, adjacent, site: where };
        break;
      }
      case Kw.apic: {
        const r = oneOf(v, APIC_MODES, 'APIC driver');
        if (ctx.ok(file, r)) m.apic = { mode: r.value, site: where };
        break;
      }
      case Kw.extDestId:
        if (v.n > 0)
          ctx.report('bad-value', file, span.start, span.end, "'ext-dest-id' is a flag and takes no value");
        else m.extDestId = { file, start: kwStart, end: kwEnd };
        break;
      case Kw.offline: {
        const r = orderedList(v, 'the CPUs to take offline', MAX_CPUS - 1);
        if (ctx.ok(file, r))
          m.offlines.push({ cpus: r.value, site: { file, start: t.sStart[s], end: t.sEnd[s] } });
        break;
      }
    }
  }

  /** `node N cpus LIST` */
  node(file: SyntaxFile, s: number): void {
    const ctx = this.ctx;
    const m = ctx.m;
    const t = file.tree;
    const idAtom = t.sA[s];
    if (idAtom < 0 || t.atomKind(idAtom) !== At.Number) return; // a syntax error says so
    const id = t.v1(idAtom);
    if (id >= MAX_NODES) {
      ctx.report(
        'bad-value',
        file,
        t.aStart[idAtom],
        t.aEnd(idAtom),
        `node ${id}: node numbers run from 0 to ${MAX_NODES - 1} (MAX_NUMNODES)`,
      );
      return;
    }
    const prev = this.nodeById.get(id);
    if (prev) {
      ctx.report('bad-value', file, t.aStart[idAtom], t.aEnd(idAtom), `node ${id} is declared twice`, [
        { ...prev.site, message: `the first node ${id}` },
      ]);
      return;
    }
    const v = valuesOf(t, t.sArgs[s], t.sNArgs[s], t.aStart[idAtom], t.aEnd(idAtom));
    const r = numberList(v, `the CPUs of node ${id}`, MAX_CPUS - 1);
    if (!ctx.ok(file, r)) return;
    const span = valuesSpan(v);
    // the first node declared that holds one of these CPUs, and the first of them it holds
    let other: Model['nodes'][number] | undefined;
    for (const c of r.value) {
      const n = this.nodeOfCpu[c] >= 0 ? this.nodeById.get(this.nodeOfCpu[c]) : undefined;
      if (n && (!other || this.nodeOrder.get(n.id)! < this.nodeOrder.get(other.id)!)) other = n;
    }
    if (other) {
      const shared = r.value.find((c) => this.nodeOfCpu[c] === other.id)!;
      ctx.report(
        'bad-value',
        file,
        span.start,
        span.end,
        `CPU ${shared} is in node ${other.id} and node ${id}: a CPU belongs to one NUMA node (cpu_to_node)`,
        [{ ...other.site, message: `node ${other.id}` }],
      );
      return;
    }
    const node = { id, cpus: r.value, site: { file, start: span.start, end: span.end } };
    m.nodes.push(node);
    this.nodeById.set(id, node);
    this.nodeOrder.set(id, this.nodeOrder.size);
    for (const c of r.value) this.nodeOfCpu[c] = id;
    m.nodesGiven = true;
  }

  private apicIds(file: SyntaxFile, v: Values, where: Site): void {
    // in CPU order: not deduplicated or sorted, so expanded by hand, within a budget
    const t = v.t;
    const ids: number[] = [];
    let overflow = false;
    for (let a = v.first; a < v.first + v.n && !overflow; a++) {
      const k = t.atomKind(a);
      if (k === At.Number) ids.push(t.v1(a));
      else if (k === At.Range && t.v1(a) <= t.v2(a) && t.v2(a) - t.v1(a) < 1 << 16) {
        for (let x = t.v1(a); x <= t.v2(a); x++) {
          if (ids.length > MAX_CPUS) {
            overflow = true;
            break;
          }
          ids.push(x);
        }
      } else {
        this.ctx.report(
          'bad-value',
          file,
          t.aStart[a],
          t.aEnd(a),
          `apic-ids: expected numbers and ranges in CPU order, found '${describeAtom(t, a)}'`,
        );
        return;
      }
      if (ids.length > MAX_CPUS) overflow = true;
    }
    this.pendingApic = { ids, site: where, overflow };
  }

  /** APIC IDs in CPU order, once the CPUs are known. */
  applyApicIds(): void {
    const ctx = this.ctx;
    const m = ctx.m;
    const p = this.pendingApic;
    if (!p) {
      for (const c of m.cpus) m.apicIds.set(c, c);
      return;
    }
    const cpusAt = m.cpusSite ? [{ ...m.cpusSite, message: 'the CPUs' }] : [];
    if (p.overflow || p.ids.length !== m.cpus.length) {
      ctx.report(
        'bad-value',
        p.site.file,
        p.site.start,
        p.site.end,
        `apic-ids lists ${p.overflow ? `more than ${MAX_CPUS}` : p.ids.length} APIC IDs for ${m.cpus.length} CPUs: give one per CPU, in CPU order`,
        cpusAt,
      );
    }
    const seen = new Map<number, number>();
    for (let i = 0; i < p.ids.length && i < m.cpus.length; i++) {
      const other = seen.get(p.ids[i]);
      if (other !== undefined) {
        ctx.report(
          'bad-value',
          p.site.file,
          p.site.start,
          p.site.end,
          `apic-ids gives APIC ID ${p.ids[i]} to CPU ${m.cpus[other]} and to CPU ${m.cpus[i]}: each CPU's local APIC has its own ID, and a message addresses exactly one (two CPUs would receive the same interrupts)`,
        );
        break;
      }
      seen.set(p.ids[i], i);
    }
    m.cpus.forEach((c, i) => m.apicIds.set(c, i < p.ids.length ? p.ids[i] : c));
  }
}

/** Numbers and ranges in the order written (`offline 5,3,0-1` = 5, 3, 0, 1), each once. */
function orderedList(
  v: Values,
  what: string,
  max: number,
): { ok: true; value: number[] } | { ok: false; message: string; start: number; end: number } {
  const sorted = numberList(v, what, max); // validates every item the same way
  if (!sorted.ok) return sorted;
  const t = v.t;
  const out: number[] = [];
  const seen = new Set<number>();
  for (let a = v.first; a < v.first + v.n; a++) {
    const lo = t.v1(a);
    const hi = t.atomKind(a) === At.Range ? t.v2(a) : lo;
    for (let x = lo; x <= hi; x++)
      if (!seen.has(x)) {
        seen.add(x);
        out.push(x);
      }
  }
  return { ok: true, value: out };
}
