// The machine-level decisions: architecture, kernel version, online and possible CPUs, NUMA nodes,
// SMT siblings, APIC IDs and the APIC driver. Each is read when a source holds it (a capture bundle,
// the /proc/interrupts header, the VECTOR matrix) and inferred, with the reason, when none does.

import type { Arch } from '../kinds';
import { at, where, type Ctx } from './context';
import type { Gathered } from './gather';
import { cmp, describeEra, fmt, inferArch, inferEra, representative, vectorWindow, type Era } from './infer';
import type { Machine } from './result';
import type { ParsedInput } from './types';
import { formatList, MAX_CPUS } from './util';

export function decideArch(ctx: Ctx, inputs: readonly ParsedInput[]): void {
  if (ctx.options.arch) {
    ctx.arch = ctx.options.arch;
    return;
  }
  const ev = inferArch(inputs);
  const m = ctx.machine;
  const rel = m.osrelease?.value ?? '';
  const relArch: Arch | undefined = /x86_64|i[3-6]86/.test(rel)
    ? 'x86'
    : /aarch64|arm64/.test(rel)
      ? 'arm64'
      : /riscv64/.test(rel)
        ? 'riscv'
        : undefined;
  if (relArch && m.osrelease)
    ev.unshift({ arch: relArch, why: `the kernel release ${rel}`, src: m.osrelease.src });
  const apic = [...m.apicIds.values()][0];
  if (apic) ev.unshift({ arch: 'x86', why: "/proc/cpuinfo's apicid lines", src: apic.src });
  const votes = new Map<Arch, number>();
  for (const e of ev) votes.set(e.arch, (votes.get(e.arch) ?? 0) + 1);
  const ranked = [...votes.entries()].sort((a, c) => c[1] - a[1]);
  if (ranked.length === 0) {
    ctx.arch = 'x86';
    ctx.inferred.push('arch x86: assumed (no architecture fingerprint in the dumps)');
    return;
  }
  ctx.arch = ranked[0][0];
  const mine = ev.filter((e) => e.arch === ctx.arch).slice(0, 3);
  ctx.inferred.push(`arch ${ctx.arch}: from ${mine.map((e) => `${e.why} (${at(e.src)})`).join(', ')}`);
  if (ranked.length > 1) {
    const other = ev.find((e) => e.arch !== ctx.arch)!;
    ctx.problem(
      other.src,
      'warning',
      `${other.why} looks like ${other.arch}, but most fingerprints say ${ctx.arch}; ${ctx.arch} is used`,
    );
  }
}

/** The kernel: given, read (uname -r in a bundle), or inferred from the dumps' era fingerprints. */
export function decideKernel(
  ctx: Ctx,
  inputs: readonly ParsedInput[],
): { comment?: string; release?: string } {
  const era = inferEra(inputs, ctx.arch);
  const rel = ctx.machine.osrelease;
  const given = ctx.options.kernel ?? rel?.value;
  const mm = given !== undefined ? /^(\d{1,3})\.(\d{1,3})/.exec(given) : null;
  if (mm) {
    ctx.kernel = { major: Number(mm[1]), minor: Number(mm[2]) };
    const comment =
      ctx.options.kernel !== undefined
        ? `the running kernel's release: ${ctx.options.kernel}`
        : `uname -r: ${rel!.value} (${where(rel!.src)})`;
    if ((era.atLeast && cmp(ctx.kernel, era.atLeast) < 0) || (era.below && cmp(ctx.kernel, era.below) >= 0))
      ctx.problem(
        ctx.options.kernel !== undefined ? undefined : rel?.src,
        'warning',
        `the kernel ${given} is outside the era the dumps show (${describeEra(era)}: ${era.evidence
          .slice(0, 2)
          .map((e) => e.why)
          .join('; ')}); are the dumps from this kernel?`,
      );
    return { comment, release: given };
  }
  ctx.kernel = representative(era);
  describeKernel(ctx, era);
  return { comment: ctx.kernel ? `inferred: ${describeEra(era)}; see the inferred facts above` : undefined };
}

function describeKernel(ctx: Ctx, era: Era): void {
  if (era.conflict) {
    ctx.problem(undefined, 'warning', `${era.conflict}; no \`kernel\` statement is written`);
    ctx.inferred.push(`kernel: not written (${era.conflict})`);
    return;
  }
  const v = representative(era);
  const why = era.evidence
    .slice(0, 4)
    .map((e) => `${e.why}${e.src ? ` (${at(e.src)})` : ''}`)
    .join('; ');
  if (!v) {
    ctx.inferred.push(
      era.evidence.length === 0
        ? 'kernel: no era fingerprint in the dumps; no `kernel` statement (the checker then uses architecture-only rules and the newest behaviour)'
        : `kernel: ${describeEra(era)} (${why}); no version to write`,
    );
    return;
  }
  const how = era.atLeast ? 'its lower bound' : `the last version before ${fmt(era.below!)}`;
  ctx.inferred.push(`kernel ${fmt(v)}: ${describeEra(era)}, written as ${how}; from ${why}`);
}

