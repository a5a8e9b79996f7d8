// The x86 vector matrix, after kernel/irq/matrix.c (irq_matrix_*) as arch/x86/kernel/apic/vector.c
// drives it. One bitmap of 256 vectors per online CPU:
//   - `alloc`: vectors allocated (non-managed, managed, pinned, `in-use`)
//   - `managed`: vectors reserved for managed interrupts (irq_matrix_reserve_managed)
//   - the system map (shared): vectors never handed out
// avl = capacity - managed reservations - non-managed allocations (cm->available).
// The CPU with the most available vectors is found through buckets keyed by avl (one CPU bitset
// per avl value), so a non-managed allocation over all CPUs costs O(words), not O(cpus).

export const NR_VECTORS = 256;
export const FIRST_EXTERNAL_VECTOR = 0x20;
const WORDS_PER_CPU = NR_VECTORS / 32;

export interface Era {
  /** FIRST_SYSTEM_VECTOR: the allocation window is [0x20, firstSystem) */
  firstSystem: number;
  /** the system vectors (as a VECTOR matrix's `System:` line lists them) */
  system: number[];
  /** a sentence for docs and hovers */
  label: string;
}

/** The window and system vectors of a kernel version (undefined = newest behaviour, 6.10+). */
export function eraOf(kernel: { major: number; minor: number } | undefined, override?: number[]): Era {
  const atLeast = (a: number, b: number) =>
    !kernel || kernel.major > a || (kernel.major === a && kernel.minor >= b);
  // FIRST_SYSTEM_VECTOR: LOCAL_TIMER_VECTOR 0xec up to 6.9, POSTED_MSI_NOTIFICATION_VECTOR 0xeb from 6.10
  const firstSystem = atLeast(6, 10) ? 0xeb : 0xec;
  // IRQ2_VECTOR (ISA_IRQ_VECTOR(2) = 0x32, the cascade) and IA32_SYSCALL_VECTOR 0x80 always;
  // IRQ_MOVE_CLEANUP_VECTOR = 0x20 until 6.6 (bdc1dad299bb)
  const system = override ? [...override] : atLeast(6, 6) ? [0x32, 0x80] : [0x20, 0x32, 0x80];
  const label = `${kernel ? `kernel ${kernel.major}.${kernel.minor}` : 'no kernel given (newest rules)'}: vectors 0x20..0x${(firstSystem - 1).toString(16)}${override ? ' less the system-vectors override' : system.includes(0x20) ? ' less 0x20, 0x32, 0x80' : ' less 0x32, 0x80'}`;
  return { firstSystem, system, label };
}

export class VectorMatrix {
  readonly ncpu: number;
  readonly capacity: number;
  /** per CPU: allocated vectors */
  readonly alloc: Uint32Array;
  /** per CPU: managed reservations */
  readonly managedMap: Uint32Array;
  /** vectors that are never allocatable (system, or outside the window) */
  readonly blocked = new Uint32Array(WORDS_PER_CPU);
  readonly avl: Int32Array;
  readonly man: Int32Array;
  readonly mac: Int32Array;
  /** allocated vectors per CPU (act) */
  readonly act: Int32Array;
  private readonly words: number;
  /** buckets[avl * words + w]: CPUs with that avl */
  private readonly buckets: Uint32Array;
  private readonly bucketCount: Int32Array;
  private maxAvl: number;
  /** per CPU: 1 once it went offline (irq_matrix_offline): out of every search, its bits kept */
  readonly offline: Uint8Array;

  constructor(
    ncpu: number,
    readonly era: Era,
  ) {
    this.ncpu = ncpu;
    const sys = new Set(era.system);
    let cap = 0;
    for (let v = 0; v < NR_VECTORS; v++) {
      const inWindow = v >= FIRST_EXTERNAL_VECTOR && v < era.firstSystem && !sys.has(v);
      if (inWindow) cap++;
      else this.blocked[v >>> 5] |= 1 << (v & 31);
    }
    this.capacity = cap;
    this.alloc = new Uint32Array(ncpu * WORDS_PER_CPU);
    this.managedMap = new Uint32Array(ncpu * WORDS_PER_CPU);
    this.avl = new Int32Array(ncpu).fill(cap);
    this.man = new Int32Array(ncpu);
    this.mac = new Int32Array(ncpu);
    this.act = new Int32Array(ncpu);
    this.words = Math.max(1, Math.ceil(ncpu / 32));
    this.buckets = new Uint32Array((cap + 1) * this.words);
    this.bucketCount = new Int32Array(cap + 1);
    for (let c = 0; c < ncpu; c++) this.buckets[cap * this.words + (c >>> 5)] |= 1 << (c & 31);
    this.bucketCount[cap] = ncpu;
    this.maxAvl = cap;
    this.offline = new Uint8Array(ncpu);
  }

