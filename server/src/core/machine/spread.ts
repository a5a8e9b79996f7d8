// Managed interrupt spreading: the affinity mask of each vector of a `spread` range, as
// irq_create_affinity_masks() (kernel/irq/affinity.c) computes it through group_cpus_evenly()
// (lib/group_cpus.c from 6.3; irq_build_affinity_masks() in kernel/irq/affinity.c before), with
// no pre/post vectors and one interrupt set, per kernel era. docs/spreading.md explains the
// algorithm and the eras; the tests in test/core/spread.test.ts derive examples by hand.
//
// Pure: plain arrays in, arrays out, no imports outside this folder.

import type { SpreadCtx } from './cpumask';
import { groupCpusEvenly } from './group-cpus';
import { sortEraOf } from './sort';
import { legacySpread } from './spread-legacy';

export interface SpreadMachine {
  /** cpu_possible_mask, ascending */
  possible: readonly number[];
  /** cpu_present_mask, ascending, within possible (irqtopo passes the online CPUs) */
  present: readonly number[];
  /** node -> its CPUs (possible ones); ids may be sparse. A possible CPU in no node counts in node 0. */
  nodes: readonly { id: number; cpus: readonly number[] }[];
  /** SMT siblings of a CPU, including the CPU itself, ascending (the topology, online or not) */
  siblings(cpu: number): readonly number[];
  /** undefined = newest mainline */
  kernel?: { major: number; minor: number };
  /**
   * The CPUs sharing a cluster (x86: the L2 cache) with `cpu`, itself included; read only by the
   * cluster grouping of 7.0 and later. Default: its SMT siblings on x86 (L2 per core), the CPU
   * alone on arm64 and riscv (no cluster described by firmware).
   */
  cluster?(cpu: number): readonly number[];
  /** whose topology code fills the sibling and cluster masks (default x86); see kernelView() */
  arch?: 'x86' | 'arm64' | 'riscv';
}

/** Where a vector's mask came from. */
export type MaskSource = 'spread' | 'default' | 'empty';

/** The kernel eras of the algorithm, named by the first mainline release of each. */
export type SpreadEra = '4.17' | '5.0' | '5.4' | '5.18' | '6.9' | '6.11' | '6.17' | '7.0';

export interface SpreadResult {
  era: SpreadEra;
  /** false for a kernel older than 4.17: the masks are those of the 4.17 rules, which it did not run */
  modelled: boolean;
  /** one ascending CPU list per vector (vectors with the default affinity share one frozen array) */
  masks: number[][];
  source: MaskSource[];
  /** set when the kernel would not finish the computation (4.17 .. 5.3: a divide error) */
  fault?: string;
}

/** Input limits (NR_CPUS at most 8192, MAX_NUMNODES 1024, MSI_MAX_INDEX + 1 vectors). */
export const SPREAD_LIMITS = { cpus: 8192, nodes: 1024, vectors: 65536 } as const;

const ERAS: readonly { era: SpreadEra; major: number; minor: number }[] = [
  { era: '7.0', major: 7, minor: 0 }, // cluster grouping (89802ca36c96; merged after 6.19: see docs)
  { era: '6.17', major: 6, minor: 17 }, // nummasks: the vectors past the groups get irq_default_affinity
  { era: '6.11', major: 6, minor: 11 }, // lib/sort.c: the final two or three elements outside the loop
  { era: '6.9', major: 6, minor: 9 }, // lib/sort.c: ties go right, double pop
  { era: '5.18', major: 5, minor: 18 }, // fast path ORs only the stage's CPUs of a node
  { era: '5.4', major: 5, minor: 4 }, // alloc_nodes_vectors(): groups in proportion to CPUs per node
  { era: '5.0', major: 5, minor: 0 }, // fast path over every node; interrupt sets; no default fill
  { era: '4.17', major: 4, minor: 17 }, // two stages: present CPUs, then the other possible CPUs
];

/** The era a kernel version runs (undefined = newest). */
export function spreadEraOf(kernel?: { major: number; minor: number }): {
  era: SpreadEra;
  modelled: boolean;
} {
  if (!kernel) return { era: ERAS[0].era, modelled: true };
  const v = kernel.major * 1000 + kernel.minor;
  for (const e of ERAS) if (v >= e.major * 1000 + e.minor) return { era: e.era, modelled: true };
  return { era: '4.17', modelled: false };
}

const atLeast = (era: SpreadEra, than: SpreadEra): boolean => {
  const ix = (e: SpreadEra) => ERAS.findIndex((x) => x.era === e);
  return ix(era) <= ix(than);
};

