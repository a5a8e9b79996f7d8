// Small allocators shared by the levels of the simulation: lowest-free bitmaps with aligned
// power-of-two blocks (MSI-X entries, IMS slots, IRTEs, event IDs), and first-fit ranges (LPIs).

export class LowestFree {
  private readonly used: Uint8Array;
  private hint = 0;
  /** per block size: no aligned block of that size below the value is free */
  private readonly blockHint = new Map<number, number>();
  count = 0;

  constructor(readonly size: number) {
    this.used = new Uint8Array(size);
  }

  has(i: number): boolean {
    return i >= 0 && i < this.size && this.used[i] === 1;
  }

  /** lowest free index >= from, or -1 */
  lowest(from = 0): number {
    for (let i = Math.max(from, this.hint); i < this.size; i++) if (this.used[i] === 0) return i;
    return -1;
  }

  /**
   * The lowest free, naturally aligned block of `n` (a power of two) entries, or -1
   * (bitmap_find_free_region). Each block size remembers where its search ended: no block below it
   * is free until something there is released, so the searches do not rescan.
   */
  lowestBlock(n: number): number {
    if (n <= 1) return this.lowest();
    let b = Math.max(Math.floor(this.hint / n) * n, this.blockHint.get(n) ?? 0);
    for (; b + n <= this.size; b += n) {
      let free = true;
      for (let i = b; i < b + n; i++)
        if (this.used[i] === 1) {
          free = false;
          break;
        }
      if (free) break;
    }
    this.blockHint.set(n, b);
    return b + n <= this.size ? b : -1;
  }

  take(i: number, n = 1): void {
    for (let k = i; k < i + n; k++) {
      if (this.used[k] === 0) this.count++;
      this.used[k] = 1;
    }
    if (i === this.hint) while (this.hint < this.size && this.used[this.hint] === 1) this.hint++;
  }

  release(i: number, n = 1): void {
    for (let k = i; k < i + n; k++) {
      if (this.used[k] === 1) this.count--;
      this.used[k] = 0;
    }
    if (i < this.hint) this.hint = i;
    for (const [size, h] of this.blockHint) {
      const b = Math.floor(i / size) * size;
      if (b < h) this.blockHint.set(size, b);
    }
  }
}

/**
 * A growable lowest-free set without a fixed size (MSI-X indices beyond a table, message-domain
 * indices). `lowest(from)` remembers where each `from` found its last free index, so handing out
 * n indices from the same start costs O(n), not O(n^2) (PCI_IRQ_VIRTUAL entries all start at the
 * table size).
 */
export class OpenLowestFree {
  private readonly used = new Set<number>();
  private hint = 0;
  /** per `from` above the hint: no index in [from, value) is free */
  private readonly fromHint = new Map<number, number>();

  has(i: number): boolean {
    return this.used.has(i);
  }
  get count(): number {
    return this.used.size;
  }
  lowest(from = 0): number {
    let i = Math.max(from, this.hint);
    const above = from > this.hint;
    if (above) i = Math.max(i, this.fromHint.get(from) ?? i);
    while (this.used.has(i)) i++;
    if (above) this.fromHint.set(from, i);
    return i;
  }
  take(i: number): void {
    this.used.add(i);
    if (i === this.hint) while (this.used.has(this.hint)) this.hint++;
  }
  release(i: number): void {
    this.used.delete(i);
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
  private readonly high = new OpenLowestFree();

  constructor(readonly size: number) {
    this.low = new LowestFree(Math.max(0, size));
  }

  has(i: number): boolean {
    return i < this.size ? this.low.has(i) : this.high.has(i);
  }
  get count(): number {
    return this.low.count + this.high.count;
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
    else this.high.release(i);
  }
}

export function roundUpPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
