// `irqtopo capture [-o FILE]` and `irqtopo capture --script`: writes this machine's interrupt sources
// as one text bundle (server/src/machine/collect.ts), or prints the POSIX sh script that writes the
// same bundle on a machine without Node (server/src/machine/script.ts).
import { CollectAborted, captureMachine, formatBundle, isLinux } from '../machine/collect';
import { captureScript } from '../machine/script';
import { resolveFrom, type ImportIO } from './import';

export const CAPTURE_USAGE = `usage: irqtopo capture [-o FILE]
       irqtopo capture --script

Writes this machine's interrupt sources as one text bundle for \`irqtopo import\`: /proc/interrupts,
/proc/irq/N/{smp_affinity_list,effective_affinity_list,node}, /sys/kernel/irq/N/*, the online,
possible and present CPUs with their SMT siblings, the NUMA nodes, the APIC IDs of /proc/cpuinfo,
each PCI device's numa_node, class and msi_irqs, each IOMMU's devices, /sys/kernel/debug/irq when
readable (as root), the kernel release and the kernel log lines about the APIC driver and the IR
units. Each source is under a \`==> PATH <==\` line; one that cannot be read says why.

  -o FILE     write the bundle to FILE (default: standard output)
  --script    print a POSIX sh script that writes the same bundle with cat, ls and dmesg, for a
              machine without Node: sh irqtopo-capture.sh > capture.txt

Exit status: 0 written, 2 usage or I/O error, or not a Linux machine.`;

export async function captureCommand(args: string[], io: ImportIO, version: string): Promise<number> {
  let outPath: string | undefined;
  let script = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-h' || a === '--help') {
      io.out(CAPTURE_USAGE);
      return 0;
    } else if (a === '--script') script = true;
    else if (a === '-o' || a === '--output' || a.startsWith('--output=')) {
      const v = a.startsWith('--output=') ? a.slice(9) : args[++i];
      if (v === undefined || v === '') {
        io.err(`irqtopo capture: ${a} needs a value\n\n${CAPTURE_USAGE}`);
        return 2;
      }
      outPath = v;
    } else {
      io.err(`irqtopo capture: unexpected argument '${a.slice(0, 40)}'\n\n${CAPTURE_USAGE}`);
      return 2;
    }
  }
  let text: string;
  if (script) text = captureScript(version);
  else {
    if (!(await isLinux())) {
      io.err('irqtopo capture: /proc/interrupts is not readable: this is not a Linux machine');
      return 2;
    }
    try {
      const cap = await captureMachine();
      text = formatBundle(cap).text;
      const bad = cap.sections.filter((s) => s.unreadable !== undefined);
      io.err(
        `irqtopo capture: ${cap.sections.length} sources, ${bad.length} not readable${outPath ? `, written to ${outPath}` : ''}`,
      );
      for (const s of bad.slice(0, 12)) io.err(`  ${s.path}: ${s.unreadable}`);
      if (bad.length > 12) io.err(`  ... and ${bad.length - 12} more (see the bundle)`);
      for (const n of cap.notes) io.err(`irqtopo capture: note: ${n}`);
    } catch (e) {
      io.err(
        `irqtopo capture: ${e instanceof CollectAborted ? 'cancelled' : e instanceof Error ? e.message : String(e)}`,
      );
      return 2;
    }
  }
  if (outPath !== undefined) {
    try {
      await io.writeFile(resolveFrom(io, outPath), text);
    } catch (e) {
      io.err(`irqtopo capture: cannot write ${outPath}: ${e instanceof Error ? e.message : String(e)}`);
      return 2;
    }
  } else io.out(text.replace(/\n$/, ''));
  return 0;
}
