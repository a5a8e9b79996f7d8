// The state one import builds up, shared by the builder's parts (gather, platform, classify,
// assemble, pins, layout): what the dumps say about each domain, the decided architecture, kernel
// and CPUs, and the problems and inferences recorded on the way.

import type { Arch } from '../kinds';
import type { Version } from './infer';
import type { DomainClass } from './names';
import type { ImportOptions } from './result';
import type { DebugIrq, ImportProblem, MachineFacts, Matrix, ProcRow, Src } from './types';
import type { Bdf } from './util';

export const at = (s: Src | undefined): string => (s ? `${s.file}:${s.line}` : '?');

/** `/proc/irq/26/effective_affinity_list (capture.txt:57)`, or `capture.txt:57` without a path */
export const where = (s: Src | undefined): string => (s?.path ? `${s.path}, ${at(s)}` : at(s));

export interface DomInfo {
  kernelNames: Set<string>;
  parent?: string;
  parentSrc?: Src;
  chip?: string;
  /** the chip is inferred from the name's bus token, not read */
  chipHinted?: boolean;
  size?: number;
  src: Src;
}

/** One Linux interrupt with everything the inputs say about it. */
export interface Intr {
  irq?: number;
  proc?: ProcRow;
  dbg?: DebugIrq;
  endpoint?: string;
  cls?: DomainClass;
  chain?: string[];
  bdf?: Bdf;
  index?: number;
  hwirq?: number;
  source?: 'msix' | 'msi' | 'pin';
  msixKnown?: boolean;
  actions: string[];
  why?: string;
  pinAssumed?: boolean;
  deviceKey?: string;
  /** where the chip / hwirq came from when it is /sys/kernel/irq/<n> rather than a dump row */
  sysSrc?: Src;
}

export class Ctx {
  readonly inferred: string[] = [];
  readonly notModelled: string[] = [];
  readonly notes: string[] = [];
  arch: Arch = 'x86';
  kernel: Version | undefined;
  cpus: number[] = [];
  cpuSet = new Set<number>();
  /** canonical domain name -> what the dumps say about it */
  readonly doms = new Map<string, DomInfo>();
  matrix: Matrix | undefined;
  remapName: string | undefined;
  vendor: 'intel' | 'amd' | undefined;
  ioapicNoted = false;
  /** the IO-APIC domain named by the kernel log when the machine has exactly one */
  ioapicFromLog: { name: string; id: number; pins: number; src: Src } | undefined;

  constructor(
    readonly options: ImportOptions,
    readonly problems: ImportProblem[],
    readonly machine: MachineFacts,
  ) {}

  get v2(): boolean {
    return this.options.v2 !== false;
  }

  problem(src: Src | undefined, severity: ImportProblem['severity'], message: string): void {
    const p: ImportProblem = { file: src?.file ?? '', line: src?.line ?? 0, column: 1, severity, message };
    if (src?.path) p.path = src.path;
    this.problems.push(p);
  }

  setCpus(cpus: number[]): void {
    this.cpus = cpus;
    this.cpuSet = new Set(cpus);
  }

  checkStop(): void {
    if (this.options.shouldStop?.()) throw new ImportCancelled();
  }
}

export class ImportCancelled extends Error {
  constructor() {
    super('import cancelled');
  }
}
