// Small allocators shared by the levels of the simulation: lowest-free bitmaps with aligned
// power-of-two blocks (MSI-X entries, IMS slots, IRTEs, event IDs), and first-fit ranges (LPIs).

export class LowestFree {
  /** a bit per index (32 per word): 1 = taken */
  private readonly used: Uint32Array;
  private hint = 0;
  /** per block size: no aligned block of that size below the value is free (made on first use) */
  private blockHint: Map<number, number> | undefined;
  count = 0;

  constructor(readonly size: number) {
    this.used = new Uint32Array(Math.ceil(size / 32));
  }

  has(i: number): boolean {
    return i >= 0 && i < this.size && (this.used[i >>> 5] & (1 << (i & 31))) !== 0;
  }

  /** lowest free index >= from, or -1 */
  lowest(from = 0): number {
    let i = Math.max(from, this.hint);
    while (i < this.size) {
      const w = this.used[i >>> 5] | ((1 << (i & 31)) - 1); // bits below i count as taken
      if (w !== -1) {
        const j = (i & ~31) + ctz32(~w);
        return j < this.size ? j : -1;
      }
      i = (i & ~31) + 32;
    }
    return -1;
  }

  /**
   * The lowest free, naturally aligned block of `n` (a power of two) entries, or -1
   * (bitmap_find_free_region). Each block size remembers where its search ended: no block below it
   * is free until something there is released, so the searches do not rescan.
   */
  lowestBlock(n: number): number {
    if (n <= 1) return this.lowest();
    const hints = (this.blockHint ??= new Map<number, number>());
    let b = Math.max(Math.floor(this.hint / n) * n, hints.get(n) ?? 0);
    for (; b + n <= this.size; b += n) if (this.blockFree(b, n)) break;
    hints.set(n, b);
    return b + n <= this.size ? b : -1;
  }

  private blockFree(b: number, n: number): boolean {
    if (n <= 32 && (b & 31) + n <= 32) {
      const mask = n === 32 ? -1 : ((1 << n) - 1) << (b & 31);
      return (this.used[b >>> 5] & mask) === 0;
    }
    for (let i = b; i < b + n; i++) if (this.used[i >>> 5] & (1 << (i & 31))) return false;
    return true;
  }

  take(i: number, n = 1): void {
    for (let k = i; k < i + n; k++) {
      const bit = 1 << (k & 31);
      if ((this.used[k >>> 5] & bit) === 0) {
        this.count++;
        this.used[k >>> 5] |= bit;
      }
    }
    if (i === this.hint) while (this.hint < this.size && this.has(this.hint)) this.hint++;
  }

  release(i: number, n = 1): void {
    for (let k = i; k < i + n; k++) {
      const bit = 1 << (k & 31);
      if (this.used[k >>> 5] & bit) {
        this.count--;
        this.used[k >>> 5] &= ~bit;
      }
    }
    if (i < this.hint) this.hint = i;
    if (this.blockHint)
      for (const [size, h] of this.blockHint) {
        const b = Math.floor(i / size) * size;
        if (b < h) this.blockHint.set(size, b);
      }
  }
}

/** count trailing zeros of a non-zero 32-bit value */
function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/**
 * A growable lowest-free set without a fixed size (MSI-X indices beyond a table, message-domain
 * indices). `lowest(from)` remembers where each `from` found its last free index, so handing out
 * n indices from the same start costs O(n), not O(n^2) (PCI_IRQ_VIRTUAL entries all start at the
 * table size). A bitmap that doubles, not a Set: the indices are dense (each is a `lowest()`), and a
 * V8 Set of 65,536 numbers costs about 0.1 ms per add/delete of one more key (its table rehashes),
 * which a failing interrupt that takes and gives back an index does once per interrupt.
 */
export class OpenLowestFree {
  /** a bit per index (32 per word): 1 = taken */
  private used = new Uint32Array(2);
  private hint = 0;
  /** per `from` above the hint: no index in [from, value) is free */
  private readonly fromHint = new Map<number, number>();
  count = 0;

  has(i: number): boolean {
    const w = i >>> 5;
    return i >= 0 && w < this.used.length && (this.used[w] & (1 << (i & 31))) !== 0;
  }
  lowest(from = 0): number {
    let i = Math.max(from, this.hint);
    const above = from > this.hint;
    if (above) i = Math.max(i, this.fromHint.get(from) ?? i);
    for (;;) {
      const w = i >>> 5;
      if (w >= this.used.length) break;
      const word = this.used[w] | ((1 << (i & 31)) - 1); // bits below i count as taken
      if (word !== -1) {
        i = (i & ~31) + ctz32(~word);
        break;
      }
      i = (i & ~31) + 32;
    }
    if (above) this.fromHint.set(from, i);
    return i;
  }
  take(i: number): void {
    const w = i >>> 5;
    if (w >= this.used.length) {
      let n = this.used.length;
      while (n <= w) n *= 2;
      const grown = new Uint32Array(n);
      grown.set(this.used);
      this.used = grown;
    }
    const bit = 1 << (i & 31);
    if ((this.used[w] & bit) === 0) {
      this.used[w] |= bit;
      this.count++;
    }
    if (i === this.hint) while (this.has(this.hint)) this.hint++;
  }
  release(i: number): void {
    if (!this.has(i)) return;
    this.used[i >>> 5] &= ~(1 << (i & 31));
    this.count--;
    if (i < this.hint) this.hint = i;
    for (const [f, h] of this.fromHint) if (i >= f && i < h) this.fromHint.set(f, i);
  }
}

/**
 * Lowest-free indices over [0, size) as a bitmap, and beyond it as a set (an MSI-X table: its entries,
 * then PCI_IRQ_VIRTUAL descriptors past the table). Same answers as one OpenLowestFree.
 */
export class TableLowestFree {
  private readonly low: LowestFree;
  /** indices past the table (made on first use) */
  private highSet: OpenLowestFree | undefined;
  private get high(): OpenLowestFree {
    return (this.highSet ??= new OpenLowestFree());
  }

  constructor(readonly size: number) {
    this.low = new LowestFree(Math.max(0, size));
  }

  has(i: number): boolean {
    return i < this.size ? this.low.has(i) : (this.highSet?.has(i) ?? false);
  }
  get count(): number {
    return this.low.count + (this.highSet?.count ?? 0);
  }
  lowest(from = 0): number {
    if (from < this.size) {
      const i = this.low.lowest(from);
      if (i >= 0) return i;
    }
    return this.high.lowest(Math.max(from, this.size));
  }
  take(i: number): void {
    if (i < this.size) this.low.take(i);
    else this.high.take(i);
  }
  release(i: number): void {
    if (i < this.size) this.low.release(i);
    else this.highSet?.release(i);
  }
}

/** index -> interrupt + 1 (0: none), growing with the highest index set (a 64K-entry table stays small while few are used). */
export class Owners {
  private a = new Int32Array(64);

  get(i: number): number {
    return i >= 0 && i < this.a.length ? this.a[i] : 0;
  }

  set(i: number, v: number): void {
    if (i >= this.a.length) {
      if (v === 0) return;
      let n = this.a.length;
      while (n <= i) n *= 2;
      const b = new Int32Array(n);
      b.set(this.a);
      this.a = b;
    }
    this.a[i] = v;
  }
}

export function roundUpPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