  /** irq_matrix_offline: the CPU leaves every search; its allocations and reservations stay. */
  setOffline(c: number): void {
    if (this.offline[c]) return;
    const a = this.avl[c];
    if (a >= 0 && a <= this.capacity) {
      this.buckets[a * this.words + (c >>> 5)] &= ~(1 << (c & 31));
      this.bucketCount[a]--;
    }
    this.offline[c] = 1;
  }

  /** irq_matrix_available(m, cpudown): the sum of `available` over online CPUs, less CPU `except`'s. */
  available(except = -1): number {
    let n = 0;
    for (let c = 0; c < this.ncpu; c++) if (!this.offline[c] && c !== except) n += this.avl[c];
    return n;
  }

  isBlocked(v: number): boolean {
    return v < 0 || v >= NR_VECTORS || (this.blocked[v >>> 5] & (1 << (v & 31))) !== 0;
  }
  isAllocated(c: number, v: number): boolean {
    return (this.alloc[c * WORDS_PER_CPU + (v >>> 5)] & (1 << (v & 31))) !== 0;
  }
  isReserved(c: number, v: number): boolean {
    return (this.managedMap[c * WORDS_PER_CPU + (v >>> 5)] & (1 << (v & 31))) !== 0;
  }

  private setAvl(c: number, value: number): void {
    const old = this.avl[c];
    if (old === value) return;
    if (this.offline[c]) {
      this.avl[c] = value;
      return;
    }
    const w = c >>> 5;
    const bit = 1 << (c & 31);
    if (old >= 0 && old <= this.capacity) {
      this.buckets[old * this.words + w] &= ~bit;
      this.bucketCount[old]--;
    }
    this.avl[c] = value;
    if (value >= 0 && value <= this.capacity) {
      this.buckets[value * this.words + w] |= bit;
      this.bucketCount[value]++;
      if (value > this.maxAvl) this.maxAvl = value;
    }
  }

  /** lowest vector free for a non-managed allocation on CPU c (not blocked, allocated or reserved), or -1 */
  lowestFree(c: number): number {
    const base = c * WORDS_PER_CPU;
    for (let w = 0; w < WORDS_PER_CPU; w++) {
      const taken = this.blocked[w] | this.alloc[base + w] | this.managedMap[base + w];
      if (taken !== -1 && taken !== 0xffffffff) {
        const free = ~taken;
        return w * 32 + ctz(free);
      }
    }
    return -1;
  }

  /** lowest vector reserved for managed use and not yet allocated on CPU c, or -1 */
  lowestReservedUnused(c: number): number {
    const base = c * WORDS_PER_CPU;
    for (let w = 0; w < WORDS_PER_CPU; w++) {
      const m = this.managedMap[base + w] & ~this.alloc[base + w];
      if (m !== 0) return w * 32 + ctz(m);
    }
    return -1;
  }

  /** Marks a vector allocated as non-managed (irq_matrix_assign / irq_matrix_alloc). */
  assign(c: number, v: number): void {
    this.alloc[c * WORDS_PER_CPU + (v >>> 5)] |= 1 << (v & 31);
    this.act[c]++;
    this.setAvl(c, this.avl[c] - 1);
  }

  /** Reserves v for managed use on CPU c (irq_matrix_reserve_managed). */
  reserve(c: number, v: number): void {
    this.managedMap[c * WORDS_PER_CPU + (v >>> 5)] |= 1 << (v & 31);
    this.man[c]++;
    this.setAvl(c, this.avl[c] - 1);
  }

  /** Allocates an already-reserved managed vector (irq_matrix_alloc_managed): avl is unchanged. */
  allocManaged(c: number, v: number): void {
    this.alloc[c * WORDS_PER_CPU + (v >>> 5)] |= 1 << (v & 31);
    this.act[c]++;
    this.mac[c]++;
  }

  /** Undoes assign(). */
  unassign(c: number, v: number): void {
    this.alloc[c * WORDS_PER_CPU + (v >>> 5)] &= ~(1 << (v & 31));
    this.act[c]--;
    this.setAvl(c, this.avl[c] + 1);
  }

  /** Undoes allocManaged(). */
  freeManaged(c: number, v: number): void {
    this.alloc[c * WORDS_PER_CPU + (v >>> 5)] &= ~(1 << (v & 31));
    this.act[c]--;
    this.mac[c]--;
  }

