// Facts -> a topology: merges what every input says (gather.ts), decides the machine (platform.ts),
// classifies each Linux interrupt (classify.ts), declares domains, devices and interrupts with their
// observed pins (assemble.ts, pins.ts), and records what was inferred rather than read.

import { assemble } from './assemble';
import { classify, decideRemap, settleItsDomains } from './classify';
import { at, Ctx, where, type Intr } from './context';
import { gather, mergeMachine } from './gather';
import { matrixProps, orderDomains, scopes } from './layout';
import { decideArch, decideCpus, decideKernel, decideMachine, noteVectorWindow } from './platform';
import type { ImportOptions, ImportedTopology } from './result';
import { emptyMachine, type ImportProblem, type ParsedInput, type ProcRow } from './types';

export type { ImportOptions, ImportedDevice, ImportedDomain, ImportedIrq, ImportedTopology } from './result';

export function buildTopology(
  inputs: readonly ParsedInput[],
  options: ImportOptions,
  problems: ImportProblem[],
): ImportedTopology {
  const machine = emptyMachine();
  const ctx = new Ctx(options, problems, machine);
  mergeMachine(ctx, inputs, machine);
  const g = gather(ctx, inputs);
  ctx.checkStop();
  decideArch(ctx, inputs);
  const kernel = decideKernel(ctx, inputs);
  const cpusComment = decideCpus(ctx, g);
  const mach = decideMachine(ctx);
  noteVectorWindow(ctx);
  noteSources(ctx);
  if (machine.ioapics.length === 1) {
    const io = machine.ioapics[0];
    ctx.ioapicFromLog = {
      name: `IO-APIC-${io.value.id}`,
      id: io.value.id,
      pins: io.value.gsiLast - io.value.gsiFirst + 1,
      src: io.src,
    };
  }

  // interrupts: the /proc/interrupts rows, the debugfs records, and /sys/kernel/irq/<n> for the
  // interrupts /proc/interrupts does not list (no action: allocated, never requested)
  for (const [n, s] of machine.sysIrqs) {
    if (g.rows.has(n) || !s.chip) continue;
    const row: ProcRow = {
      key: String(n),
      irq: n,
      counts: [],
      chip: s.chip.value,
      hwirq: s.hwirq?.value,
      flow: s.name?.value,
      actions: s.actions?.value ?? [],
      rest: '',
      src: s.chip.src,
    };
    g.rows.set(n, row);
  }
  const numbers = [...new Set([...g.rows.keys(), ...g.dbg.keys()])].sort((a, c) => a - c);
  const intrs: Intr[] = numbers.map((n) => ({
    irq: n,
    proc: g.rows.get(n),
    dbg: g.dbg.get(n),
    actions: g.rows.get(n)?.actions ?? [],
  }));
  for (const d of g.unnumbered) intrs.push({ dbg: d, actions: [] });
  decideRemap(ctx, intrs);
  for (const it of intrs) classify(ctx, it);
  settleItsDomains(ctx, intrs);
  ctx.checkStop();

  const topo: ImportedTopology = {
    arch: ctx.arch,
    kernel: ctx.kernel,
    kernelComment: kernel.comment,
    kernelRelease: kernel.release,
    cpus: ctx.cpus,
    cpusComment,
    machine: mach,
    domains: [],
    devices: [],
    irqs: [],
    notModelled: ctx.notModelled,
    perCpu: g.perCpu.map(
      (r) =>
        `${r.key}: ${r.counts.slice(0, 64).join(' ')}${r.counts.length > 64 ? ' …' : ''}${r.description ? `  ${r.description}` : ''}  [${at(r.src)}]`,
    ),
    inferred: ctx.inferred,
    notes: ctx.notes,
    sources: inputs.map((i) => `${i.name}${i.formats.length ? ` (${i.formats.join(', ')})` : ''}`),
    v2: ctx.v2,
  };
  const a = assemble(ctx, intrs, topo);
  if (ctx.arch === 'x86' && ctx.matrix) matrixProps(ctx, a.domains.get(a.rootName)!, a.irqs);
  scopes(ctx, a.domains, a.devices, a.irqs);
  topo.domains = orderDomains([...a.domains.values()]);
  topo.devices = a.devices;
  topo.irqs = a.irqs.sort((x, y) => (x.linuxIrq ?? Infinity) - (y.linuxIrq ?? Infinity));
  for (const s of a.seenOnly) ctx.notModelled.push(s);
  // per-device domains seen only by name (ls, domains/), with no interrupt in the dumps
  const endpoints = new Set(a.irqs.map((i) => i.endpoint));
  for (const [name, info] of ctx.doms) {
    if (endpoints.has(name) || !/PCI-MSIX?-[0-9a-f]{4}:/.test(name)) continue;
    ctx.notModelled.push(
      `domain ${[...info.kernelNames].join(', ')} (${at(info.src)}): a per-device domain; none of its interrupts is in the dumps, so the device is not declared`,
    );
  }
  return topo;
}

/** What the sources could not say: unreadable files with their reason, kernel options that move interrupts. */
function noteSources(ctx: Ctx): void {
  const m = ctx.machine;
  const debugfs = m.unreadable.find((u) => u.path.startsWith('/sys/kernel/debug/irq'));
  if (debugfs)
    ctx.notes.push(
      `${debugfs.path} was not read: ${debugfs.reason} (${at(debugfs.src)}); without it no vector, IRTE or managed flag is pinned, only the effective CPUs`,
    );
  const other = m.unreadable.filter((u) => u !== debugfs);
  if (other.length > 0) {
    const byReason = new Map<string, string[]>();
    for (const u of other) byReason.set(u.reason, [...(byReason.get(u.reason) ?? []), u.path]);
    for (const [reason, paths] of byReason)
      ctx.notes.push(
        `not read (${reason}): ${paths.slice(0, 6).join(', ')}${paths.length > 6 ? ` and ${paths.length - 6} more` : ''}`,
      );
  }
  const cmd = m.cmdline?.value ?? '';
  const opts = cmd
    .split(/\s+/)
    .filter((o) =>
      /^(?:irqaffinity|isolcpus|intremap|intel_iommu|amd_iommu|ia32_emulation|nox2apic|x2apic_phys|nr_cpus|maxcpus|possible_cpus|nosmt)(?:=|$)/.test(
        o,
      ),
    );
  if (opts.length > 0 && m.cmdline)
    ctx.notes.push(
      `kernel options that change interrupt placement: ${opts.slice(0, 12).join(' ')} (${where(m.cmdline.src)})`,
    );
}
