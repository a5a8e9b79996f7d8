// Machine files: procfs and sysfs files of one value each (/proc/irq/<n>/effective_affinity_list,
// /sys/kernel/irq/<n>/chip_name, /sys/devices/system/cpu/online, ...), /proc/cpuinfo's apicid lines,
// folder listings (/sys/class/iommu/<unit>/devices/) and the kernel log lines a capture keeps. Each
// is read into MachineFacts with the place it came from. Pure: the text is given.

import type { Fact, MachineFacts, PciFacts, ProblemSeverity, ProcIrqFacts, Src, SysIrqFacts } from './types';
import { MAX_CPUS, MAX_IRQ, MAX_NAME, parseBdf, parseIdList, parseNum, parseSigned } from './util';

export interface MachineLine {
  no: number;
  raw: string;
}

export interface MachineSink {
  facts: MachineFacts;
  src(line: number, path: string): Src;
  keep(line: MachineLine, path: string, why: string, severity?: ProblemSeverity): void;
  fact(): void;
}

type Kind =
  | { k: 'osrelease' }
  | { k: 'cmdline' }
  | { k: 'cpulist'; which: 'online' | 'possible' | 'present' }
  | { k: 'siblings'; cpu: number }
  | { k: 'node'; node: number }
  | { k: 'cpuinfo' }
  | { k: 'procirq'; irq: number; file: string }
  | { k: 'sysirq'; irq: number; file: string }
  | { k: 'pci'; bdf: string; file: string }
  | { k: 'msi'; bdf: string; irq: number }
  | { k: 'iommu'; unit: string }
  | { k: 'dmesg' }
  | { k: 'debugfs-dir' };

const PROC_IRQ_FILES = new Set([
  'smp_affinity_list',
  'effective_affinity_list',
  'node',
  'affinity_hint',
  'spurious',
  'smp_affinity',
  'effective_affinity',
]);
const SYS_IRQ_FILES = new Set(['chip_name', 'hwirq', 'name', 'actions', 'type', 'per_cpu_count', 'wakeup']);

/** What a machine path is, or undefined when it is not one the importer reads as a machine file. */
export function machineKind(path: string): Kind | undefined {
  if (path.length > 300) return undefined;
  if (path === '/proc/sys/kernel/osrelease') return { k: 'osrelease' };
  if (path === '/proc/cmdline') return { k: 'cmdline' };
  if (path === '/proc/cpuinfo') return { k: 'cpuinfo' };
  if (path === 'dmesg' || path === '/dev/kmsg') return { k: 'dmesg' };
  if (path === '/sys/kernel/debug/irq/' || path === '/sys/kernel/debug/irq') return { k: 'debugfs-dir' };
  let m = /^\/sys\/devices\/system\/cpu\/(online|possible|present)$/.exec(path);
  if (m) return { k: 'cpulist', which: m[1] as 'online' | 'possible' | 'present' };
  m = /^\/sys\/devices\/system\/cpu\/cpu(\d{1,5})\/topology\/thread_siblings_list$/.exec(path);
  if (m) return { k: 'siblings', cpu: Number(m[1]) };
  m = /^\/sys\/devices\/system\/node\/node(\d{1,4})\/cpulist$/.exec(path);
  if (m) return { k: 'node', node: Number(m[1]) };
  m = /^\/proc\/irq\/(\d{1,8})\/([a-z_]+)$/.exec(path);
  if (m && PROC_IRQ_FILES.has(m[2])) return { k: 'procirq', irq: Number(m[1]), file: m[2] };
  m = /^\/sys\/kernel\/irq\/(\d{1,8})\/([a-z_]+)$/.exec(path);
  if (m && SYS_IRQ_FILES.has(m[2])) return { k: 'sysirq', irq: Number(m[1]), file: m[2] };
  m =
    /^\/sys\/bus\/pci\/devices\/([0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7])\/(numa_node|class)$/.exec(
      path,
    );
  if (m) return { k: 'pci', bdf: m[1].toLowerCase(), file: m[2] };
  m =
    /^\/sys\/bus\/pci\/devices\/([0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7])\/msi_irqs\/(\d{1,8})$/.exec(
      path,
    );
  if (m) return { k: 'msi', bdf: m[1].toLowerCase(), irq: Number(m[2]) };
  m = /^\/sys\/class\/iommu\/([\w.-]{1,64})\/devices\/?$/.exec(path);
  if (m) return { k: 'iommu', unit: m[1] };
  return undefined;
}

const UNREADABLE = '!! unreadable:';

/** `!! unreadable: REASON`: a capture could not read the source. */
export function unreadableReason(line: string): string | undefined {
  const t = line.trim();
  return t.startsWith(UNREADABLE) ? t.slice(UNREADABLE.length).trim().slice(0, 300) : undefined;
}