  /** Turns an allocated (in-use) vector into a managed allocation: reserved and allocated, avl unchanged. */
  adoptManaged(c: number, v: number): void {
    this.managedMap[c * WORDS_PER_CPU + (v >>> 5)] |= 1 << (v & 31);
    this.man[c]++;
    this.mac[c]++;
  }

  /** Undoes adoptManaged(): the vector is an ordinary allocation again. */
  unadoptManaged(c: number, v: number): void {
    this.managedMap[c * WORDS_PER_CPU + (v >>> 5)] &= ~(1 << (v & 31));
    this.man[c]--;
    this.mac[c]--;
  }

  /** Frees an allocated vector (irq_matrix_free): managed -> it stays reserved; non-managed -> available again. */
  free(c: number, v: number, managed: boolean): void {
    if (!this.isAllocated(c, v)) return;
    if (managed && this.isReserved(c, v)) this.freeManaged(c, v);
    else this.unassign(c, v);
  }

  /**
   * irq_matrix_remove_managed on one CPU: clears the lowest reserved-but-unallocated bit (not
   * necessarily the one the interrupt reserved); returns it, or -1.
   */
  removeManaged(c: number): number {
    const v = this.lowestReservedUnused(c);
    if (v >= 0) this.unreserve(c, v);
    return v;
  }

  /**
   * The managed interrupt's CPU (irq_matrix_alloc_managed) among `members` (CPU indices, ascending):
   * from 5.0 matrix_find_best_cpu_managed(): the fewest managed allocations, ties to the last CPU;
   * 4.20: matrix_find_best_cpu(), the most available, ties to the first; 4.15-4.19: the first CPU
   * (vector.c assign_managed_vector). -1 when `members` is empty.
   */
  managedCpu(members: readonly number[], era: 'first' | 'most-available' | 'fewest-managed-last'): number {
    if (members.length === 0) return -1;
    let best = -1;
    if (era === 'first') {
      for (const c of members) if (!this.offline[c]) return c;
      return -1;
    }
    if (era === 'most-available') {
      for (const c of members) if (!this.offline[c] && (best < 0 || this.avl[c] > this.avl[best])) best = c;
      return best;
    }
    for (const c of members) if (!this.offline[c] && (best < 0 || this.mac[c] <= this.mac[best])) best = c;
    return best;
  }

  /** Undoes reserve() (all-or-nothing reservation failed on another CPU). */
  unreserve(c: number, v: number): void {
    this.managedMap[c * WORDS_PER_CPU + (v >>> 5)] &= ~(1 << (v & 31));
    this.man[c]--;
    this.setAvl(c, this.avl[c] + 1);
  }

  /**
   * matrix_find_best_cpu: the CPU of `mask` (CPU indices as a bitset, or undefined for all) with the
   * most available vectors, ties to the lowest CPU; -1 when every CPU of the mask has avl 0.
   */
  bestCpu(mask: Uint32Array | undefined, members?: readonly number[]): number {
    if (members && members.length <= 64) {
      let best = -1;
      let bestAvl = 0;
      for (const c of members) {
        if (this.offline[c]) continue;
        if (this.avl[c] > bestAvl) {
          bestAvl = this.avl[c];
          best = c;
        } else if (this.avl[c] === bestAvl && bestAvl > 0 && c < best) best = c;
      }
      return best;
    }
    while (this.maxAvl > 0 && this.bucketCount[this.maxAvl] === 0) this.maxAvl--;
    for (let a = this.maxAvl; a > 0; a--) {
      if (this.bucketCount[a] === 0) continue;
      const off = a * this.words;
      for (let w = 0; w < this.words; w++) {
        const bits = mask ? this.buckets[off + w] & mask[w] : this.buckets[off + w];
        if (bits !== 0) return w * 32 + ctz(bits);
      }
    }
    return -1;
  }

  /** Vectors allocated on CPU c, ascending. */
  vectorsOf(c: number): number[] {
    const out: number[] = [];
    const base = c * WORDS_PER_CPU;
    for (let w = 0; w < WORDS_PER_CPU; w++) {
      let bits = this.alloc[base + w];
      while (bits !== 0) {
        const b = ctz(bits);
        out.push(w * 32 + b);
        bits &= bits - 1;
      }
    }
    return out;
  }
}

/** count trailing zeros of a non-zero 32-bit value */
export function ctz(x: number): number {
  return 31 - Math.clz32(x & -x);
}