/** Why `m` cannot be spread, or undefined. spreadAffinity() throws a RangeError with this text. */
export function checkSpreadMachine(m: SpreadMachine): string | undefined {
  const ascending = (xs: readonly number[], what: string, limit: number): string | undefined => {
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i];
      if (!Number.isInteger(x) || x < 0 || x >= limit)
        return `${what}: ${x} is not a number in 0..${limit - 1}`;
      if (i > 0 && x <= xs[i - 1]) return `${what}: not ascending without repeats at ${x}`;
    }
    return undefined;
  };
  if (m.possible.length === 0) return 'possible CPUs: none';
  const bad =
    ascending(m.possible, 'possible CPUs', SPREAD_LIMITS.cpus) ??
    ascending(m.present, 'present CPUs', SPREAD_LIMITS.cpus);
  if (bad) return bad;
  const possible = new Set(m.possible);
  const outside = m.present.find((c) => !possible.has(c));
  if (outside !== undefined) return `present CPU ${outside} is not possible`;
  if (m.nodes.length > SPREAD_LIMITS.nodes) return `more than ${SPREAD_LIMITS.nodes} nodes`;
  const owner = new Map<number, number>();
  const ids = new Set<number>();
  for (const node of m.nodes) {
    if (!Number.isInteger(node.id) || node.id < 0 || node.id >= SPREAD_LIMITS.nodes)
      return `node ${node.id}: not a node id in 0..${SPREAD_LIMITS.nodes - 1}`;
    if (ids.has(node.id)) return `node ${node.id} given twice`;
    ids.add(node.id);
    if (node.cpus.length > SPREAD_LIMITS.cpus) return `node ${node.id}: more than ${SPREAD_LIMITS.cpus} CPUs`;
    for (const c of node.cpus) {
      const other = owner.get(c);
      if (other !== undefined) return `CPU ${c} is in node ${other} and node ${node.id}`;
      owner.set(c, node.id);
    }
  }
  if (m.cluster) {
    // clusters must partition the CPUs (the kernel's cluster masks are equivalence classes)
    for (const c of m.possible) {
      const cl = m.cluster(c);
      if (!cl.includes(c)) return `cluster of CPU ${c} does not hold CPU ${c}`;
      for (const d of cl) {
        if (!possible.has(d)) continue;
        const back = m.cluster(d);
        if (back.length !== cl.length || back.some((x, i) => x !== cl[i]))
          return `clusters of CPU ${c} and CPU ${d} differ`;
      }
    }
  }
  return undefined;
}

/**
 * The sibling and cluster masks as the kernel holds them when the spread runs. x86
 * (set_cpu_sibling_map(), arch/x86/kernel/smpboot.c) links a CPU into cpu_sibling_map and
 * cpu_l2c_shared_map only when it comes online, and remove_siblinginfo() clears them when it goes:
 * a CPU never brought online has both masks empty. arm64/riscv (update_siblings_masks(),
 * drivers/base/arch_topology.c) also link online CPUs only, but clear_cpu_topology() leaves a CPU's
 * own bit in its masks. The present (here: online) CPUs keep their online siblings.
 */
function kernelView(m: SpreadMachine, nrCpuIds: number, present: Uint8Array) {
  const x86 = (m.arch ?? 'x86') === 'x86';
  const online = (xs: readonly number[], cpu: number): number[] => {
    const out = xs.filter((c) => Number.isInteger(c) && c >= 0 && c < nrCpuIds && present[c] === 1);
    if (!out.includes(cpu)) out.push(cpu);
    return out.sort((a, b) => a - b);
  };
  const sibling = new Map<number, readonly number[]>();
  const cluster = new Map<number, readonly number[]>();
  const siblingOf = (cpu: number): readonly number[] => {
    let s = sibling.get(cpu);
    if (!s) {
      s = present[cpu] === 1 ? online(m.siblings(cpu), cpu) : x86 ? [] : [cpu];
      sibling.set(cpu, s);
    }
    return s;
  };
  const clusterOf = (cpu: number): readonly number[] => {
    let s = cluster.get(cpu);
    if (!s) {
      if (present[cpu] !== 1) s = x86 ? [] : [cpu];
      else if (m.cluster) s = online(m.cluster(cpu), cpu);
      else s = x86 ? siblingOf(cpu) : [cpu];
      cluster.set(cpu, s);
    }
    return s;
  };
  return { sibling: siblingOf, cluster: clusterOf };
}

