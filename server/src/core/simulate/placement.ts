// The simulation's result: one row of typed columns per interrupt (index k, in allocation order).
// Hops, labels and messages are made from these on demand (./routes.ts); findings about an
// interrupt keep only what is needed to say why.

import type { Hop } from './types';

export const enum PF {
  /** allocated (committed) */
  Allocated = 1,
  Managed = 2,
  /** `cpu` + `vector` pinned: the placement is observed */
  PinnedPlacement = 4,
  /** `vector` pinned alone */
  PinnedVector = 8,
  /** an IO-APIC pin shared with an earlier interrupt (the same Linux irq) */
  Shared = 16,
  /** `irte` pinned: the remap index is observed */
  PinnedIrte = 32,
  /** `inactive`: reserved, never activated */
  Inactive = 64,
  /** left its affinity (vector space exhaustion, or every CPU of it offline) */
  AffinityBroken = 128,
  /** moved by an `offline` (the CPU and vector are simulated, whatever was observed before) */
  Moved = 256,
  /** a managed interrupt shut down by an `offline`: no CPU of its mask online (reservations kept) */
  Shutdown = 512,
  /** an `offline` could not move it ("set affinity failed"): it still targets the offline CPU */
  Stuck = 1024,
  /** 4.15-5.9: irq_startup() moved it back into its affinity after the activation; the old vector is held */
  StartupMoved = 2048,
}

export class Placement {
  readonly cpu: Int32Array;
  readonly vector: Int32Array;
  readonly lpi: Int32Array;
  /** the IRTE index (Intel handle + subhandle) or AMD table index */
  readonly irte: Int32Array;
  /** Intel: the handle (first IRTE of a multi-MSI block) */
  readonly handle: Int32Array;
  readonly event: Int32Array;
  /** the endpoint level's hwirq (MSI-X entry, MSI vector index, slot, pin, window entry...) */
  readonly epHwirq: Int32Array;
  /** the endpoint's extra: an MSI block's size, an NTB window's entry */
  readonly epInfo: Int32Array;
  readonly flags: Uint16Array;
  /** the failure's RULES code (index into `codes`), 0 when none */
  readonly failure: Uint8Array;
  readonly codes: string[] = [''];
  /** per interrupt, made at the first failure (arrays, not Maps: 2^20 failures cost 16 MB, not about 80) */
  private failureText: (string | (() => string) | undefined)[] | undefined;
  /** the hops a failed interrupt had taken before it failed */
  private failureHops: (Hop[] | undefined)[] | undefined;
  /** shared IO-APIC pins: the interrupt whose Linux irq this one shares */
  readonly sharedWith = new Map<number, number>();

  constructor(readonly n: number) {
    this.cpu = new Int32Array(n).fill(-1);
    this.vector = new Int32Array(n).fill(-1);
    this.lpi = new Int32Array(n).fill(-1);
    this.irte = new Int32Array(n).fill(-1);
    this.handle = new Int32Array(n).fill(-1);
    this.event = new Int32Array(n).fill(-1);
    this.epHwirq = new Int32Array(n).fill(-1);
    this.epInfo = new Int32Array(n).fill(-1);
    this.flags = new Uint16Array(n);
    this.failure = new Uint8Array(n);
  }

  fail(k: number, code: string, message: string | (() => string), hops: Hop[]): void {
    let c = this.codes.indexOf(code);
    if (c < 0) c = this.codes.push(code) - 1;
    this.failure[k] = c;
    (this.failureText ??= new Array<string | (() => string) | undefined>(this.n))[k] = message;
    (this.failureHops ??= new Array<Hop[] | undefined>(this.n))[k] = hops.length ? hops : undefined;
    this.cpu[k] = this.vector[k] = this.lpi[k] = this.irte[k] = this.handle[k] = this.event[k] = -1;
    this.flags[k] &= ~PF.Allocated;
  }

  failureOf(k: number): { code: string; message: string } | null {
    const c = this.failure[k];
    if (c === 0) return null;
    const t = this.failureText?.[k] ?? '';
    return { code: this.codes[c], message: typeof t === 'string' ? t : t() };
  }

  /** The RULES code of interrupt k's failure (null: allocated), without making its message. */
  failureCode(k: number): string | null {
    const c = this.failure[k];
    return c === 0 ? null : this.codes[c];
  }

  /** The hops a failed interrupt had taken before it failed. */
  failureHopsOf(k: number): Hop[] {
    return this.failureHops?.[k] ?? [];
  }

  /** A copy (the boot placement, before `offline` moves interrupts). */
  clone(): Placement {
    const p = new Placement(this.n);
    p.cpu.set(this.cpu);
    p.vector.set(this.vector);
    p.lpi.set(this.lpi);
    p.irte.set(this.irte);
    p.handle.set(this.handle);
    p.event.set(this.event);
    p.epHwirq.set(this.epHwirq);
    p.epInfo.set(this.epInfo);
    p.flags.set(this.flags);
    p.failure.set(this.failure);
    p.codes.push(...this.codes.slice(1));
    p.failureText = this.failureText?.slice();
    p.failureHops = this.failureHops?.slice();
    for (const [k, v] of this.sharedWith) p.sharedWith.set(k, v);
    return p;
  }
}

/**
 * An operation log for rollback: an allocation that fails part way gives back what its earlier
 * levels took, in reverse order. Entries are (owner, op, a, b) in one growable Int32Array.
 */
export interface Undoable {
  undo(op: number, a: number, b: number): void;
}

export class OpLog {
  private log = new Int32Array(256);
  private n = 0;
  private readonly owners: Undoable[] = [];

  register(u: Undoable): number {
    return this.owners.push(u) - 1;
  }

  get mark(): number {
    return this.n;
  }

  push(owner: number, op: number, a: number, b = 0): void {
    if (this.n + 4 > this.log.length) {
      const bigger = new Int32Array(this.log.length * 2);
      bigger.set(this.log);
      this.log = bigger;
    }
    const l = this.log;
    l[this.n] = owner;
    l[this.n + 1] = op;
    l[this.n + 2] = a;
    l[this.n + 3] = b;
    this.n += 4;
  }

  /** Undoes everything after `mark`, newest first. */
  rollback(mark: number): void {
    const l = this.log;
    while (this.n > mark) {
      this.n -= 4;
      this.owners[l[this.n]].undo(l[this.n + 1], l[this.n + 2], l[this.n + 3]);
    }
  }

  /** Keeps everything after `mark` (the allocation succeeded): forget how to undo it. */
  commit(mark: number): void {
    this.n = mark;
    // a batch of 2^20 interrupts grows the log to 64 MB: not kept once nothing is left to undo
    if (mark === 0 && this.log.length > 65_536) this.log = new Int32Array(256);
  }
}
