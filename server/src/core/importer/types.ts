// The facts the importer reads out of kernel dumps. Plain data; every fact carries the place it
// was read from (file name and 1-based line), so the generated topology can cite it.

export interface Src {
  file: string;
  /** 1-based */
  line: number;
  /** the source path inside a capture bundle (`/proc/irq/26/effective_affinity_list`), when known */
  path?: string;
}

export type ProblemSeverity = 'error' | 'warning' | 'information';

/**
 * A problem found while importing, at its place in the dump (a diagnostic for the dump's file: the
 * language server shows it in the Problems panel, the CLI prints `file:line:column: severity: message`).
 */
export interface ImportProblem {
  file: string;
  /** 1-based; 0 when the problem is about the whole input */
  line: number;
  /** 1-based column of the line's first non-blank character (1 when unknown or the whole line) */
  column: number;
  message: string;
  severity: ProblemSeverity;
  /** the source path inside a capture bundle the line belongs to (`/proc/irq/26/node`), when known */
  path?: string;
}

/** One row of /proc/interrupts (kernel/irq/proc.c show_interrupts). */
export interface ProcRow {
  /** `128`, or the per-CPU row's key (`LOC`, `NMI`, `IPI0`, `Err`) */
  key: string;
  /** the Linux irq number, for numbered rows */
  irq?: number;
  /** per-CPU fire counts, in the order of the CPU header */
  counts: number[];
  /** the chip name as printed (`IR-PCI-MSIX-0000:02:00.0`, `IO-APIC`, `GICv3`, pre-4.3 `IR-PCI-MSI`) */
  chip?: string;
  /** the hwirq column (printed only when the interrupt has a domain, kernels >= ~4.3) */
  hwirq?: number;
  /** `Edge` / `Level` (CONFIG_GENERIC_IRQ_SHOW_LEVEL: arm64, riscv) */
  trigger?: string;
  /** flow handler name (`edge`, `fasteoi`; x86 prints it after a dash) */
  flow?: string;
  /** true for the pre-4.3 x86 form `IR-PCI-MSI-edge` (chip and flow glued, no hwirq) */
  legacyForm?: boolean;
  /** action names (the first one, then the shared ones) */
  actions: string[];
  /** the description of a per-CPU row (`Local timer interrupts`) */
  description?: string;
  /** the text after the counts, as read */
  rest: string;
  /** `...` stood for CPU columns the publisher left out: the counts are incomplete */
  elided?: boolean;
  src: Src;
}

export interface ProcTable {
  /** the online CPUs, from the `CPU0 CPU1 ...` header; undefined when the dump has no header */
  cpus?: number[];
  headerSrc?: Src;
  /** the header left CPU columns out (`CPU0 CPU1 ... CPU63`) */
  elided?: boolean;
  rows: ProcRow[];
  perCpu: ProcRow[];
  file: string;
}

/** One level of an irqs/<n> chain (kernel/irq/debugfs.c irq_debug_show_data). */
export interface IrqLevel {
  /** the debugfs domain name, as printed (`IR-PCI-MSIX-0000:06:00.0-12`, `VECTOR`; '' for none) */
  domain: string;
  hwirq?: number;
  chip?: string;
  /** VECTOR level (x86_vector_debug_show) */
  vector?: number;
  target?: number;
  prevVector?: number;
  prevTarget?: number;
  moveInProgress?: boolean;
  managed?: boolean;
  canReserve?: boolean;
  /** reservation mode: allocated with a global reservation, no vector yet (x86_vector_debug_show) */
  hasReserved?: boolean;
  /** MSI domains, 6.15+ */
  addressHi?: number;
  addressLo?: number;
  msgData?: number;
  src: Src;
  vectorSrc?: Src;
  targetSrc?: Src;
  managedSrc?: Src;
  msgSrc?: Src;
}

/** One /sys/kernel/debug/irq/irqs/<n> file. */
export interface DebugIrq {
  /** the Linux irq number, from the file name (grep prefix or `cat N` prompt) */
  irq?: number;
  device?: string;
  handler?: string;
  /** IRQD_* names listed under dstate */
  dstate: string[];
  affinity?: number[];
  effective?: number[];
  pending?: number[];
  /** the `node:` line (the descriptor's NUMA node) */
  node?: number;
  effectiveSrc?: Src;
  affinitySrc?: Src;
  levels: IrqLevel[];
  src: Src;
  file: string;
}

export interface MatrixRow {
  cpu: number;
  avl: number;
  man: number;
  mac?: number;
  act: number;
  vectors: number[];
  src: Src;
}

/** The VECTOR domain's matrix (kernel/irq/matrix.c irq_matrix_debug_show). */
export interface Matrix {
  online?: number;
  globalAvailable?: number;
  globalReserved?: number;
  totalAllocated?: number;
  systemCount?: number;
  system?: number[];
  systemSrc?: Src;
  hasMac: boolean;
  rows: MatrixRow[];
  src: Src;
}

