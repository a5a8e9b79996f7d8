// Merges what every input says: the /proc/interrupts rows (one snapshot; a table from another boot is
// not mixed in), the debugfs irqs/<n> records, the VECTOR matrix, the domains, and the machine facts
// of capture bundles.

import { at, type Ctx } from './context';
import { canonicalDomain, fwnodeToken } from './names';
import type { DebugIrq, Fact, MachineFacts, Matrix, ParsedInput, ProcRow, ProcTable, Src } from './types';
import { formatList } from './util';

export interface Gathered {
  rows: Map<number, ProcRow>;
  perCpu: ProcRow[];
  header?: { cpus: number[]; src: Src; elided: boolean };
  headerless?: { n: number; src: Src };
  dbg: Map<number, DebugIrq>;
  unnumbered: DebugIrq[];
}

const describe = (r: ProcRow): string =>
  `${r.chip ?? ''}${r.hwirq !== undefined ? ` ${r.hwirq}` : ''}${r.flow ? `-${r.flow}` : ''} ${r.actions[0] ?? ''}`.trim();

/** Why table `t` cannot be from the same boot as the rows read so far, or undefined. */
function otherBoot(
  rows: Map<number, ProcRow>,
  byAction: Map<string, ProcRow>,
  t: ProcTable,
): string | undefined {
  for (const r of t.rows) {
    const prev = rows.get(r.irq!);
    if (
      prev &&
      (prev.chip !== r.chip || prev.hwirq !== r.hwirq || (prev.actions[0] ?? '') !== (r.actions[0] ?? ''))
    )
      return `irq ${r.irq} is '${describe(prev)}' at ${at(prev.src)} but '${describe(r)}' here`;
    const a = r.actions[0];
    const same = a ? byAction.get(a) : undefined;
    if (same && same.irq !== r.irq && same.chip === r.chip && same.hwirq === r.hwirq)
      return `'${a}' is irq ${same.irq} at ${at(same.src)} but irq ${r.irq} here`;
  }
  return undefined;
}

export function gather(ctx: Ctx, inputs: readonly ParsedInput[]): Gathered {
  const g: Gathered = { rows: new Map(), perCpu: [], dbg: new Map(), unnumbered: [] };
  const byAction = new Map<string, ProcRow>();
  let firstTable: ProcTable | undefined;
  for (const input of inputs) {
    for (const t of input.procTables) {
      if (t.rows.length === 0 && t.perCpu.length === 0 && !t.cpus) continue;
      if (firstTable && t !== firstTable) {
        const h = g.header;
        const diffCpus =
          h && t.cpus && !h.elided && !t.elided && formatList(t.cpus) !== formatList(h.cpus)
            ? `its CPU header (${formatList(t.cpus)}) differs from the one at ${at(h.src)} (${formatList(h.cpus)})`
            : undefined;
        const why = diffCpus ?? otherBoot(g.rows, byAction, t);
        if (why) {
          ctx.problem(
            t.headerSrc ?? t.rows[0]?.src ?? t.perCpu[0]?.src,
            'warning',
            `another /proc/interrupts snapshot that does not match the first one (${why}): its rows come from another boot or machine and are not merged; only the first is imported`,
          );
          continue;
        }
      }
      firstTable ??= t;
      if (t.cpus && t.headerSrc && !g.header)
        g.header = { cpus: t.cpus, src: t.headerSrc, elided: t.elided === true };
      else if (!t.cpus && t.rows.length > 0 && !g.headerless) {
        let n = 0;
        for (const r of t.rows) if (!r.elided) n = Math.max(n, r.counts.length);
        g.headerless = { n, src: t.rows[0].src };
      }
      for (const r of t.rows) {
        const prev = g.rows.get(r.irq!);
        if (prev) {
          if (prev.rest !== r.rest)
            ctx.problem(
              r.src,
              'information',
              `irq ${r.irq} was already read at ${at(prev.src)}; the first row is used`,
            );
          continue;
        }
        g.rows.set(r.irq!, r);
        if (r.actions[0] && !byAction.has(r.actions[0])) byAction.set(r.actions[0], r);
      }
      if (g.perCpu.length === 0) g.perCpu.push(...t.perCpu);
    }
    for (const i of input.irqs) {
      if (i.irq === undefined) g.unnumbered.push(i);
      else if (g.dbg.has(i.irq))
        ctx.problem(
          i.src,
          'information',
          `irqs/${i.irq} was already read at ${at(g.dbg.get(i.irq)!.src)}; the first is used`,
        );
      else g.dbg.set(i.irq, i);
    }
    for (const m of input.matrices) gatherMatrix(ctx, m);
  }
  collectDomains(ctx, inputs);
  return g;
}

function gatherMatrix(ctx: Ctx, m: Matrix): void {
  if (m.rows.length === 0) return;
  if (!ctx.matrix) {
    ctx.matrix = m;
    return;
  }
  const key = (x: Matrix): string => x.rows.map((r) => `${r.cpu}:${formatList(r.vectors)}`).join(';');
  if (key(m) !== key(ctx.matrix) || m.system?.join() !== ctx.matrix.system?.join())
    ctx.problem(
      m.src,
      'information',
      `this VECTOR matrix differs from the one at ${at(ctx.matrix.src)} (a later snapshot?); the first one is imported`,
    );
}

