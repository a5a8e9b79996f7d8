// group_cpus_evenly() as lib/group_cpus.c has it from 6.3, and as kernel/irq/affinity.c had it
// (irq_build_affinity_masks() / __irq_build_affinity_masks(), alloc_nodes_vectors()) from 5.4 to 6.2:
// the same algorithm under other names. Versions read (torvalds/linux):
//   - kernel/irq/affinity.c with alloc_nodes_vectors() and Rei Yamamoto's fast-path fix (5.18 .. 6.2),
//     stored text id 224291191; the fix itself: 08d835dff916 "genirq/affinity: Consider that CPUs on
//     nodes can be unbalanced", irq/urgent for v5.18-rc3, lore 20220331003309.10891-1-yamamoto.rei@jp.fujitsu.com
//   - lib/group_cpus.c at e65d9626f9bbc1b9f94aa1d1a1fa2450578ec0b8 (6.3 .. 6.16)
//   - lib/group_cpus.c at 136114e0abf03005e182d75761ab694648e6d388 (newest: nummasks from 6.17,
//     b6139a6abf67 "lib/group_cpus: Let group_cpu_evenly() return the number of initialized masks";
//     the cluster grouping, 89802ca36c96 "lib/group_cpus: make group CPU cluster aware", lore
//     20260113022958.3379650-1-wangyang.guo@intel.com)
// alloc_nodes_vectors() came with b1a5a73e64e9 "genirq/affinity: Spread vectors on node according to
// nr_cpu ratio" and 53c1788b7d77 "genirq/affinity: Improve __irq_build_affinity_masks()" (tip
// irq/core, August 2019: 5.4).

import { andList, CpuMask, spreadInitOne, u32, UINT_MAX, type SpreadCtx } from './cpumask';
import { kernelSort, type SortEra } from './sort';

export interface GroupOptions {
  /** the fast path (groups <= nodes) ORs only the CPUs of the stage's mask (5.18 and later);
   * before, the node's whole node_to_cpumask (all its possible CPUs) */
  fastPathAnd: boolean;
  /** the lib/sort.c era that orders the nodes (and clusters) */
  sortEra: SortEra;
  /** 7.0 and later: group by cluster inside a node when a node has at least as many groups as clusters */
  clusters: boolean;
}

export interface GroupResult {
  /** one CPU list per group (unsorted, may repeat a CPU when the pre-5.18 fast path ORs twice) */
  masks: number[][];
  /** the groups the present-CPU stage filled (its return value) */
  nrPresent: number;
  /** the groups the other-possible-CPU stage filled */
  nrOthers: number;
}

/** struct node_groups: `v` is ncpus before alloc_groups_to_nodes() and ngroups after (a union). */
interface NodeGroups {
  id: number;
  v: number;
}

/** ncpus_cmp_func(): `return ln->ncpus - rn->ncpus;`, unsigned subtraction read as int, so an
 * inactive node (UINT_MAX) compares like -1: it sorts before every active node. */
function ncpusCmp(l: NodeGroups, r: NodeGroups): number {
  return (l.v - r.v) | 0;
}

/**
 * alloc_groups_to_nodes() (split out of alloc_nodes_groups() in 7.0; the same loop before): sort the
 * entries by CPU count, then give each active entry, smallest first, max(1, groups * ncpus /
 * remaining_ncpus) groups.
 */
function allocGroupsToNodes(numgrps: number, numcpus: number, entries: NodeGroups[], sortEra: SortEra): void {
  kernelSort(entries, ncpusCmp, sortEra);
  let remaining = numcpus;
  for (const e of entries) {
    if (e.v === UINT_MAX) continue;
    const ncpus = e.v;
    const ngroups = Math.max(1, Math.floor(((numgrps * ncpus) % 0x100000000) / remaining));
    // WARN_ON_ONCE(ngroups > ncpus): never true (the proof in the kernel's comment); a value this
    // large would only come from an unsigned wrap of numgrps, which the proof rules out too
    if (ngroups > ncpus) throw new Error(`group_cpus: ${ngroups} groups for ${ncpus} CPUs (WARN_ON_ONCE)`);
    e.v = ngroups;
    remaining -= ncpus;
    numgrps = u32(numgrps - ngroups);
  }
}

/** assign_cpus_to_groups(): spread a node's (or cluster's) groups over its CPUs in `nmsk`. */
function assignCpusToGroups(
  ncpus: number,
  nmsk: CpuMask,
  ngroups: number,
  masks: number[][],
  cur: { grp: number },
  lastGrp: number,
  ctx: SpreadCtx,
): void {
  let extra = ncpus - ngroups * Math.floor(ncpus / ngroups); // "Account for rounding errors"
  for (let v = 0; v < ngroups; v++, cur.grp++) {
    let cpusPerGrp = Math.floor(ncpus / ngroups);
    if (extra) {
      cpusPerGrp++;
      --extra;
    }
    if (cur.grp >= lastGrp) cur.grp = 0; // "wrapping has to be considered given 'startgrp' may start anywhere"
    spreadInitOne(masks[cur.grp], nmsk, cpusPerGrp, ctx);
  }
}

/**
 * __try_group_cluster_cpus() with alloc_cluster_groups() (7.0): count the clusters of the node's
 * CPUs (`nodeCpus`, ascending); when there are no more clusters than groups, share the groups
 * among the clusters as alloc_groups_to_nodes() shares them among nodes, and spread each cluster's
 * groups over its CPUs. Returns false (the caller spreads over the node as before) when a cluster
 * mask is empty or there are more clusters than groups.
 */
