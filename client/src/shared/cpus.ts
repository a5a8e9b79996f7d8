// The per-CPU chart, computed from the diagram payload's `cpus` (the simulation's vector matrix on x86,
// interrupts per CPU elsewhere) and the routes: the stack of each bar, the scale, the NUMA groups, the
// exhausted CPUs and those an interrupt landed on when its affinity was full. Pure: unit-tested.
//
// x86 matrix (kernel/irq/matrix.c, as server/src/core/simulate/matrix.ts keeps it), per CPU:
//   used (act)              every allocated vector: non-managed, managed, pinned and `in-use`
//   managed (man)           reservations for managed interrupts, allocated or not
//   managed_allocated (mac) managed reservations that are allocated
//   available (avl)         capacity - man - (act - mac)
// so capacity = avl + man + act - mac, and the stack is: non-managed = act - mac - in_use, managed
// allocated = mac, managed reserved = man - mac, in-use = in_use (when the server says it), free = avl.
import type { CpuUsage, Problem, Routes } from './types';

export interface CpuBar {
  cpu: number;
  apic: number;
  node: number | null;
  nonManaged: number;
  managedAllocated: number;
  managedReserved: number;
  inUse: number;
  free: number;
  /** everything taken: the bar's height before `free` */
  taken: number;
  capacity: number;
  /** routes whose CPU this is */
  irqs: number;
  exhausted: boolean;
  /** an interrupt landed here although its affinity did not hold this CPU */
  broken: boolean;
  /** false once an `offline` took it down */
  online: boolean;
}

export interface CpuGroup {
  node: number | null;
  label: string;
  bars: CpuBar[];
}

export interface CpuChart {
  /** the x86 vector matrix (else: interrupts per CPU, no capacity) */
  x86: boolean;
  groups: CpuGroup[];
  /** the top of the scale: what the busiest CPU takes, rounded up (free vectors beyond are cut) */
  scaleMax: number;
  ticks: number[];
  /** capacity of the largest CPU (x86), for the legend */
  capacity: number;
  /** whether the payload tells in-use vectors and NUMA nodes apart (the legend says when not) */
  inUseKnown: boolean;
  nodesKnown: boolean;
  totals: {
    taken: number;
    nonManaged: number;
    managedAllocated: number;
    managedReserved: number;
    inUse: number;
    free: number;
  };
  exhausted: number[];
  broken: number[];
  /** the CPUs an `offline` took down */
  offline: number[];
}

/** 1, 2, 2.5, 5 x 10^n at or above n (at least 1). */
export function niceCeil(n: number): number {
  if (!(n > 1)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(n)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= n) return Math.round(m * p * 100) / 100;
  return 10 * p;
}

function ticksOf(max: number): number[] {
  if (max <= 1) return [0, 1];
  const raw = max / 4;
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = 0; v <= max + 1e-9; v += step) out.push(Math.round(v * 100) / 100);
  if (out[out.length - 1] !== max) out.push(max);
  return out.filter((v) => Number.isInteger(v) || step < 1);
}

/** CPUs an `affinity-broken` interrupt landed on: the routes' flag, else the CPU its message names. */
export function brokenCpus(routes: Routes | null, problems: readonly Problem[]): Set<number> {
  const out = new Set<number>();
  let flagged = false;
  for (const d of routes?.devices ?? [])
    for (const r of d.irqs)
      if (r.affinityBroken !== undefined) {
        flagged = true;
        if (r.affinityBroken && r.cpu !== null) out.add(r.cpu);
      }
  if (flagged) return out;
  for (const p of problems) {
    if (p.code !== 'affinity-broken') continue;
    const m = /lands on CPU (\d+)/.exec(p.message);
    if (m) out.add(Number(m[1]));
  }
  return out;
}

