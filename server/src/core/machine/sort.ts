// The kernel's sort() (lib/sort.c), step for step, in its three eras. It is a heapsort and not
// stable: which of two equal elements comes first depends on the exact sequence of compares and
// swaps, and group_cpus_evenly() hands out interrupt vectors in the order sort() leaves the NUMA
// nodes (and, from 7.0, the clusters of a node) that have the same number of CPUs. So the order of
// ties is ported, not approximated.
//
// Sources (torvalds/linux):
//   - 'bottom-up' (5.1 .. 6.8): George Spelvin's rewrite, lib/sort.c as read at commit
//     22a241ccb2c19962a0fb02c98154aa93d3fc1862 (and 072cf06e35eb with do_swap(), same algorithm):
//     bottom-up sift-down, the child path takes the left child on a tie (cmp >= 0).
//   - 'double-pop' (6.9, 6.10): Kuan-Wei Chiu, "lib/sort: Optimize heapsort for equal elements in
//     sift-down path" (the path takes the right child on a tie: cmp > 0) and "lib/sort: Optimize
//     heapsort with double-pop variation" (commit 0e02ca29a563), lore
//     20240113031352.2395118-{2,3}-visitorckw@gmail.com; in 6.9 (the 6.9.5 regression report,
//     lore Zn7umr/VHtZ/Nhcu@visitorckw-System-Product-Name).
//   - 'final-pair' (6.11 ..): "lib/sort: optimize heapsort for handling final 2 or 3 elements"
//     (commit 41ed7804, committed 2024-06-24), lore 20240527203011.1644280-4-visitorckw@gmail.com:
//     the last two or three elements leave the loop and are ordered by one compare.
//
// Elements are addressed by index (the kernel works in byte offsets of `size`; parent() computes
// (i - 1) / 2 either way).

export type SortEra = 'bottom-up' | 'double-pop' | 'final-pair';

/** The lib/sort.c algorithm a kernel version runs (undefined = newest). sort() before 5.1 (the old
 * heapsort) is not ported: no caller here needs it (alloc_nodes_vectors() came in 5.4). */
export function sortEraOf(kernel: { major: number; minor: number } | undefined): SortEra {
  if (!kernel) return 'final-pair';
  const v = kernel.major * 1000 + kernel.minor;
  if (v >= 6011) return 'final-pair';
  if (v >= 6009) return 'double-pop';
  return 'bottom-up';
}

/** parent(): the heap parent of index i > 0. */
function parent(i: number): number {
  return (i - 1) >> 1;
}

/**
 * Sorts `a` in place as the kernel's sort(a, a.length, size, cmp, NULL) does in `era`. `cmp` returns
 * the C comparator's int (negative, zero, positive).
 */
export function kernelSort<T>(a: T[], cmp: (l: T, r: T) => number, era: SortEra): void {
  const num = a.length;
  let n = num;
  let a0 = num >> 1; // the kernel's `a`: next element to sift while building the heap
  let shift = 0; // 'double-pop' and later: 1 when the second largest was the right child
  if (a0 === 0) return; // num < 2
  const swap = (i: number, j: number) => {
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  };
  // the child path on a tie: left (cmp >= 0) until 6.8, right (cmp > 0) from 6.9
  const takeLeft =
    era === 'bottom-up'
      ? (c: number, d: number) => cmp(a[c], a[d]) >= 0
      : (c: number, d: number) => cmp(a[c], a[d]) > 0;
  for (;;) {
    if (a0 !== 0) {
      a0 -= 1 << shift; // building the heap ('bottom-up': shift is always 0)
    } else if (era === 'bottom-up') {
      n -= 1; // else if (n -= size) swap(base, base + n)
      if (n === 0) break;
      swap(0, n);
    } else if (n > 3) {
      // extract the two largest: the root, then the larger of its children
      n -= 1;
      swap(0, n);
      shift = cmp(a[1], a[2]) <= 0 ? 1 : 0;
      a0 = 1 << shift;
      n -= 1;
      swap(a0, n);
    } else if (era === 'double-pop' && n > 1) {
      n -= 1; // extract the root
      swap(0, n);
    } else {
      break;
    }
    // sift a0 down, bottom-up: find the path of larger children to a leaf, then backtrack
    let b = a0;
    let c = 2 * b + 1;
    let d = c + 1;
    while (d < n) {
      b = takeLeft(c, d) ? c : d;
      c = 2 * b + 1;
      d = c + 1;
    }
    if (d === n) b = c; // the last leaf has no sibling
    while (b !== a0 && cmp(a[a0], a[b]) >= 0) b = parent(b);
    c = b; // where a0 belongs
    while (b !== a0) {
      b = parent(b);
      swap(b, c);
    }
  }
  if (era === 'final-pair') {
    // the last two or three elements, outside the loop
    n -= 1;
    swap(0, n);
    if (n === 2 && cmp(a[0], a[1]) > 0) swap(0, 1);
  }
}