/** The domains debugfs (domains/, irqs/ chains) and `ls` name, with their parents. */
function collectDomains(ctx: Ctx, inputs: readonly ParsedInput[]): void {
  const note = (
    name: string,
    src: Src,
    parent?: string,
    parentSrc?: Src,
    chip?: string,
    size?: number,
  ): void => {
    if (name === '' || name === 'default') return;
    const c = canonicalDomain(name);
    let d = ctx.doms.get(c);
    if (!d) {
      d = { kernelNames: new Set(), src };
      ctx.doms.set(c, d);
    }
    if (d.kernelNames.size < 8) d.kernelNames.add(name);
    if (parent !== undefined) {
      const pc = canonicalDomain(parent);
      if (pc === c) {
        ctx.problem(
          parentSrc,
          'warning',
          `${name}'s parent ${parent} is the same domain once the bus-token suffix is removed; the parent is not used`,
        );
      } else if (d.parent === undefined) {
        d.parent = pc;
        d.parentSrc = parentSrc;
      } else if (d.parent !== pc)
        ctx.problem(
          parentSrc,
          'warning',
          `${name}'s parent is ${parent} here but ${d.parent} at ${at(d.parentSrc)}; the first is used`,
        );
    }
    // `<node>-5` is the node's NEXUS domain: on arm64 the ITS (its_init_domain), also for the ACPI
    // names (`irqchip@0x...`) that do not say ITS
    if (chip && (!d.chip || d.chipHinted)) {
      d.chip = chip;
      d.chipHinted = false;
    } else if (!d.chip && fwnodeToken(name)?.token === 5) {
      d.chip = 'ITS';
      d.chipHinted = true;
    }
    if (size !== undefined && d.size === undefined) d.size = size;
  };
  for (const input of inputs) {
    for (const dd of input.domains)
      dd.chain.forEach((lv, i) =>
        note(lv.name, lv.src, dd.chain[i + 1]?.name, dd.chain[i + 1]?.src, undefined, lv.size),
      );
    for (const di of input.irqs) {
      const lvls = di.levels.filter((l) => l.domain !== '');
      lvls.forEach((lv, i) => note(lv.domain, lv.src, lvls[i + 1]?.domain, lvls[i + 1]?.src, lv.chip));
    }
    for (const e of input.ls) if (e.name !== 'default') note(e.name, e.src);
  }
}

/** Merges the machine facts of every input: the first value of each fact wins, conflicts are reported. */
export function mergeMachine(
  ctx: { problem: Ctx['problem'] },
  inputs: readonly ParsedInput[],
  out: MachineFacts,
): void {
  const pick = <T>(
    a: Fact<T> | undefined,
    b: Fact<T> | undefined,
    what: string,
    same: (x: T, y: T) => boolean,
  ): Fact<T> | undefined => {
    if (!a) return b;
    if (b && !same(a.value, b.value))
      ctx.problem(
        b.src,
        'warning',
        `${what} is read again here with another value than at ${at(a.src)} (another machine or boot?); the first is used`,
      );
    return a;
  };
  const eq = <T>(x: T, y: T): boolean => JSON.stringify(x) === JSON.stringify(y);
  for (const p of inputs) {
    const m = p.machine;
    out.osrelease = pick(out.osrelease, m.osrelease, 'the kernel release', eq);
    out.cmdline = pick(out.cmdline, m.cmdline, 'the kernel command line', eq);
    out.online = pick(out.online, m.online, 'the online CPUs', eq);
    out.possible = pick(out.possible, m.possible, 'the possible CPUs', eq);
    out.present = pick(out.present, m.present, 'the present CPUs', eq);
    out.apicDriver = pick(out.apicDriver, m.apicDriver, 'the APIC driver', eq);
    for (const [k, v] of m.siblings)
      out.siblings.set(k, pick(out.siblings.get(k), v, `CPU ${k}'s siblings`, eq)!);
    for (const [k, v] of m.nodes) out.nodes.set(k, pick(out.nodes.get(k), v, `node ${k}'s CPUs`, eq)!);
    for (const [k, v] of m.apicIds) if (!out.apicIds.has(k)) out.apicIds.set(k, v);
    for (const [k, v] of m.procIrqs) {
      const o = out.procIrqs.get(k);
      if (!o) out.procIrqs.set(k, v);
      else {
        o.affinity = pick(o.affinity, v.affinity, `/proc/irq/${k}/smp_affinity_list`, eq);
        o.effective = pick(o.effective, v.effective, `/proc/irq/${k}/effective_affinity_list`, eq);
        o.node = pick(o.node, v.node, `/proc/irq/${k}/node`, eq);
      }
    }
    for (const [k, v] of m.sysIrqs) if (!out.sysIrqs.has(k)) out.sysIrqs.set(k, v);
    for (const [k, v] of m.pci) if (!out.pci.has(k)) out.pci.set(k, v);
    for (const [k, v] of m.iommu) if (!out.iommu.has(k)) out.iommu.set(k, v);
    out.ioapics.push(...m.ioapics);
    out.dmarIoapics.push(...m.dmarIoapics);
    out.dmesg.push(...m.dmesg);
    out.unreadable.push(...m.unreadable);
  }
}