function first<T>(
  sink: MachineSink,
  line: MachineLine,
  path: string,
  prev: Fact<T> | undefined,
  value: T,
  same: (a: T, b: T) => boolean,
): Fact<T> {
  if (prev) {
    if (!same(prev.value, value))
      sink.keep(
        line,
        path,
        `${path} was already read at ${prev.src.file}:${prev.src.line} with another value; the first is used`,
        'information',
      );
    return prev;
  }
  return { value, src: sink.src(line.no, path) };
}

const sameList = (a: number[], b: number[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);
const sameVal = <T>(a: T, b: T): boolean => a === b;

function procIrq(f: MachineFacts, irq: number): ProcIrqFacts {
  let p = f.procIrqs.get(irq);
  if (!p) f.procIrqs.set(irq, (p = {}));
  return p;
}
function sysIrq(f: MachineFacts, irq: number): SysIrqFacts {
  let p = f.sysIrqs.get(irq);
  if (!p) f.sysIrqs.set(irq, (p = {}));
  return p;
}
function pci(f: MachineFacts, bdf: string): PciFacts {
  let p = f.pci.get(bdf);
  if (!p) f.pci.set(bdf, (p = {}));
  return p;
}

/** Reads one machine file's lines (already without its header); returns false when `path` is not one. */
export function readMachineFile(sink: MachineSink, path: string, lines: readonly MachineLine[]): boolean {
  const kind = machineKind(path);
  if (!kind) return false;
  const f = sink.facts;
  const body = lines.filter((l) => l.raw.trim() !== '');
  for (const l of body) {
    const why = unreadableReason(l.raw);
    if (why !== undefined) {
      f.unreadable.push({ path, reason: why, src: sink.src(l.no, path) });
      sink.fact();
      return true;
    }
  }
  const one = body[0];
  const value = one?.raw.trim() ?? '';
  const bad = (why: string): void => {
    if (one) sink.keep(one, path, `${path}: ${why}`);
  };
  const list = (limit = MAX_CPUS): number[] | undefined => {
    const r = parseIdList(value, limit);
    if (!r.ok) {
      bad(r.why);
      return undefined;
    }
    return r.values;
  };
  const line = one ?? { no: lines[0]?.no ?? 0, raw: '' };
  switch (kind.k) {
    case 'osrelease':
      if (!one) return true;
      if (value.length > 200 || !/^\d+\.\d+/.test(value)) {
        bad('not a kernel release');
        return true;
      }
      f.osrelease = first(sink, line, path, f.osrelease, value, sameVal);
      break;
    case 'cmdline':
      if (!one) return true;
      f.cmdline = first(sink, line, path, f.cmdline, value.slice(0, 4096), sameVal);
      break;
    case 'cpulist': {
      const v = list();
      if (!v) return true;
      f[kind.which] = first(sink, line, path, f[kind.which], v, sameList);
      break;
    }
    case 'siblings': {
      if (kind.cpu >= MAX_CPUS) return (bad('a CPU beyond the largest possible'), true);
      const v = list();
      if (!v) return true;
      f.siblings.set(kind.cpu, first(sink, line, path, f.siblings.get(kind.cpu), v, sameList));
      break;
    }
    case 'node': {
      if (kind.node >= 1024) return (bad('a node beyond MAX_NUMNODES (1024)'), true);
      const v = list();
      if (!v) return true;
      f.nodes.set(kind.node, first(sink, line, path, f.nodes.get(kind.node), v, sameList));
      break;
    }
    case 'cpuinfo': {
      let cpu: number | undefined;
      for (const l of body) {
        const m = /^(processor|apicid)\s*:\s*(\d{1,9})\s*$/.exec(l.raw.slice(0, 64));
        if (!m) continue;
        const v = Number(m[2]);
        if (m[1] === 'processor') cpu = v < MAX_CPUS ? v : undefined;
        else if (cpu !== undefined && !f.apicIds.has(cpu))
          f.apicIds.set(cpu, { value: v, src: sink.src(l.no, path) });
      }
      break;
    }
    case 'procirq': {
      if (kind.irq >= MAX_IRQ) return (bad('an irq number beyond any Linux irq'), true);
      const p = procIrq(f, kind.irq);
      if (kind.file === 'smp_affinity_list') {
        const v = list();
        if (v) p.affinity = first(sink, line, path, p.affinity, v, sameList);
      } else if (kind.file === 'effective_affinity_list') {
        const v = list();
        if (v) p.effective = first(sink, line, path, p.effective, v, sameList);
      } else if (kind.file === 'node') {
        const v = parseSigned(value);
        if (v === undefined || v < -1 || v >= 1024) bad('not a NUMA node (-1 to 1023)');
        else p.node = first(sink, line, path, p.node, v, sameVal);
      } else return true; // other /proc/irq files are read but carry nothing the language pins
      break;
    }
    case 'sysirq': {
      if (kind.irq >= MAX_IRQ) return (bad('an irq number beyond any Linux irq'), true);
      const s = sysIrq(f, kind.irq);
      const text = lines
        .map((l) => l.raw)
        .join('\n')
        .trim();
      switch (kind.file) {
        case 'hwirq': {
          const v = parseNum(value);
          if (v === undefined) bad('not a hwirq');
          else s.hwirq = first(sink, line, path, s.hwirq, v, sameVal);
          break;
        }
        case 'per_cpu_count': {
          const parts = value.split(',');
          if (parts.length > MAX_CPUS || parts.some((x) => !/^\d{1,15}$/.test(x)))
            bad('not a list of counts');
          else s.perCpu = first(sink, line, path, s.perCpu, parts.map(Number), sameList);
          break;
        }
        case 'actions': {
          // kernel/irq/irqdesc.c actions_show: the action names joined by ','
          const names = text === '' ? [] : text.split(',').map((a) => a.trim());
          if (names.some((a) => a.length > MAX_NAME))
            bad(`an action name longer than ${MAX_NAME} characters`);
          else s.actions = first(sink, line, path, s.actions, names, (a, b) => a.join() === b.join());
          break;
        }
        default: {
          if (value.length > MAX_NAME) bad(`longer than ${MAX_NAME} characters`);
          else {
            const key = kind.file === 'chip_name' ? 'chip' : (kind.file as 'name' | 'type' | 'wakeup');
            s[key] = first(sink, line, path, s[key], value, sameVal);
          }
        }
      }
      break;
    }
    case 'pci': {
      if (!parseBdf(kind.bdf)) return (bad('not a PCI address'), true);
      const p = pci(f, kind.bdf);
      if (kind.file === 'numa_node') {
        const v = parseSigned(value);
        if (v === undefined || v < -1 || v >= 1024) bad('not a NUMA node (-1 to 1023)');
        else p.numaNode = first(sink, line, path, p.numaNode, v, sameVal);
      } else {
        const v = parseNum(value);
        if (v === undefined || v > 0xffffff) bad('not a PCI class code');
        else p.class = first(sink, line, path, p.class, v, sameVal);
      }
      break;
    }
    case 'msi': {
      if (kind.irq >= MAX_IRQ) return (bad('an irq number beyond any Linux irq'), true);
      const p = pci(f, kind.bdf);
      const mode = value === 'msi' || value === 'msix' ? value : undefined;
      if (value !== '' && !mode) bad("neither 'msi' nor 'msix'");
      p.msiIrqs ??= { value: new Map(), src: sink.src(line.no, path) };
      p.msiIrqs.value.set(kind.irq, mode);
      break;
    }
    case 'iommu': {
      const names = body.map((l) => l.raw.trim()).filter((n) => parseBdf(n));
      const prev = f.iommu.get(kind.unit);
      if (!prev)
        f.iommu.set(kind.unit, { value: names.map((n) => n.toLowerCase()), src: sink.src(line.no, path) });
      break;
    }
    case 'dmesg':
      for (const l of body) readDmesgLine(sink, l, path);
      break;
    case 'debugfs-dir':
      break;
  }
  sink.fact();
  return true;
}

/** The kernel log lines a capture keeps: the APIC driver, the IO-APICs, and the IR units' scopes. */
export function readDmesgLine(sink: MachineSink, l: MachineLine, path: string): void {
  const f = sink.facts;
  const t = l.raw.length > 400 ? l.raw.slice(0, 400) : l.raw;
  const src = sink.src(l.no, path);
  // arch/x86/kernel/apic/init.c apic_install_driver: "Switched APIC routing to: %s"; before 6.6
  // probe_64.c: "Switched APIC routing to %s."
  let m = /(?:Switched|Setting) APIC routing to:? ([A-Za-z0-9 ]{1,40}?)\.?\s*$/.exec(t);
  if (m) {
    f.apicDriver ??= { value: m[1].trim(), src };
    return;
  }
  // arch/x86/kernel/apic/io_apic.c mp_register_ioapic
  m =
    /IOAPIC\[(\d{1,3})\]: apic_id (\d{1,3}), version \d+, address 0x[0-9a-f]+, GSI (\d{1,6})-(\d{1,6})/.exec(
      t,
    );
  if (m) {
    f.ioapics.push({
      value: { index: Number(m[1]), id: Number(m[2]), gsiFirst: Number(m[3]), gsiLast: Number(m[4]) },
      src,
    });
    return;
  }
  // drivers/iommu/intel/irq_remapping.c ir_parse_one_ioapic_scope
  m = /DMAR-IR: IOAPIC id (\d{1,3}) under DRHD base 0x[0-9a-fA-F]+ IOMMU (\d{1,4})/.exec(t);
  if (m) {
    f.dmarIoapics.push({ value: { ioapicId: Number(m[1]), unit: Number(m[2]) }, src });
    return;
  }
  if (/x2apic|X2APIC|DMAR-IR|AMD-Vi|APIC/.test(t) && f.dmesg.length < 200)
    f.dmesg.push({ value: t.trim(), src });
}
