// What a capture reads, in what order, and the words it uses for what it could not read. Shared by
// the Node collector (collect.ts) and the POSIX sh script (script.ts), so both write the same bundle.
//
// Bundle format 1 (docs/importer.md): the first line is BUNDLE_SIGNATURE; then one section per
// source: `==> PATH <==` and the source's text with its trailing newlines folded into one (as the
// shell's `$(cat FILE)` does), or `!! unreadable: REASON`. A PATH ending in `/` is a folder listing
// (one name a line). Order: as below; inside a glob, paths sorted bytewise (the shell under LC_ALL=C).

export { BUNDLE_SIGNATURE } from '../core/importer/bundle';

export const BUNDLE_FIRST_LINE = '# irqtopo capture bundle (format 1)';

/** Read one by one, reported when absent. */
export const FIXED_FILES = [
  '/proc/sys/kernel/osrelease',
  '/proc/cmdline',
  '/proc/interrupts',
  '/sys/devices/system/cpu/online',
  '/sys/devices/system/cpu/possible',
  '/sys/devices/system/cpu/present',
];

/** `/sys/devices/system/cpu/cpu*\/topology/thread_siblings_list` and the nodes' CPU lists. */
export const CPU_GLOBS: { dir: string; prefix: string; file: string }[] = [
  { dir: '/sys/devices/system/cpu/', prefix: 'cpu', file: 'topology/thread_siblings_list' },
  { dir: '/sys/devices/system/node/', prefix: 'node', file: 'cpulist' },
];

/** /proc/cpuinfo lines kept (the CPU number and its APIC ID). */
export const CPUINFO = { path: '/proc/cpuinfo', keep: ['processor', 'apicid'] };

/** Per-folder files: for each folder DIR/*\/ (sorted), these files when they exist. */
export const PER_DIR: { dir: string; files: string[]; globs?: string[]; listings?: string[] }[] = [
  { dir: '/proc/irq/', files: ['smp_affinity_list', 'effective_affinity_list', 'node'] },
  {
    dir: '/sys/kernel/irq/',
    files: ['chip_name', 'hwirq', 'name', 'actions', 'type', 'per_cpu_count', 'wakeup'],
  },
  { dir: '/sys/bus/pci/devices/', files: ['numa_node', 'class'], globs: ['msi_irqs/'] },
  { dir: '/sys/class/iommu/', files: [], listings: ['devices'] },
];

export const DEBUGFS = '/sys/kernel/debug';
export const DEBUGFS_IRQ = '/sys/kernel/debug/irq';
export const DEBUGFS_GLOBS = ['domains/', 'irqs/'];

/** dmesg lines kept: the APIC driver, x2APIC, the IR units and the IO-APICs. */
export const DMESG_PATTERNS = ['APIC routing', 'x2apic', 'X2APIC', 'DMAR-IR', 'AMD-Vi', 'IOAPIC['];
export const DMESG_SECTION = 'dmesg';

export const REASON = {
  noFile: 'no such file',
  notRegular: 'not a regular file',
  denied: 'permission denied',
  readError: 'read error',
  dmesgDenied: 'permission denied (kernel.dmesg_restrict: the kernel log needs root)',
  noDmesg: 'no dmesg command',
  debugfsRoot: 'permission denied: debugfs (/sys/kernel/debug) is readable by root only',
  debugfsIrqRoot: 'permission denied: /sys/kernel/debug/irq needs root',
  debugfsNotMounted:
    'debugfs is not mounted on /sys/kernel/debug (as root: mount -t debugfs none /sys/kernel/debug)',
  noIrqDebugfs:
    'debugfs is mounted but has no irq/ folder: this kernel is built without CONFIG_GENERIC_IRQ_DEBUGFS',
};