/** The online CPUs: read (sysfs, the /proc/interrupts header, the matrix rows), else inferred. */
export function decideCpus(ctx: Ctx, g: Gathered): string {
  const m = ctx.machine;
  if (m.online && m.online.value.length > 0) {
    ctx.setCpus(m.online.value);
    if (g.header && !g.header.elided && formatList(g.header.cpus) !== formatList(m.online.value))
      ctx.problem(
        g.header.src,
        'warning',
        `the /proc/interrupts header names CPUs ${formatList(g.header.cpus)} but ${where(m.online.src)} says ${formatList(m.online.value)} are online (a CPU went on- or offline between the two reads?); the online list is used`,
      );
    return `the online CPUs: ${where(m.online.src)}`;
  }
  if (g.header && g.header.cpus.length > 0 && !g.header.elided) {
    ctx.setCpus(g.header.cpus);
    return `the CPU header of /proc/interrupts (${at(g.header.src)})`;
  }
  if (g.header && g.header.elided) {
    const max = g.header.cpus[g.header.cpus.length - 1];
    ctx.setCpus(range(max + 1));
    ctx.inferred.push(
      `cpus 0-${max}: the /proc/interrupts header (${at(g.header.src)}) left columns out with '...' and names CPUs up to ${max}; CPUs 0-${max} assumed online`,
    );
    return `inferred: the elided CPU header of /proc/interrupts (${at(g.header.src)})`;
  }
  if (ctx.matrix) {
    ctx.setCpus(ctx.matrix.rows.map((r) => r.cpu).sort((a, b) => a - b));
    return `the CPU rows of the VECTOR matrix (${at(ctx.matrix.rows[0].src)})`;
  }
  if (g.headerless && g.headerless.n > 0 && g.headerless.n <= MAX_CPUS) {
    ctx.setCpus(range(g.headerless.n));
    ctx.inferred.push(
      `cpus ${formatList(ctx.cpus)}: the /proc/interrupts rows have ${g.headerless.n} count columns but no CPU header; CPUs 0-${g.headerless.n - 1} assumed online`,
    );
    return `inferred: ${g.headerless.n} count columns and no CPU header (${at(g.headerless.src)})`;
  }
  // no CPU list at all: the highest CPU any affinity mask, effective mask or target names. Affinity
  // masks range over the possible CPUs (irq_default_affinity), so `0-63,128-191` means at least 192.
  let max = 0;
  let named = false;
  const see = (cpus: readonly number[] | undefined): void => {
    for (const c of cpus ?? []) {
      named = true;
      if (c > max) max = c;
    }
  };
  for (const i of [...g.dbg.values(), ...g.unnumbered]) {
    see(i.affinity);
    see(i.effective);
    see(i.pending);
    for (const l of i.levels) see(l.target !== undefined ? [l.target] : undefined);
  }
  for (const p of m.procIrqs.values()) {
    see(p.affinity?.value);
    see(p.effective?.value);
  }
  ctx.setCpus(range(max + 1));
  if (!named) {
    ctx.inferred.push(
      "cpus 0: the dumps name no CPU; only CPU 0 is written (edit `cpus` to the machine's online CPUs)",
    );
    return 'inferred: the dumps name no CPU; CPU 0 (the boot CPU) is written so the file is complete';
  }
  ctx.inferred.push(
    `cpus ${formatList(ctx.cpus)}: the dumps hold no CPU list; CPUs 0-${max} assumed online (the highest CPU an affinity mask, effective mask or target names; affinity masks range over the possible CPUs, so some of these may be offline)`,
  );
  return 'inferred: up to the highest CPU the affinity masks and targets name; the online CPUs are not in the dumps';
}

function range(n: number): number[] {
  return Array.from({ length: Math.min(n, MAX_CPUS) }, (_, i) => i);
}

const DRIVERS: Record<string, NonNullable<Machine['apic']>['driver']> = {
  flat: 'flat',
  'physical flat': 'physflat',
  'cluster x2apic': 'x2apic-cluster',
  'physical x2apic': 'x2apic-phys',
};

