// The facts the importer reads out of kernel dumps. Plain data; every fact carries the place it
// was read from (file name and 1-based line), so the generated topology can cite it.

export interface Src {
  file: string;
  /** 1-based */
  line: number;
}

export type ProblemSeverity = 'error' | 'warning' | 'information';

export interface ImportProblem {
  file: string;
  /** 1-based; 0 when the problem is about the whole input */
  line: number;
  message: string;
  severity: ProblemSeverity;
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
  src: Src;
}

export interface ProcTable {
  /** the online CPUs, from the `CPU0 CPU1 ...` header; undefined when the dump has no header */
  cpus?: number[];
  headerSrc?: Src;
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
  /** MSI domains, 6.15+ */
  addressHi?: number;
  addressLo?: number;
  msgData?: number;
  src: Src;
  vectorSrc?: Src;
  targetSrc?: Src;
  managedSrc?: Src;
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
  effectiveSrc?: Src;
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

export type Format = 'proc-interrupts' | 'debugfs-irqs' | 'debugfs-domains' | 'ls-domains';

export interface ParsedInput {
  name: string;
  formats: Format[];
  procTables: ProcTable[];
  irqs: DebugIrq[];
  domains: DebugDomain[];
  matrices: Matrix[];
  ls: LsEntry[];
  kept: KeptLine[];
  /** lines carrying facts or recognised context (prompts, blank lines excluded) */
  factLines: number;
  lineCount: number;
}
