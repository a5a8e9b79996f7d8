// Managed interrupt spreading (server/src/core/machine/): golden masks derived by hand from the
// kernel source (the derivation beside each test names the file and function), one observed
// spread from a real dump, the era differences, and fast-check properties.
//
// Shorthand in the derivations (lib/group_cpus.c, the same code in kernel/irq/affinity.c 5.4 .. 6.2):
//   stage 1 / stage 2 = group_cpus_evenly()'s two __group_cpus_evenly() calls (present CPUs, then
//     the other possible CPUs from the group after the last one stage 1 filled)
//   alloc = alloc_nodes_groups(): numgrps = min(CPUs, groups); nodes visited in sort() order, each
//     getting max(1, numgrps * ncpus / remaining_ncpus)
//   assign = the per-node loop: ncpus / ngroups CPUs per group, the first (ncpus % ngroups) groups
//     one more; grp_spread_init_one() takes the lowest CPU left, then its SMT siblings left
//   sort of k equal keys: no sift moves anything (the backtrack climbs back to the start), so only
//     the extraction swaps do: lib/sort.c 5.1 .. 6.8 gives [1, 2, .., k-1, 0]; from 6.9 each double
//     pop is swap(0, n-1), swap(2, n-2) (the children compare equal, so shift = 1), 6.11 ends with
//     swap(0, 1) at n = 2 (sort.test part below traces k = 2 .. 5)
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { kernelSort, type SortEra } from '../../server/src/core/machine/sort';
import {
  calcAffinityVectors,
  checkSpreadMachine,
  spreadAffinity,
  spreadEraOf,
  spreadMasks,
  type SpreadMachine,
} from '../../server/src/core/machine/spread';
import { fixture, ROOT } from './helpers';

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const K = (major: number, minor: number) => ({ major, minor });

/** `0-3,8` lists to arrays and back, to keep the expectations readable */
function list(s: string): number[] {
  if (s === '') return [];
  return s.split(',').flatMap((p) => {
    const [a, b] = p.split('-').map(Number);
    return range(a, b ?? a);
  });
}
const lists = (s: string) => s.split(' | ').map(list);

/** One node, no SMT. */
function flat(p: number, kernel?: { major: number; minor: number }): SpreadMachine {
  return {
    possible: range(0, p - 1),
    present: range(0, p - 1),
    nodes: [{ id: 0, cpus: range(0, p - 1) }],
    siblings: (c) => [c],
    kernel,
  };
}

/** 2 sockets x 4 cores x 2 threads, the usual server enumeration (`smt 2`): node 0 = 0-3,8-11,
 * node 1 = 4-7,12-15, siblings c and c+8. */
function twoSocket(kernel?: { major: number; minor: number }): SpreadMachine {
  return {
    possible: range(0, 15),
    present: range(0, 15),
    nodes: [
      { id: 0, cpus: list('0-3,8-11') },
      { id: 1, cpus: list('4-7,12-15') },
    ],
    siblings: (c) => [c % 8, (c % 8) + 8],
    kernel,
  };
}

const KERNEL_6_12 = K(6, 12); // era 6.11 .. 6.16