/** possible-cpus, nodes, SMT, APIC IDs and the APIC driver, when a capture read them. */
export function decideMachine(ctx: Ctx): Machine {
  const m = ctx.machine;
  const out: Machine = { nodes: [] };
  if (m.possible && m.possible.value.length > 0) {
    out.possibleCpus = { cpus: m.possible.value, comment: where(m.possible.src) };
    const missing = ctx.cpus.filter((c) => !m.possible!.value.includes(c));
    if (missing.length > 0)
      ctx.problem(
        m.possible.src,
        'warning',
        `online CPUs ${formatList(missing)} are not in the possible CPUs ${formatList(m.possible.value)}`,
      );
  }
  for (const [node, f] of [...m.nodes].sort((a, b) => a[0] - b[0]))
    if (f.value.length > 0) out.nodes.push({ node, cpus: f.value, comment: where(f.src) });
  out.smt = decideSmt(ctx, m.possible?.value ?? ctx.cpus);
  const drv = m.apicDriver;
  if (drv && ctx.arch === 'x86') {
    const d = DRIVERS[drv.value];
    if (d)
      out.apic = { driver: d, comment: `dmesg "Switched APIC routing to ${drv.value}" (${at(drv.src)})` };
    else
      ctx.notes.push(
        `the APIC driver is '${drv.value}' (${at(drv.src)}), which the language has no name for; no \`apic\` statement is written`,
      );
  }
  if (m.apicIds.size > 0 && ctx.arch === 'x86') {
    const ids = ctx.cpus.map((c) => m.apicIds.get(c)?.value);
    if (ids.every((x): x is number => x !== undefined)) {
      if (new Set(ids).size === ids.length)
        out.apicIds = {
          ids,
          comment: `the apicid lines of /proc/cpuinfo (${at([...m.apicIds.values()][0].src)})`,
        };
      else
        ctx.problem(
          [...m.apicIds.values()][0].src,
          'warning',
          '/proc/cpuinfo gives two CPUs the same APIC ID; no apic-ids written',
        );
    } else
      ctx.notes.push(
        `/proc/cpuinfo has no apicid line for CPUs ${formatList(ctx.cpus.filter((c) => !m.apicIds.has(c)))}; no apic-ids written`,
      );
  }
  return out;
}

/**
 * `smt N` (siblings of c: (c mod C) + k*C, C = possible / N) or `smt N adjacent` (c - c mod N .. + N-1),
 * from topology/thread_siblings_list. When the siblings fit neither formula the closest is written,
 * with a warning and a comment that says where it differs.
 */
function decideSmt(ctx: Ctx, possible: readonly number[]): Machine['smt'] {
  const sib = ctx.machine.siblings;
  if (sib.size === 0) return undefined;
  const sizes = new Map<number, number>();
  for (const f of sib.values()) sizes.set(f.value.length, (sizes.get(f.value.length) ?? 0) + 1);
  const n = [...sizes.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0][0];
  const src = [...sib.values()][0].src;
  if (n <= 1)
    return {
      threads: 1,
      adjacent: false,
      comment: `thread_siblings_list: one thread per core (${where(src)})`,
    };
  const total = possible.length;
  const C = Math.floor(total / n);
  const spread = (c: number): number[] => Array.from({ length: n }, (_, k) => (c % C) + k * C);
  const adjacent = (c: number): number[] => Array.from({ length: n }, (_, k) => c - (c % n) + k);
  let misSpread: number[] = [];
  let misAdj: number[] = [];
  for (const [cpu, f] of sib) {
    const want = f.value.join();
    if (total % n !== 0 || spread(cpu).join() !== want) misSpread.push(cpu);
    if (adjacent(cpu).join() !== want) misAdj.push(cpu);
  }
  misSpread = misSpread.sort((a, b) => a - b);
  misAdj = misAdj.sort((a, b) => a - b);
  const how = `thread_siblings_list of ${sib.size} CPUs (${where(src)})`;
  if (misSpread.length === 0)
    return { threads: n, adjacent: false, comment: `${how}: siblings c mod ${C} + k*${C}` };
  if (misAdj.length === 0) return { threads: n, adjacent: true, comment: `${how}: adjacent siblings` };
  const adj = misAdj.length < misSpread.length;
  const off = adj ? misAdj : misSpread;
  const first = off[0];
  const msg = `the SMT siblings fit neither \`smt ${n}\` nor \`smt ${n} adjacent\` (${sizes.size > 1 ? `cores of ${[...sizes.keys()].join(' and ')} threads; ` : ''}CPU ${first}'s siblings are ${formatList(sib.get(first)!.value)}); the closest, \`smt ${n}${adj ? ' adjacent' : ''}\`, is written and is wrong for CPUs ${formatList(off)}`;
  ctx.problem(sib.get(first)!.src, 'warning', msg);
  return { threads: n, adjacent: adj, comment: `${how}: ${msg}` };
}

/** What the VECTOR matrix's capacity says about IA32 emulation (0x80) and the window. */
export function noteVectorWindow(ctx: Ctx): void {
  const mt = ctx.matrix;
  if (!mt || ctx.arch !== 'x86') return;
  const w = vectorWindow(mt);
  if (!w) return;
  if (w.note) ctx.notes.push(`${w.note} (${at(w.src)})`);
  if (w.ia32Off)
    ctx.notes.push(
      `vector 0x80 is not a system vector in the VECTOR matrix (${at(mt.systemSrc)}): IA32 emulation is off (CONFIG_IA32_EMULATION=n, or from 6.7 ia32_emulation=0), so 0x80 is a device vector here`,
    );
}