function context(m: SpreadMachine): SpreadCtx {
  const bad = checkSpreadMachine(m);
  if (bad) throw new RangeError(`spread: ${bad}`);
  const nrCpuIds = m.possible[m.possible.length - 1] + 1;
  const present = new Uint8Array(nrCpuIds);
  for (const c of m.present) present[c] = 1;
  const isPossible = new Uint8Array(nrCpuIds);
  for (const c of m.possible) isPossible[c] = 1;
  const nrNodeIds = Math.max(1, ...m.nodes.map((n) => n.id + 1));
  // build_node_to_cpumask(): each possible CPU in its node
  const nodeOf = new Int32Array(nrCpuIds);
  for (const node of m.nodes)
    for (const c of node.cpus) if (c < nrCpuIds && isPossible[c]) nodeOf[c] = node.id;
  const nodeCpus: number[][] = Array.from({ length: nrNodeIds }, () => []);
  for (const c of m.possible) nodeCpus[nodeOf[c]].push(c);
  const view = kernelView(m, nrCpuIds, present);
  return {
    nrCpuIds,
    possible: m.possible,
    present,
    nrNodeIds,
    nodeCpus,
    sibling: view.sibling,
    cluster: view.cluster,
  };
}

/**
 * irq_create_affinity_masks(nvec, &{ .pre_vectors = 0, .post_vectors = 0 }): each vector's mask, where
 * it came from, and the era. Throws a RangeError for a machine checkSpreadMachine() rejects or
 * nvec outside 0..65536.
 */
export function spreadAffinity(nvec: number, m: SpreadMachine): SpreadResult {
  if (!Number.isInteger(nvec) || nvec < 0 || nvec > SPREAD_LIMITS.vectors)
    throw new RangeError(`spread: ${nvec} vectors (0..${SPREAD_LIMITS.vectors})`);
  const { era, modelled } = spreadEraOf(m.kernel);
  const ctx = context(m);
  // "If there aren't any vectors left after applying the pre/post vectors don't bother"
  if (nvec === 0) return { era, modelled, masks: [], source: [] };
  // irq_default_affinity: cpumask_setall() at boot, printed up to nr_cpu_ids
  const defaultAffinity = Object.freeze(Array.from({ length: ctx.nrCpuIds }, (_, i) => i)) as number[];
  const norm = (xs: number[]) => [...new Set(xs)].sort((a, b) => a - b);

  if (!atLeast(era, '5.4')) {
    const r = legacySpread(nvec, { fastPathCopy: !atLeast(era, '5.0') }, ctx);
    // 4.17 .. 4.20 fill the vectors past usedvecs with irq_default_affinity; 5.0 .. 5.3 leave them
    const fillFrom = atLeast(era, '5.0') || r.fault ? nvec : Math.min(r.used, nvec);
    const masks = r.masks.map((mk, v) => (v >= fillFrom ? defaultAffinity : norm(mk)));
    const source = masks.map((mk, v): MaskSource =>
      v >= fillFrom ? 'default' : mk.length ? 'spread' : 'empty',
    );
    return { era, modelled, masks, source, ...(r.fault ? { fault: r.fault } : {}) };
  }

  const g = groupCpusEvenly(
    nvec,
    { fastPathAnd: atLeast(era, '5.18'), sortEra: sortEraOf(m.kernel), clusters: atLeast(era, '7.0') },
    ctx,
  );
  // 6.17: copy the nummasks = min(nr_present + nr_others, numgrps) masks, irq_default_affinity after;
  // before, all numgrps masks are copied, the ones no stage reached empty
  const nummasks = atLeast(era, '6.17') ? Math.min(g.nrPresent + g.nrOthers, nvec) : nvec;
  const masks = g.masks.map((mk, v) => (v >= nummasks ? defaultAffinity : norm(mk)));
  const source = masks.map((mk, v): MaskSource =>
    v >= nummasks ? 'default' : mk.length ? 'spread' : 'empty',
  );
  return { era, modelled, masks, source };
}

/** The affinity mask of each of `nvec` managed vectors (spreadAffinity(nvec, m).masks). */
export function spreadMasks(nvec: number, m: SpreadMachine): number[][] {
  return spreadAffinity(nvec, m).masks;
}

/**
 * irq_calc_affinity_vectors(minvec, maxvec, affd) with no pre/post vectors and no sets: the vector
 * count pci_alloc_irq_vectors_affinity() asks for (__pci_enable_msix_range() caps maxvec with it;
 * below minvec it fails with -ENOSPC). 4.17 and later count the possible CPUs.
 */
export function calcAffinityVectors(maxvec: number, m: Pick<SpreadMachine, 'possible'>): number {
  return Math.min(m.possible.length, maxvec); // resv + min(cpumask_weight(cpu_possible_mask), maxvec - resv)
}