describe('spread: lib/sort.c ports', () => {
  const ids = (k: number, era: SortEra) => {
    const a = range(0, k - 1).map((id) => ({ id, n: 32 }));
    kernelSort(a, (l, r) => (l.n - r.n) | 0, era);
    return a.map((x) => x.id);
  };

  it('equal keys come out in the order the kernel leaves them, per era', () => {
    // bottom-up (5.1 .. 6.8): extraction swaps only, swap(0,k-1) .. swap(0,1): [1, 2, .., k-1, 0].
    // Observed on a real 5.4-era kernel: 4 nodes of 32 CPUs, "the index of array node_vectors[] is
    // 1,2,3,0" after sort() (lore 20191119031700.GE391@ming.t460p, HiSilicon, chenxiang).
    assert.deepEqual(ids(2, 'bottom-up'), [1, 0]);
    assert.deepEqual(ids(3, 'bottom-up'), [1, 2, 0]);
    assert.deepEqual(ids(4, 'bottom-up'), [1, 2, 3, 0]);
    assert.deepEqual(ids(5, 'bottom-up'), [1, 2, 3, 4, 0]);
    // double-pop (6.9, 6.10): k=4: n=4 > 3: swap(0,3) [3,1,2,0], shift = 1, swap(2,2), n = 2; then
    // "extract root": swap(0,1) -> [1,3,2,0]. k=5: swap(0,4) [4,1,2,3,0], swap(2,3) [4,1,3,2,0],
    // n = 3: swap(0,2) [3,1,4,2,0], n = 2: swap(0,1) -> [1,3,4,2,0]. k=3: n=3 is not > 3: swap(0,2)
    // [2,1,0], swap(0,1) -> [1,2,0].
    assert.deepEqual(ids(2, 'double-pop'), [1, 0]);
    assert.deepEqual(ids(3, 'double-pop'), [1, 2, 0]);
    assert.deepEqual(ids(4, 'double-pop'), [1, 3, 2, 0]);
    assert.deepEqual(ids(5, 'double-pop'), [1, 3, 4, 2, 0]);
    // final-pair (6.11 ..): the loop stops at n <= 3; then swap(0, n-1) and, at n-1 = 2, a swap(0,1)
    // only if a[0] > a[1]. k=3: swap(0,2) -> [2,1,0]. k=4: [3,1,2,0] after the double pop (n = 2),
    // swap(0,1) -> [1,3,2,0]. k=5: [4,1,3,2,0] after it (n = 3), swap(0,2) -> [3,1,4,2,0].
    assert.deepEqual(ids(2, 'final-pair'), [1, 0]);
    assert.deepEqual(ids(3, 'final-pair'), [2, 1, 0]);
    assert.deepEqual(ids(4, 'final-pair'), [1, 3, 2, 0]);
    assert.deepEqual(ids(5, 'final-pair'), [3, 1, 4, 2, 0]);
  });

  it('sorts any input ascending in every era (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 40 }),
        fc.constantFrom<SortEra>('bottom-up', 'double-pop', 'final-pair'),
        (keys, era) => {
          const a = keys.map((n, id) => ({ id, n }));
          kernelSort(a, (l, r) => (l.n - r.n) | 0, era);
          assert.deepEqual(
            a.map((x) => x.n),
            [...keys].sort((x, y) => x - y),
          );
          assert.deepEqual(
            a.map((x) => x.id).sort((x, y) => x - y),
            range(0, keys.length - 1),
          );
        },
      ),
    );
  });
});