function tryGroupClusterCpus(
  nodeCpus: readonly number[],
  ngroups: number,
  masks: number[][],
  cur: { grp: number },
  lastGrp: number,
  opt: GroupOptions,
  ctx: SpreadCtx,
): boolean {
  const inNode = new Uint8Array(ctx.nrCpuIds);
  for (const c of nodeCpus) inNode[c] = 1;
  // probe how many clusters the node has; the fill pass below visits them in the same order
  const msk = new CpuMask(ctx.nrCpuIds, nodeCpus);
  const clusters: (readonly number[])[] = [];
  for (let cpu = msk.first(); cpu >= 0; cpu = msk.first()) {
    const cluster = ctx.cluster(cpu);
    if (cluster.length === 0) return false; // "Fix endless loop when topology_cluster_cpumask return invalid mask"
    msk.clearAll(cluster);
    if (msk.has(cpu)) return false; // a cluster mask without its own CPU would loop forever; spread.ts never builds one
    clusters.push(cluster);
  }
  // "If ngroups < ncluster, cross cluster is inevitable, skip."
  if (clusters.length === 0 || clusters.length > ngroups) return false;
  const entries: NodeGroups[] = clusters.map((cl, n) => ({ id: n, v: andList(cl, inNode).length }));
  allocGroupsToNodes(ngroups, nodeCpus.length, entries, opt.sortEra);
  for (const nv of entries) {
    const cpus = andList(clusters[nv.id], inNode);
    if (cpus.length === 0) continue;
    assignCpusToGroups(cpus.length, new CpuMask(ctx.nrCpuIds, cpus), nv.v, masks, cur, lastGrp, ctx);
  }
  return true;
}

/** __group_cpus_evenly(): one stage, over the CPUs of `cpuMask` (ascending). Returns the groups done. */
function groupStage(
  startgrp: number,
  numgrps: number,
  cpuMask: readonly number[],
  masks: number[][],
  opt: GroupOptions,
  ctx: SpreadCtx,
): number {
  if (cpuMask.length === 0) return 0;
  const inMask = new Uint8Array(ctx.nrCpuIds);
  for (const c of cpuMask) inMask[c] = 1;
  const lastGrp = numgrps;
  const cur = { grp: startgrp };
  // get_nodes_in_cpumask(): the nodes (ascending id) with a CPU in the mask
  const nodemsk: number[] = [];
  for (let n = 0; n < ctx.nrNodeIds; n++) if (ctx.nodeCpus[n].some((c) => inMask[c] === 1)) nodemsk.push(n);

  // "If the number of nodes in the mask is greater than or equal the number of groups we just
  // spread the groups across the nodes."
  if (numgrps <= nodemsk.length) {
    for (const n of nodemsk) {
      const cpus = opt.fastPathAnd ? andList(ctx.nodeCpus[n], inMask) : ctx.nodeCpus[n];
      masks[cur.grp].push(...cpus);
      if (++cur.grp === lastGrp) cur.grp = 0;
    }
    return numgrps;
  }

  // alloc_nodes_groups(): UINT_MAX for every node id, the CPU count for the active ones, then share
  // min(numcpus, numgrps) groups, visiting the nodes in the order sort() leaves them
  const nodeGroups: NodeGroups[] = [];
  for (let n = 0; n < ctx.nrNodeIds; n++) nodeGroups.push({ id: n, v: UINT_MAX });
  let numcpus = 0;
  for (const n of nodemsk) {
    const ncpus = andList(ctx.nodeCpus[n], inMask).length;
    if (!ncpus) continue;
    numcpus += ncpus;
    nodeGroups[n].v = ncpus;
  }
  allocGroupsToNodes(Math.min(numcpus, numgrps), numcpus, nodeGroups, opt.sortEra);

  let done = 0;
  for (const nv of nodeGroups) {
    if (nv.v === UINT_MAX) continue;
    const nodeCpus = andList(ctx.nodeCpus[nv.id], inMask);
    if (nodeCpus.length === 0) continue;
    if (!(opt.clusters && tryGroupClusterCpus(nodeCpus, nv.v, masks, cur, lastGrp, opt, ctx))) {
      assignCpusToGroups(
        nodeCpus.length,
        new CpuMask(ctx.nrCpuIds, nodeCpus),
        nv.v,
        masks,
        cur,
        lastGrp,
        ctx,
      );
    }
    done += nv.v;
  }
  return done;
}

/**
 * group_cpus_evenly(numgrps): "allocate present CPUs on these groups evenly first", then "allocate
 * other possible CPUs on these groups evenly", starting at the group after the last one the first
 * stage filled (group 0 when it filled them all).
 */
export function groupCpusEvenly(numgrps: number, opt: GroupOptions, ctx: SpreadCtx): GroupResult {
  const masks: number[][] = Array.from({ length: numgrps }, () => []);
  const present = ctx.possible.filter((c) => ctx.present[c] === 1);
  const nrPresent = groupStage(0, numgrps, present, masks, opt, ctx);
  const curgrp = nrPresent >= numgrps ? 0 : nrPresent;
  const others = ctx.possible.filter((c) => ctx.present[c] !== 1);
  const nrOthers = groupStage(curgrp, numgrps, others, masks, opt, ctx);
  return { masks, nrPresent, nrOthers };
}