export function cpuChart(
  cpus: readonly CpuUsage[],
  routes: Routes | null,
  problems: readonly Problem[] = [],
  x86 = true,
): CpuChart {
  const perCpu = new Map<number, number>();
  for (const d of routes?.devices ?? [])
    for (const r of d.irqs) if (r.cpu !== null) perCpu.set(r.cpu, (perCpu.get(r.cpu) ?? 0) + 1);
  const broken = brokenCpus(routes, problems);
  const inUseKnown = cpus.some((c) => typeof c.in_use === 'number');
  const nodesKnown = cpus.some((c) => typeof c.node === 'number');
  const bars: CpuBar[] = cpus.map((c) => {
    const inUse = Math.max(0, c.in_use ?? 0);
    if (!x86) {
      return {
        cpu: c.cpu,
        apic: c.apic_id,
        node: typeof c.node === 'number' ? c.node : null,
        nonManaged: c.used,
        managedAllocated: 0,
        managedReserved: 0,
        inUse: 0,
        free: 0,
        taken: c.used,
        capacity: 0,
        irqs: perCpu.get(c.cpu) ?? 0,
        exhausted: false,
        broken: broken.has(c.cpu),
        online: c.online !== false,
      };
    }
    const managedAllocated = Math.max(0, c.managed_allocated);
    const managedReserved = Math.max(0, c.managed - c.managed_allocated);
    const nonManaged = Math.max(0, c.used - managedAllocated - inUse);
    const free = Math.max(0, c.available);
    const taken = nonManaged + managedAllocated + managedReserved + inUse;
    return {
      cpu: c.cpu,
      apic: c.apic_id,
      node: typeof c.node === 'number' ? c.node : null,
      nonManaged,
      managedAllocated,
      managedReserved,
      inUse,
      free,
      taken,
      capacity: typeof c.capacity === 'number' ? c.capacity : taken + free,
      irqs: perCpu.get(c.cpu) ?? 0,
      // an offline CPU has no vector to give: not exhausted, offline
      exhausted: free === 0 && c.online !== false,
      broken: broken.has(c.cpu),
      online: c.online !== false,
    };
  });
  const groups: CpuGroup[] = [];
  if (nodesKnown) {
    const byNode = new Map<number | null, CpuBar[]>();
    for (const b of bars) {
      const l = byNode.get(b.node) ?? [];
      l.push(b);
      byNode.set(b.node, l);
    }
    const keys = [...byNode.keys()].sort((a, b) => (a ?? Infinity) - (b ?? Infinity));
    for (const k of keys) {
      const bs = byNode.get(k)!;
      groups.push({
        node: k,
        label: `${k === null ? 'node ?' : `node ${k}`} · ${cpuListText(bs.map((b) => b.cpu))}`,
        bars: bs,
      });
    }
  } else if (bars.length)
    groups.push({ node: null, label: `CPUs ${cpuListText(bars.map((b) => b.cpu))}`, bars });
  const maxTaken = bars.reduce((m, b) => Math.max(m, b.taken), 0);
  const capacity = bars.reduce((m, b) => Math.max(m, b.capacity), 0);
  // scaled to what is taken, with room above the busiest bar; never beyond the capacity
  let scaleMax = niceCeil(Math.max(1, maxTaken * 1.25));
  if (x86 && capacity > 0) scaleMax = Math.min(scaleMax, capacity);
  const sum = (f: (b: CpuBar) => number) => bars.reduce((k, b) => k + f(b), 0);
  return {
    x86,
    groups,
    scaleMax,
    ticks: ticksOf(scaleMax),
    capacity,
    inUseKnown,
    nodesKnown,
    totals: {
      taken: sum((b) => b.taken),
      nonManaged: sum((b) => b.nonManaged),
      managedAllocated: sum((b) => b.managedAllocated),
      managedReserved: sum((b) => b.managedReserved),
      inUse: sum((b) => b.inUse),
      free: sum((b) => b.free),
    },
    exhausted: x86 ? bars.filter((b) => b.exhausted).map((b) => b.cpu) : [],
    broken: bars.filter((b) => b.broken).map((b) => b.cpu),
    offline: bars.filter((b) => !b.online).map((b) => b.cpu),
  };
}

/** Where "Take CPU N offline" writes its statement: an insertion into the topology's text. */
export interface TextInsertion {
  /** a UTF-16 offset into the text */
  offset: number;
  text: string;
  /** the 0-based line the new statement is on, once inserted */
  line: number;
}

/** The text with comments (# or //, outside quotes) blanked out, line by line. */
function codeOf(line: string): string {
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') q = !q;
    else if (c === '\\' && q) i++;
    else if (!q && (c === '#' || (c === '/' && line[i + 1] === '/'))) return line.slice(0, i);
  }
  return line;
}

/**
 * `offline CPU` as a statement of its own: on the line after the file's last top-level `offline`
 * statement (the CPUs go down in the order written: this one last), else at the end of the file, with
 * the file's own line ending, and without adding a final line break the file does not have.
 */
export function offlineInsertion(text: string, cpu: number, eol: '\n' | '\r\n'): TextInsertion {
  const statement = `offline ${cpu}`;
  // line starts and ends (without the break), as LSP counts lines: CRLF, LF and CR end a line
  const lines: { start: number; end: number }[] = [];
  const re = /\r\n|\n|\r/g;
  let start = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    lines.push({ start, end: m.index });
    start = m.index + m[0].length;
  }
  lines.push({ start, end: text.length });
  let depth = 0;
  let last = -1;
  for (let i = 0; i < lines.length; i++) {
    const code = codeOf(text.slice(lines[i].start, lines[i].end));
    if (depth === 0 && /^\s*offline(\s|$)/.test(code)) last = i;
    for (const ch of code.replace(/"(?:[^"\\]|\\.)*"?/g, '')) {
      if (ch === '{') depth++;
      else if (ch === '}') depth = Math.max(0, depth - 1);
    }
  }
  if (last >= 0) return { offset: lines[last].end, text: `${eol}${statement}`, line: last + 1 };
  const end = lines[lines.length - 1];
  // the file ends with a line break (its last line is empty), or is empty
  if (end.start === end.end)
    return { offset: text.length, text: `${statement}${text.length ? eol : ''}`, line: lines.length - 1 };
  return { offset: text.length, text: `${eol}${statement}`, line: lines.length };
}

/** `0-7,16,18-19`: a CPU list as the kernel writes one. */
export function cpuListText(cpus: readonly number[]): string {
  const s = [...cpus].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < s.length;) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j] + 1) j++;
    out.push(j > i ? `${s[i]}-${s[j]}` : String(s[i]));
    i = j + 1;
  }
  return out.join(',');
}

export interface CpuIrq {
  device: string;
  irq: string;
  vector: number | null;
  lpi: number | null;
  managed: boolean;
}

/** The interrupts the routes place on `cpu`, by vector (or LPI). */
export function interruptsOn(routes: Routes | null, cpu: number): CpuIrq[] {
  const out: CpuIrq[] = [];
  for (const d of routes?.devices ?? [])
    for (const r of d.irqs)
      if (r.cpu === cpu)
        out.push({ device: d.device, irq: r.irq, vector: r.vector, lpi: r.lpi, managed: r.managed });
  return out.sort((a, b) => (a.vector ?? a.lpi ?? 0) - (b.vector ?? b.lpi ?? 0));
}