describe('spread: golden masks, derived by hand (kernel 6.12 unless named)', () => {
  const at = (nvec: number, m: SpreadMachine) => spreadMasks(nvec, m);

  it('(a) 16 CPUs, one node, no SMT', () => {
    const m = flat(16, KERNEL_6_12);
    // nvec 4: stage 1, 4 > 1 node: alloc gives node 0 max(1, 4*16/16) = 4 groups; assign 16/4 = 4
    // CPUs each, lowest first (no siblings): 0-3, 4-7, 8-11, 12-15. Stage 2: no other CPUs.
    assert.deepEqual(at(4, m), lists('0-3 | 4-7 | 8-11 | 12-15'));
    // nvec 8: 16/8 = 2 each
    assert.deepEqual(at(8, m), lists('0-1 | 2-3 | 4-5 | 6-7 | 8-9 | 10-11 | 12-13 | 14-15'));
    // nvec 16: 1 each, in CPU order
    assert.deepEqual(
      at(16, m),
      range(0, 15).map((c) => [c]),
    );
    // nvec 5: 16/5 = 3, 16 - 5*3 = 1 extra: the first group 4, the others 3
    assert.deepEqual(at(5, m), lists('0-3 | 4-6 | 7-9 | 10-12 | 13-15'));
    // nvec 3: 16/3 = 5, 1 extra: 6, 5, 5
    assert.deepEqual(at(3, m), lists('0-5 | 6-10 | 11-15'));
  });

  it('(b) 2 sockets x 4 cores x 2 threads (node 0 = 0-3,8-11, node 1 = 4-7,12-15, siblings c, c+8)', () => {
    const m = twoSocket(KERNEL_6_12);
    // nvec 2 <= 2 nodes: the fast path, one group per node in node order, only the stage's CPUs
    assert.deepEqual(at(2, m), lists('0-3,8-11 | 4-7,12-15'));
    // nvec 4: alloc sorts [{0,8},{1,8}]: two equal keys come out swapped, node 1 first. Node 1:
    // max(1, 4*8/16) = 2 groups, node 0: 2*8/8 = 2. Node 1, 4 CPUs per group: 4, its sibling 12,
    // then 5 and 13 -> 4-5,12-13; then 6-7,14-15. Node 0 the same from CPU 0.
    assert.deepEqual(at(4, m), lists('4-5,12-13 | 6-7,14-15 | 0-1,8-9 | 2-3,10-11'));
    // nvec 6: node 1 first again, 6*8/16 = 3 groups, node 0 3. Node 1: 8/3 = 2, 2 extra -> 3,3,2:
    // {4,12} + 5 (its sibling 13 stays, the count ran out); {6,14} + 7; then the lowest left is
    // 13, its sibling 5 is taken, then 15 -> {13,15}. Node 0 likewise.
    assert.deepEqual(at(6, m), lists('4-5,12 | 6-7,14 | 13,15 | 0-1,8 | 2-3,10 | 9,11'));
    // nvec 8: 4 groups per node, 2 CPUs each: one core (both threads) per group
    assert.deepEqual(at(8, m), lists('4,12 | 5,13 | 6,14 | 7,15 | 0,8 | 1,9 | 2,10 | 3,11'));
    // nvec 16: 8 groups per node, 1 CPU each: the lowest CPU left each time (4,5,6,7,12,..)
    assert.deepEqual(at(16, m), lists('4 | 5 | 6 | 7 | 12 | 13 | 14 | 15 | 0 | 1 | 2 | 3 | 8 | 9 | 10 | 11'));
  });

  it('(c) possible 0-15, present 0-7: the other possible CPUs continue after stage 1', () => {
    const m: SpreadMachine = { ...flat(16, KERNEL_6_12), present: range(0, 7) };
    // nvec 4: stage 1 spreads 0-7 over 4 groups (2 each) and returns 4 >= 4, so stage 2 starts at
    // group 0 and spreads 8-15 over the 4 groups again
    assert.deepEqual(at(4, m), lists('0-1,8-9 | 2-3,10-11 | 4-5,12-13 | 6-7,14-15'));
    // nvec 16: stage 1: alloc caps the groups at min(8 CPUs, 16) = 8, groups 0-7 get 0-7, returns 8;
    // stage 2 starts at group 8: groups 8-15 get 8-15
    assert.deepEqual(
      at(16, m),
      range(0, 15).map((c) => [c]),
    );
    // nvec 12: stage 1 as above (groups 0-7); stage 2 from group 8, 8 groups of one CPU: 8-11 go
    // to groups 8-11, then curgrp >= last_grp wraps to 0: 12-15 join groups 0-3
    assert.deepEqual(at(12, m), lists('0,12 | 1,13 | 2,14 | 3,15 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11'));
    // two sockets, socket 1 not present: stage 1 spreads node 0 (4 groups of a core each); stage 2
    // starts at group 0 over node 1's CPUs, which never came online, so their sibling masks are
    // empty (set_cpu_sibling_map() runs at bring-up): pairs in CPU order, threads not kept together
    const half: SpreadMachine = { ...twoSocket(KERNEL_6_12), present: list('0-3,8-11') };
    assert.deepEqual(at(4, half), lists('0,4-5,8 | 1,6-7,9 | 2,10,12-13 | 3,11,14-15'));
  });

  it('(d) nodes of unequal size: node 0 = 0-11, node 1 = 12-15', () => {
    const m: SpreadMachine = {
      ...flat(16, KERNEL_6_12),
      nodes: [
        { id: 0, cpus: range(0, 11) },
        { id: 1, cpus: range(12, 15) },
      ],
    };
    // nvec 4: sort [{0,12},{1,4}] ascending: node 1 (4 CPUs) first, max(1, 4*4/16) = 1 group;
    // node 0: 3*12/12 = 3 groups of 4. Group 0 is node 1.
    assert.deepEqual(at(4, m), lists('12-15 | 0-3 | 4-7 | 8-11'));
    // nvec 6: node 1: 6*4/16 = 1 (1.5 rounded down); node 0: 5 groups, 12/5 = 2, 2 extra: 3,3,2,2,2
    assert.deepEqual(at(6, m), lists('12-15 | 0-2 | 3-5 | 6-7 | 8-9 | 10-11'));
  });

  it('observed: nvme1 (32 queues) and nvme2 (16 queues) on a 32-thread Intel hybrid desktop (dump D5e, 6.2 .. 6.5)', () => {
    // 8 P-cores with 2 threads (siblings 2k, 2k+1) and 16 E-cores (16-31) without SMT; one node.
    // 16 vectors: 32/16 = 2 CPUs each: the lowest CPU and its sibling on the P-cores, two E-cores
    // after. 32 vectors: one CPU each, in order. The dump's affinity lines are the same.
    const m: SpreadMachine = { ...flat(32, K(6, 4)), siblings: (c) => (c < 16 ? [c & ~1, c | 1] : [c]) };
    const text = fs.readFileSync(
      path.join(fixture('dumps'), 'x86-intel-desktop-32cpu-IR_martins3_int-irqdebug-int.txt'),
      'utf8',
    );
    const affinity = (irq: number) => list(new RegExp(`^${irq}:affinity: (\\S+)`, 'm').exec(text)![1]);
    const nvme2 = range(138, 153).map(affinity); // nvme2q1 .. nvme2q16
    const nvme1 = range(154, 185).map(affinity); // nvme1q1 .. nvme1q32
    assert.deepEqual(
      nvme2,
      range(0, 15).map((g) => [2 * g, 2 * g + 1]),
    );
    assert.deepEqual(spreadMasks(16, m), nvme2);
    assert.deepEqual(spreadMasks(32, m), nvme1);
  });

  it('observed: 4 nodes of 32 CPUs, 16 vectors on a 5.4-era kernel (lore 20191119031700.GE391@ming.t460p)', () => {
    // "irq0 bind to cpu32-39, irq1 bind to cpu40-47, ..., irq11 bind to cpu120-127, irq12 bind to
    // cpu0-7, ... irq15 bind to cpu24-31": sort() left the nodes 1,2,3,0; 16*32/128 = 4 groups each
    const m: SpreadMachine = {
      ...flat(128, K(5, 4)),
      nodes: range(0, 3).map((id) => ({ id, cpus: range(32 * id, 32 * id + 31) })),
    };
    const expect = [1, 2, 3, 0].flatMap((n) =>
      range(0, 3).map((g) => range(32 * n + 8 * g, 32 * n + 8 * g + 7)),
    );
    assert.deepEqual(spreadMasks(16, m), expect);
  });
});

