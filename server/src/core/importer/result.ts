// The importer's structured result: the topology it decided, with every observed value (pin) and the
// place it was read from, so `irqtopo verify` can compare observations with the simulation.

import type { Arch, DomainKind } from '../kinds';
import type { Version } from './infer';
import type { Src } from './types';

export interface ImportOptions {
  /** the running kernel's release (`6.18.44-fc`), when known for sure (e.g. read from /proc/sys/kernel/osrelease) */
  kernel?: string;
  /** the architecture, when known for sure */
  arch?: Arch;
  /**
   * Write the v2 language (LANGUAGE.md 2.0, 2.2, 2.3: possible-cpus, node, smt, apic, device node,
   * irq irte and inactive). Default true; false writes those facts as comments only, for parsers
   * that know v1 only.
   */
  v2?: boolean;
  /** checked between phases: when it returns true the import stops with an `import cancelled` error */
  shouldStop?: () => boolean;
}

/** A value read from the machine that the topology pins (or records), with where it came from. */
export interface Observed {
  field:
    | 'cpu'
    | 'vector'
    | 'irte'
    | 'lpi'
    | 'affinity'
    | 'effective'
    | 'managed'
    | 'inactive'
    | 'message'
    | 'counts'
    | 'node';
  value: number | number[] | boolean | string;
  /** the file and field it was read from, in words (`/proc/irq/26/effective_affinity_list`, `debugfs VECTOR Target:`) */
  from: string;
  src?: Src;
}

export interface ImportedDomain {
  name: string;
  kind: DomainKind;
  parent?: string;
  /** rendered properties other than `parent`, e.g. `vendor intel`, `in-use 0 : 33-34` */
  props: string[];
  /** v2 properties, written as comments when v2 is off */
  v2Props: string[];
  /** the name(s) the kernel printed for it (debugfs, with the bus-token suffix) */
  kernelNames: string[];
  comments: string[];
}

export interface ImportedDevice {
  name: string;
  pci?: string;
  msix?: number;
  msi?: number;
  msiDomain?: string;
  ioapic?: string;
  platform: boolean;
  assign?: string;
  /** v2: dev_to_node, from /sys/bus/pci/devices/<bdf>/numa_node (absent when -1) */
  node?: number;
  comments: string[];
}

export interface ImportedIrq {
  /** the Linux irq number, when the dump gives it */
  linuxIrq?: number;
  device: string;
  name: string;
  index?: number;
  source: 'msix' | 'msi' | 'pin';
  sourceArg?: number;
  cpu?: number;
  vector?: number;
  lpi?: number;
  /** v2: the observed remap-table index (Intel handle + subhandle, AMD table index) */
  irte?: number;
  /** v2: allocated, never activated (debugfs `Vector: 0` with `has_reserved: 1`, or no action) */
  inactive?: boolean;
  managed: boolean;
  masked: boolean;
  affinity?: number[];
  counts?: number[];
  /** the domain chain the debugfs irqs/<n> dump shows, names without bus-token suffix */
  observedChain?: string[];
  /** the endpoint domain (canonical name), implied ones included */
  endpoint: string;
  actions: string[];
  /** every value read from the machine for this interrupt, pinned or not */
  observed: Observed[];
  comments: string[];
}

export interface Machine {
  possibleCpus?: { cpus: number[]; comment: string };
  nodes: { node: number; cpus: number[]; comment: string }[];
  smt?: { threads: number; adjacent: boolean; comment: string };
  apic?: { driver: 'flat' | 'physflat' | 'x2apic-cluster' | 'x2apic-phys'; comment: string };
  apicIds?: { ids: number[]; comment: string };
}

export interface ImportedTopology {
  arch: Arch;
  kernel?: Version;
  kernelComment?: string;
  /** the exact release (uname -r), when read */
  kernelRelease?: string;
  cpus: number[];
  cpusComment: string;
  machine: Machine;
  domains: ImportedDomain[];
  devices: ImportedDevice[];
  irqs: ImportedIrq[];
  /** comment lines for interrupts the language has no statement for, per-CPU rows, seen-only names */
  notModelled: string[];
  perCpu: string[];
  inferred: string[];
  /** notes about the sources: unreadable ones with their reason, kernel command-line options */
  notes: string[];
  sources: string[];
  /** whether the text uses the v2 statements */
  v2: boolean;
}