export interface DomainLevel {
  name: string;
  size?: number;
  mapped?: number;
  flags?: number;
  src: Src;
}

/** One /sys/kernel/debug/irq/domains/<name> file: the domain, then its parents. */
export interface DebugDomain {
  chain: DomainLevel[];
  matrix?: Matrix;
  /** the file it came from (grep prefix or `cat` path), when known */
  fileName?: string;
  src: Src;
}

/** A name in an `ls` of /sys/kernel/debug/irq/domains. */
export interface LsEntry {
  name: string;
  src: Src;
}

/** A line kept as a comment (not understood, or understood but carrying no fact). */
export interface KeptLine {
  src: Src;
  text: string;
  why: string;
  severity: ProblemSeverity;
}

export type Format =
  'proc-interrupts' | 'debugfs-irqs' | 'debugfs-domains' | 'ls-domains' | 'bundle' | 'sysfs';

/** A value read from one file of the machine (procfs, sysfs, dmesg), with its place. */
export interface Fact<T> {
  value: T;
  src: Src;
}

/** What /proc/irq/<n>/ says about one interrupt. */
export interface ProcIrqFacts {
  affinity?: Fact<number[]>;
  effective?: Fact<number[]>;
  node?: Fact<number>;
}

/** What /sys/kernel/irq/<n>/ says about one interrupt (kernel/irq/irqdesc.c, the *_show functions). */
export interface SysIrqFacts {
  chip?: Fact<string>;
  hwirq?: Fact<number>;
  /** the flow handler name (`edge`, `fasteoi`) */
  name?: Fact<string>;
  actions?: Fact<string[]>;
  type?: Fact<string>;
  /** counts per possible CPU */
  perCpu?: Fact<number[]>;
  wakeup?: Fact<string>;
}

export interface PciFacts {
  numaNode?: Fact<number>;
  class?: Fact<number>;
  /** msi_irqs/: the Linux irqs of its MSI or MSI-X vectors, with `msi`/`msix` when the file was read */
  msiIrqs?: Fact<Map<number, 'msi' | 'msix' | undefined>>;
}

/** A source a capture could not read, with the reason it gave. */
export interface Unreadable {
  path: string;
  reason: string;
  src: Src;
}

/** Machine facts read from a capture bundle (or from grep-style `path:value` lines). */
export interface MachineFacts {
  osrelease?: Fact<string>;
  cmdline?: Fact<string>;
  online?: Fact<number[]>;
  possible?: Fact<number[]>;
  present?: Fact<number[]>;
  siblings: Map<number, Fact<number[]>>;
  nodes: Map<number, Fact<number[]>>;
  /** CPU -> APIC ID, from /proc/cpuinfo `processor` / `apicid` pairs */
  apicIds: Map<number, Fact<number>>;
  procIrqs: Map<number, ProcIrqFacts>;
  sysIrqs: Map<number, SysIrqFacts>;
  pci: Map<string, PciFacts>;
  /** /sys/class/iommu/<unit>/devices: the PCI devices each translation unit covers */
  iommu: Map<string, Fact<string[]>>;
  /** dmesg: `APIC: Switched APIC routing to: physical x2apic` */
  apicDriver?: Fact<string>;
  /** dmesg: `IOAPIC[0]: apic_id 2, version 32, address 0xfec00000, GSI 0-119` */
  ioapics: Fact<{ index: number; id: number; gsiFirst: number; gsiLast: number }>[];
  /** dmesg: `DMAR-IR: IOAPIC id 2 under DRHD base 0xfed91000 IOMMU 1` */
  dmarIoapics: Fact<{ ioapicId: number; unit: number }>[];
  /** other dmesg lines kept for the record (x2apic, DMAR-IR, AMD-Vi) */
  dmesg: Fact<string>[];
  unreadable: Unreadable[];
}

export function emptyMachine(): MachineFacts {
  return {
    siblings: new Map(),
    nodes: new Map(),
    apicIds: new Map(),
    procIrqs: new Map(),
    sysIrqs: new Map(),
    pci: new Map(),
    iommu: new Map(),
    ioapics: [],
    dmarIoapics: [],
    dmesg: [],
    unreadable: [],
  };
}

export interface ParsedInput {
  name: string;
  formats: Format[];
  procTables: ProcTable[];
  irqs: DebugIrq[];
  domains: DebugDomain[];
  matrices: Matrix[];
  ls: LsEntry[];
  machine: MachineFacts;
  kept: KeptLine[];
  /** lines carrying facts or recognised context (prompts, blank lines excluded) */
  factLines: number;
  lineCount: number;
}