describe('spread: eras', () => {
  it('names the era of a kernel version', () => {
    assert.deepEqual(spreadEraOf(undefined), { era: '7.0', modelled: true });
    assert.deepEqual(spreadEraOf(K(6, 16)), { era: '6.11', modelled: true });
    assert.deepEqual(spreadEraOf(K(6, 17)), { era: '6.17', modelled: true });
    assert.deepEqual(spreadEraOf(K(5, 10)), { era: '5.4', modelled: true });
    assert.deepEqual(spreadEraOf(K(4, 19)), { era: '4.17', modelled: true });
    assert.deepEqual(spreadEraOf(K(4, 14)), { era: '4.17', modelled: false });
    assert.deepEqual(spreadEraOf(K(3, 10)), { era: '4.17', modelled: false });
  });

  it('(e) 5 nodes of 2 CPUs, 10 vectors: five eras, five answers', () => {
    // node k = CPUs 2k, 2k+1, no SMT. Per node 10*2/10 = 2 groups of one CPU, nodes in sort() order.
    const m = (kernel: { major: number; minor: number } | undefined): SpreadMachine => ({
      ...flat(10, kernel),
      nodes: range(0, 4).map((id) => ({ id, cpus: [2 * id, 2 * id + 1] })),
    });
    const cpus = (nodes: number[]) => nodes.flatMap((n) => [[2 * n], [2 * n + 1]]);
    // 5.0 .. 5.3 (kernel/irq/affinity.c, __irq_build_affinity_masks()): no sort; node by node,
    // (vectors left) / (nodes left) = 10/5, 8/4, .. = 2 each: CPU order
    assert.deepEqual(spreadMasks(10, m(K(5, 3))), cpus([0, 1, 2, 3, 4]));
    // 5.4 .. 6.8: sort() of 5 equal keys -> [1,2,3,4,0]
    assert.deepEqual(spreadMasks(10, m(K(6, 8))), cpus([1, 2, 3, 4, 0]));
    // 6.9, 6.10: -> [1,3,4,2,0]
    assert.deepEqual(spreadMasks(10, m(K(6, 10))), cpus([1, 3, 4, 2, 0]));
    // 6.11 .. 6.16: -> [3,1,4,2,0]
    assert.deepEqual(spreadMasks(10, m(K(6, 16))), cpus([3, 1, 4, 2, 0]));
    // 7.0 (lib/group_cpus.c __try_group_cluster_cpus()): each node has 2 groups and 2 clusters (a
    // CPU each: no SMT, so cpu_l2c_shared_map holds the CPU alone), 2 <= 2, so the groups go by
    // cluster; sort() of the 2 equal clusters swaps them: each node's odd CPU first
    assert.deepEqual(
      spreadMasks(10, m(K(7, 0))),
      [3, 1, 4, 2, 0].flatMap((n) => [[2 * n + 1], [2 * n]]),
    );
  });

  it('(e) 7.0: the cluster grouping reorders one-CPU groups (16 CPUs, 16 vectors)', () => {
    // 16 one-CPU clusters, 16 groups: cluster path. sort() of 16 equal keys (6.11 ..): double pops
    // swap(0,15) swap(2,14), swap(0,13) swap(2,12), .., swap(0,5) swap(2,4), then at n = 4
    // swap(0,3) (swap(2,2)), and after the loop swap(0,1): [1,3,4,5,..,15,2,0]
    assert.deepEqual(
      spreadMasks(16, flat(16, K(7, 0))),
      [1, ...range(3, 15), 2, 0].map((c) => [c]),
    );
    // 8 vectors: 16 clusters > 8 groups, no cluster grouping: as before
    assert.deepEqual(spreadMasks(8, flat(16, K(7, 0))), spreadMasks(8, flat(16, KERNEL_6_12)));
    // two sockets, 8 vectors: each node 4 groups, 4 clusters (the cores: L2 per core), sort() of 4
    // equal -> [1,3,2,0]: node 1's cores 5,7,6,4 (with their siblings 13,15,14,12)
    assert.deepEqual(
      spreadMasks(8, twoSocket(K(7, 0))),
      lists('5,13 | 7,15 | 6,14 | 4,12 | 1,9 | 3,11 | 2,10 | 0,8'),
    );
  });

  it('(e) 7.0: x86 and arm64 differ on CPUs that never came online', () => {
    // 4 CPUs, 0-1 present, no SMT, 2 vectors. Stage 1: 2 one-CPU clusters for 2 groups, sort() of
    // 2 equal keys swaps them: group 0 = CPU 1, group 1 = CPU 0. Stage 2 from group 0 over 2-3:
    // x86 links cpu_l2c_shared_map at bring-up only, so 2 and 3 have empty cluster masks and
    // alloc_cluster_groups() gives up: 2 -> group 0, 3 -> group 1. arm64 (clear_cpu_topology())
    // leaves each CPU in its own cluster_sibling: the cluster path again, swapped: 3, then 2.
    const m: SpreadMachine = { ...flat(4, K(7, 0)), present: [0, 1] };
    assert.deepEqual(spreadMasks(2, m), lists('1-2 | 0,3'));
    assert.deepEqual(spreadMasks(2, { ...m, arch: 'arm64' }), lists('1,3 | 0,2'));
  });

  it('(e) 5.3 and 5.4: equal nodes in id order, then swapped by sort()', () => {
    // 5.3 (__irq_build_affinity_masks()): node 0 first, 4/2 = 2 vectors, then node 1 (4-2)/1 = 2
    assert.deepEqual(
      spreadMasks(4, twoSocket(K(5, 3))),
      lists('0-1,8-9 | 2-3,10-11 | 4-5,12-13 | 6-7,14-15'),
    );
    assert.deepEqual(
      spreadMasks(4, twoSocket(K(5, 4))),
      lists('4-5,12-13 | 6-7,14-15 | 0-1,8-9 | 2-3,10-11'),
    );
  });

  it('(e) 4.20 and 5.0: fewer vectors than nodes', () => {
    // 4.17 .. 4.20 (irq_build_affinity_masks()): the fast path copies node 0's possible CPUs into
    // vector 0 and stops after `numvecs` = 1 node: node 1's CPUs get no vector.
    assert.deepEqual(spreadMasks(1, twoSocket(K(4, 20))), [list('0-3,8-11')]);
    // 5.0 (b82592199032 "Spread IRQs to all available NUMA nodes"): every node, OR'd round robin
    assert.deepEqual(spreadMasks(1, twoSocket(K(5, 0))), [range(0, 15)]);
  });

  it('(e) 5.17 and 5.18: the fast path of stage 2 (Rei Yamamoto, 08d835dff916)', () => {
    // 3 nodes: 0 = 0-3, 1 = 4-7, 2 = 8-11; CPUs 6-11 not present. 2 vectors <= nodes in both stages.
    // Stage 1 (nodes 0, 1): vector 0 gets node 0, vector 1 node 1. Stage 2 (nodes 1, 2) from vector
    // 0: before 5.18 the whole node_to_cpumask is OR'd, so node 1's present CPUs 4-5 land in
    // vector 0 too; from 5.18 only the stage's CPUs (6-7).
    const m = (kernel: { major: number; minor: number }): SpreadMachine => ({
      ...flat(12, kernel),
      present: range(0, 5),
      nodes: range(0, 2).map((id) => ({ id, cpus: range(4 * id, 4 * id + 3) })),
    });
    assert.deepEqual(spreadMasks(2, m(K(5, 17))), lists('0-7 | 4-11'));
    assert.deepEqual(spreadMasks(2, m(K(5, 18))), lists('0-3,6-7 | 4-5,8-11'));
  });

  it('(e) more vectors than CPUs: 4.17 .. 4.20 and 6.17 give the default affinity, 5.0 .. 6.16 an empty mask', () => {
    const src = (k: { major: number; minor: number }) => spreadAffinity(6, flat(4, k));
    // 6.17: group_cpus_evenly() returns nummasks = 4; irq_create_affinity_masks() copies 4 and
    // fills vectors 4, 5 with irq_default_affinity (all CPUs up to nr_cpu_ids)
    assert.deepEqual(src(K(6, 17)).masks, lists('0 | 1 | 2 | 3 | 0-3 | 0-3'));
    assert.deepEqual(src(K(6, 17)).source, ['spread', 'spread', 'spread', 'spread', 'default', 'default']);
    // 5.0 .. 6.16: all 6 masks are copied; groups 4, 5 were never filled (alloc_descs() would then
    // refuse the empty masks with -EINVAL; the PCI core never asks: see calcAffinityVectors)
    assert.deepEqual(src(K(6, 16)).source, ['spread', 'spread', 'spread', 'spread', 'empty', 'empty']);
    assert.deepEqual(src(K(5, 2)).source, ['spread', 'spread', 'spread', 'spread', 'empty', 'empty']);
    // 4.17 .. 4.20: usedvecs = 4, the vectors from 4 get irq_default_affinity
    assert.deepEqual(src(K(4, 17)).source, ['spread', 'spread', 'spread', 'spread', 'default', 'default']);
  });

  it('(e) 4.17 .. 5.3: stage 2 can divide by zero; 5.4 cannot', () => {
    // 3 nodes of 4 CPUs, CPUs 0-2 present, 4 vectors. Stage 1: node 0, 4/1 vectors capped at 3 CPUs
    // -> 3 done. Stage 2 from vector 3, 3 nodes (3, 4-7, 8-11): vecs_per_node = (4 - 3) / 3 = 0,
    // then ncpus / vecs_to_assign.
    const m = (kernel: { major: number; minor: number }): SpreadMachine => ({
      ...flat(12, kernel),
      present: range(0, 2),
      nodes: range(0, 2).map((id) => ({ id, cpus: range(4 * id, 4 * id + 3) })),
    });
    assert.match(spreadAffinity(4, m(K(5, 3))).fault ?? '', /divides by zero/);
    assert.match(spreadAffinity(4, m(K(4, 17))).fault ?? '', /divides by zero/);
    const r = spreadAffinity(4, m(K(5, 4)));
    assert.equal(r.fault, undefined);
    // 5.4 (alloc_nodes_vectors(), sort() 'bottom-up'). Stage 1: node 0 alone, min(3 CPUs, 4) = 3
    // groups: CPUs 0, 1, 2; returns 3. Stage 2 from group 3 over 3, 4-7, 8-11: numgrps = min(9, 4);
    // sort() of the keys [1, 4, 4] (ids 0, 1, 2): building the heap moves node 1 to the root
    // ([1,0,2]), the extractions give [0, 2, 1]. Node 0: max(1, 4*1/9) = 1 group (CPU 3, group 3);
    // node 2: 3*4/8 = 1 group, curgrp 4 wraps to 0: 8-11; node 1: 2*4/4 = 2 groups: 4-5, 6-7.
    assert.deepEqual(r.masks, lists('0,8-11 | 1,4-5 | 2,6-7 | 3'));
  });
});

