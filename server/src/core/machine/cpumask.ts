// What the spreading code needs of the machine, in the kernel's shape, and grp_spread_init_one().
// Shared by group-cpus.ts (5.4 and later) and spread-legacy.ts (4.17 .. 5.3).

/** The machine as the spreading code sees it (built once per call by spread.ts). */
export interface SpreadCtx {
  /** nr_cpu_ids: the highest possible CPU + 1 */
  readonly nrCpuIds: number;
  /** cpu_possible_mask, ascending */
  readonly possible: readonly number[];
  /** cpu_present_mask as a membership table over nr_cpu_ids */
  readonly present: Uint8Array;
  /** nr_node_ids: the highest node id + 1 */
  readonly nrNodeIds: number;
  /** node_to_cpumask[n] (build_node_to_cpumask(): the possible CPUs of node n), ascending */
  readonly nodeCpus: readonly (readonly number[])[];
  /** topology_sibling_cpumask(cpu) as the kernel holds it: online siblings only, ascending */
  sibling(cpu: number): readonly number[];
  /** topology_cluster_cpumask(cpu) as the kernel holds it (read by the 7.0 cluster grouping only) */
  cluster(cpu: number): readonly number[];
}

/**
 * A cpumask the spreading code only clears bits of after filling it (nmsk, msk), so
 * cpumask_first() resumes its scan where the last one stopped: all bits below are clear.
 */
export class CpuMask {
  private readonly bits: Uint8Array;
  private cursor = 0;
  weight = 0;

  constructor(nrCpuIds: number, cpus: Iterable<number>) {
    this.bits = new Uint8Array(nrCpuIds);
    for (const c of cpus) {
      if (this.bits[c] === 0) {
        this.bits[c] = 1;
        this.weight++;
      }
    }
  }

  has(cpu: number): boolean {
    return cpu >= 0 && cpu < this.bits.length && this.bits[cpu] === 1;
  }

  /** cpumask_test_and_clear_cpu() */
  testAndClear(cpu: number): boolean {
    if (!this.has(cpu)) return false;
    this.bits[cpu] = 0;
    this.weight--;
    return true;
  }

  /** cpumask_first(): the lowest set CPU, or -1 (the kernel's >= nr_cpu_ids) */
  first(): number {
    while (this.cursor < this.bits.length && this.bits[this.cursor] === 0) this.cursor++;
    return this.cursor < this.bits.length ? this.cursor : -1;
  }

  /** cpumask_andnot(msk, msk, other) */
  clearAll(cpus: readonly number[]): void {
    for (const c of cpus) this.testAndClear(c);
  }

  /** the set CPUs, ascending */
  list(): number[] {
    const out: number[] = [];
    for (let c = this.cursor; c < this.bits.length; c++) if (this.bits[c] === 1) out.push(c);
    return out;
  }
}

/** cpumask_and(): the CPUs of `cpus` (ascending) that `mask` holds, ascending. */
export function andList(cpus: readonly number[], mask: Uint8Array): number[] {
  return cpus.filter((c) => mask[c] === 1);
}

/**
 * grp_spread_init_one() (lib/group_cpus.c; irq_spread_init_one() in kernel/irq/affinity.c before
 * 6.3): move `cpusPerGrp` CPUs from `nmsk` to the group, each time the first CPU left and then its
 * SMT siblings still in `nmsk`, while the count lasts.
 */
export function spreadInitOne(group: number[], nmsk: CpuMask, cpusPerGrp: number, ctx: SpreadCtx): void {
  while (cpusPerGrp > 0) {
    const cpu = nmsk.first();
    if (cpu < 0) return; // "Should not happen, but I'm too lazy to think about it"
    nmsk.testAndClear(cpu);
    group.push(cpu);
    cpusPerGrp--;
    // "If the cpu has siblings, use them first"
    for (const sibl of ctx.sibling(cpu)) {
      if (cpusPerGrp <= 0) break;
      if (!nmsk.testAndClear(sibl)) continue;
      group.push(sibl);
      cpusPerGrp--;
    }
  }
}

/** unsigned int arithmetic, as the C code does it */
export const UINT_MAX = 0xffffffff;
export const u32 = (x: number): number => x >>> 0;
