// The two-stage spreading of kernel/irq/affinity.c from 4.17 to 5.3, before alloc_nodes_vectors():
// each node gets (vectors left) / (nodes left) vectors, capped at its CPU count. Versions read
// (torvalds/linux, kernel/irq/affinity.c):
//   - 4.17 .. 4.20: d3056812e7df "genirq/affinity: Spread irq vectors among present CPUs as far as
//     possible" (Ming Lei): irq_build_affinity_masks() called twice from irq_create_affinity_masks(),
//     stored text id 470951650. The fast path (vectors <= nodes) copies a node's whole
//     node_to_cpumask over the vector and stops after `numvecs` nodes; the vectors past the
//     spread get irq_default_affinity.
//   - 5.0 .. 5.3: __irq_build_affinity_masks() / irq_build_affinity_masks() with interrupt sets
//     (6da4b3ab9a6e, 5c903e108d0b), read at commit 0145c30e896d26e638d27c957d9eed72893c1c92. Its
//     fast path ORs every node into the vectors round robin and returns numvecs: b82592199032
//     "genirq/affinity: Spread IRQs to all available NUMA nodes" (Long Li). Taken as 5.0: it sits
//     among the 5.0 interrupt-set commits in a stable dependency list (lore
//     2024081244-luminous-french-8b11@gregkh); the release was not read from a tag.
//     The vectors past the spread are no longer filled with irq_default_affinity.
// The per-node loop is the same text in all three.

import { andList, CpuMask, spreadInitOne, type SpreadCtx } from './cpumask';

export interface LegacyOptions {
  /** 4.17 .. 4.20: the fast path copies (replaces) and stops after numvecs nodes */
  fastPathCopy: boolean;
}

export interface LegacyStage {
  done: number;
  /** set when the kernel would divide by zero (vecs_to_assign == 0) */
  fault?: string;
}

/**
 * One stage (__irq_build_affinity_masks() from 5.0, irq_build_affinity_masks() in 4.17 .. 4.20),
 * with no pre/post vectors: firstvec = 0, last_affv = numvecs.
 */
export function legacyStage(
  startvec: number,
  numvecs: number,
  cpuMask: readonly number[],
  masks: number[][],
  opt: LegacyOptions,
  ctx: SpreadCtx,
): LegacyStage {
  if (cpuMask.length === 0) return { done: 0 };
  const inMask = new Uint8Array(ctx.nrCpuIds);
  for (const c of cpuMask) inMask[c] = 1;
  const lastAffv = numvecs;
  let curvec = startvec;
  let done = 0;
  const nodemsk: number[] = [];
  for (let n = 0; n < ctx.nrNodeIds; n++) if (ctx.nodeCpus[n].some((c) => inMask[c] === 1)) nodemsk.push(n);
  let nodes = nodemsk.length;

  // "If the number of nodes in the mask is greater than or equal the number of vectors we just
  // spread the vectors across the nodes." The node's whole possible set, not only the mask's CPUs.
  if (numvecs <= nodes) {
    for (const n of nodemsk) {
      if (opt.fastPathCopy) {
        masks[curvec] = [...ctx.nodeCpus[n]]; // cpumask_copy()
        if (++done === numvecs) break;
      } else {
        masks[curvec].push(...ctx.nodeCpus[n]); // cpumask_or()
      }
      if (++curvec === lastAffv) curvec = 0;
    }
    return { done: opt.fastPathCopy ? done : numvecs };
  }

  for (const n of nodemsk) {
    // "Spread the vectors per node"
    const vecsPerNode = Math.floor((numvecs - curvec) / nodes);
    const cpus = andList(ctx.nodeCpus[n], inMask);
    const ncpus = cpus.length;
    const vecsToAssign = Math.min(vecsPerNode, ncpus);
    if (vecsToAssign === 0) {
      // extra_vecs = ncpus - vecs_to_assign * (ncpus / vecs_to_assign): a divide error (#DE)
      return {
        done,
        fault:
          `node ${n}: vecs_per_node = (${numvecs} - ${curvec}) / ${nodes} = 0, so ` +
          '__irq_build_affinity_masks() divides by zero (ncpus / vecs_to_assign)',
      };
    }
    const nmsk = new CpuMask(ctx.nrCpuIds, cpus);
    let extraVecs = ncpus - vecsToAssign * Math.floor(ncpus / vecsToAssign);
    let v = 0;
    for (; curvec < lastAffv && v < vecsToAssign; curvec++, v++) {
      let cpusPerVec = Math.floor(ncpus / vecsToAssign);
      if (extraVecs) {
        cpusPerVec++;
        --extraVecs;
      }
      spreadInitOne(masks[curvec], nmsk, cpusPerVec, ctx);
    }
    done += v;
    if (done >= numvecs) break;
    if (curvec >= lastAffv) curvec = 0;
    --nodes;
  }
  return { done };
}

export interface LegacyResult {
  masks: number[][];
  /** usedvecs (4.17 .. 4.20) or nr_present + nr_others (5.0 .. 5.3) */
  used: number;
  fault?: string;
}

/** Both stages: present CPUs from vector 0, then the other possible CPUs from the next vector. */
export function legacySpread(nvec: number, opt: LegacyOptions, ctx: SpreadCtx): LegacyResult {
  const masks: number[][] = Array.from({ length: nvec }, () => []);
  const present = ctx.possible.filter((c) => ctx.present[c] === 1);
  const s1 = legacyStage(0, nvec, present, masks, opt, ctx);
  if (s1.fault) return { masks, used: s1.done, fault: s1.fault };
  const curvec = s1.done >= nvec ? 0 : s1.done;
  const others = ctx.possible.filter((c) => ctx.present[c] !== 1);
  const s2 = legacyStage(curvec, nvec, others, masks, opt, ctx);
  return { masks, used: s1.done + s2.done, ...(s2.fault ? { fault: s2.fault } : {}) };
}