describe('spread: input checks and the vector count', () => {
  it('server/src/core/machine/ imports nothing outside itself', () => {
    const dir = path.join(ROOT, 'server', 'src', 'core', 'machine');
    for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
      const specs = [...fs.readFileSync(path.join(dir, f), 'utf8').matchAll(/from\s*'([^']+)'/g)].map(
        (m) => m[1],
      );
      assert.deepEqual(
        specs.filter((s) => !/^\.\/[\w-]+$/.test(s)),
        [],
        f,
      );
    }
  });

  it('rejects machines it cannot spread over, with the reason', () => {
    const m = flat(4);
    assert.equal(checkSpreadMachine(m), undefined);
    assert.match(checkSpreadMachine({ ...m, possible: [1, 0] }) ?? '', /not ascending/);
    assert.match(checkSpreadMachine({ ...m, present: [5] }) ?? '', /present CPU 5 is not possible/);
    assert.match(checkSpreadMachine({ ...m, possible: [] }) ?? '', /none/);
    assert.match(
      checkSpreadMachine({
        ...m,
        nodes: [
          { id: 0, cpus: [0, 1] },
          { id: 1, cpus: [1, 2] },
        ],
      }) ?? '',
      /CPU 1 is in node 0 and node 1/,
    );
    assert.match(checkSpreadMachine({ ...m, possible: [0, 9000] }) ?? '', /not a number in 0..8191/);
    assert.match(checkSpreadMachine({ ...m, cluster: (c) => [c ^ 1] }) ?? '', /does not hold/);
    assert.throws(() => spreadMasks(3, { ...m, present: [5] }), RangeError);
    assert.throws(() => spreadMasks(-1, m), RangeError);
    assert.throws(() => spreadMasks(70000, m), RangeError);
    assert.deepEqual(spreadMasks(0, m), []);
  });

  it('a possible CPU in no node counts in node 0; node ids may be sparse', () => {
    // nodes 0 (declared with no CPUs) and 3 (CPUs 2-3); CPUs 0-1 fall in node 0. nr_node_ids = 4,
    // so sort() orders 4 entries, keys [2, UINT_MAX, UINT_MAX, 2]; ncpus_cmp_func()'s unsigned
    // difference read as int makes UINT_MAX compare like -1. 'final-pair' (6.12): heap building
    // sifts index 1 down ([0,3,2,1]), the double pop swaps 0,3 and (children 2 > -1: shift 0) 1,2
    // -> [1,2,3,0]; after the loop swap(0,1) -> [2,1,3,0]: node 3 first (groups 0, 1 = CPUs 2, 3),
    // then node 0 (groups 2, 3 = CPUs 0, 1).
    const m: SpreadMachine = {
      ...flat(4, KERNEL_6_12),
      nodes: [
        { id: 0, cpus: [] },
        { id: 3, cpus: [2, 3] },
      ],
    };
    assert.deepEqual(spreadMasks(4, m), [[2], [3], [0], [1]]);
  });

  it('irq_calc_affinity_vectors(): the PCI core asks for at most the possible CPUs', () => {
    assert.equal(calcAffinityVectors(32, flat(16)), 16);
    assert.equal(calcAffinityVectors(8, flat(16)), 8);
  });
});

// ---- properties -------------------------------------------------------------------------------

interface Gen {
  threads: number;
  cores: number;
  adjacent: boolean;
  nodeIds: number[];
  coreNode: number[];
  presentCores: boolean[];
  nvec: number;
  kernel: { major: number; minor: number } | undefined;
}

const KERNELS = [
  K(4, 17),
  K(4, 20),
  K(5, 0),
  K(5, 3),
  K(5, 4),
  K(5, 18),
  K(6, 9),
  K(6, 11),
  K(6, 17),
  undefined,
];

const gen: fc.Arbitrary<Gen> = fc
  .record({
    threads: fc.constantFrom(1, 2, 4),
    coresRaw: fc.integer({ min: 1, max: 64 }),
    adjacent: fc.boolean(),
    nodeIds: fc.uniqueArray(fc.integer({ min: 0, max: 7 }), { minLength: 1, maxLength: 4 }),
    seed: fc.array(fc.nat(), { minLength: 64, maxLength: 64 }),
    nvecFrac: fc.double({ min: 0, max: 1, noNaN: true }),
    kernel: fc.constantFrom(...KERNELS),
  })
  .map((r) => {
    const cores = Math.max(1, Math.floor(r.coresRaw / r.threads));
    const possible = cores * r.threads;
    return {
      threads: r.threads,
      cores,
      adjacent: r.adjacent,
      nodeIds: r.nodeIds,
      coreNode: range(0, cores - 1).map((c) => r.nodeIds[r.seed[c % 64] % r.nodeIds.length]),
      // core 0 (the boot CPU's) always present
      presentCores: range(0, cores - 1).map((c) => c === 0 || r.seed[(c * 7) % 64] % 3 !== 0),
      nvec: 1 + Math.floor(r.nvecFrac * (2 * possible - 1)),
      kernel: r.kernel,
    };
  });

/** The machine: `smt N` (siblings (c mod C) + kC) or `smt N adjacent`, whole cores per node. */
function machineOf(g: Gen): { m: SpreadMachine; coreOf: (cpu: number) => number } {
  const p = g.cores * g.threads;
  const coreOf = (cpu: number) => (g.adjacent ? Math.floor(cpu / g.threads) : cpu % g.cores);
  const threadsOf = (core: number) =>
    range(0, g.threads - 1).map((k) => (g.adjacent ? core * g.threads + k : core + k * g.cores));
  const nodes = g.nodeIds.map((id) => ({
    id,
    cpus: range(0, p - 1).filter((c) => g.coreNode[coreOf(c)] === id),
  }));
  return {
    m: {
      possible: range(0, p - 1),
      present: range(0, p - 1).filter((c) => g.presentCores[coreOf(c)]),
      nodes,
      siblings: (c) => threadsOf(coreOf(c)).sort((a, b) => a - b),
      kernel: g.kernel,
    },
    coreOf,
  };
}

const eraAtLeast = (g: Gen, major: number, minor: number) =>
  !g.kernel || g.kernel.major > major || (g.kernel.major === major && g.kernel.minor >= minor);

describe('spread: properties (fast-check)', () => {
  it('every mask is ascending, within the possible CPUs; empty only where the era leaves it so', () => {
    fc.assert(
      fc.property(gen, (g) => {
        const { m } = machineOf(g);
        const p = m.possible.length;
        const r = spreadAffinity(g.nvec, m);
        assert.equal(r.masks.length, g.nvec);
        for (const mk of r.masks) {
          assert.ok(mk.every((c, i) => c >= 0 && c < p && (i === 0 || c > mk[i - 1])));
        }
        if (r.fault) return; // 4.17 .. 5.3 only: the kernel would oops
        const empty = r.masks.flatMap((mk, v) => (mk.length ? [] : [v]));
        if (eraAtLeast(g, 6, 17) || !eraAtLeast(g, 5, 0)) {
          // 6.17 and 4.17 .. 4.20: the vectors no group reached get irq_default_affinity
          assert.deepEqual(empty, []);
        } else if (eraAtLeast(g, 5, 4)) {
          // 5.4 .. 6.16: every group is filled up to the number of CPUs, the rest stay empty
          assert.deepEqual(empty, g.nvec <= p ? [] : range(p, g.nvec - 1));
        }
        // 5.0 .. 5.3: a node with fewer CPUs than its share loses vectors (vecs_to_assign =
        // min(vecs_per_node, ncpus)), so some stay empty even with fewer vectors than CPUs
      }),
      { numRuns: 300 },
    );
  });

  it('with no more vectors than possible CPUs, every possible CPU is in exactly one mask (5.18 ..)', () => {
    fc.assert(
      fc.property(gen, (g) => {
        const { m } = machineOf(g);
        if (g.nvec > m.possible.length || !eraAtLeast(g, 5, 18)) return;
        const all = spreadMasks(g.nvec, m).flat();
        assert.deepEqual(
          all.sort((a, b) => a - b),
          m.possible,
        );
      }),
      { numRuns: 300 },
    );
  });

  it('the SMT threads of a present core share a mask unless a group ran out of CPUs mid-core (5.4 ..)', () => {
    // grp_spread_init_one() takes a CPU, then its siblings: a group that starts on a core boundary
    // and takes a multiple of the thread count ends on one. So a core is split only next to a mask
    // whose count of present CPUs is not a multiple of the threads.
    fc.assert(
      fc.property(gen, (g) => {
        if (g.threads === 1 || !eraAtLeast(g, 5, 4)) return;
        const { m, coreOf } = machineOf(g);
        const masks = spreadMasks(g.nvec, m);
        const present = new Set(m.present);
        const where = new Map<number, Set<number>>(); // core -> masks holding its threads
        masks.forEach((mk, v) => {
          for (const c of mk)
            if (present.has(c))
              (where.get(coreOf(c)) ?? where.set(coreOf(c), new Set()).get(coreOf(c))!).add(v);
        });
        for (const [, vs] of where) {
          if (vs.size < 2) continue;
          const counts = [...vs].map((v) => masks[v].filter((c) => present.has(c)).length);
          assert.ok(
            counts.some((n) => n % g.threads !== 0),
            `a core split across masks ${[...vs].join(',')} of present sizes ${counts.join(',')}`,
          );
        }
      }),
      { numRuns: 300 },
    );
  });
});
