// The simulator's lowest-free allocators (bitmap_find_next_zero_area and friends, in effect) against a
// naive model: a plain set whose lowest free index is found by counting up. Every answer must agree,
// whatever order indices are taken in and given back (a failed interrupt gives its index back at once;
// a `release` gives back many). Starts repeat (a table size, 0), so that a start's remembered place is tested.
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { lowestFittingEntry, type MsixUse } from '../../server/src/core/services/fixes';
import { LowestFree, OpenLowestFree, TableLowestFree } from '../../server/src/core/simulate/alloc';

type Op = { kind: 'take'; from: number } | { kind: 'release'; pick: number } | { kind: 'has'; i: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('take' as const),
      from: fc.oneof(fc.constantFrom(0, 8, 33), fc.nat(150)),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('has' as const), i: fc.integer({ min: -2, max: 300 }) }),
  },
);

interface Alloc {
  has(i: number): boolean;
  lowest(from?: number): number;
  take(i: number): void;
  release(i: number): void;
  readonly count: number;
}

/** Runs ops on an allocator and on the naive model; `size` bounds the model (Infinity: open). */
function agree(a: Alloc, size: number, ops: Op[]): void {
  const used = new Set<number>();
  const lowest = (from: number) => {
    let i = Math.max(0, from);
    while (used.has(i)) i++;
    return i < size ? i : -1;
  };
  for (const o of ops) {
    if (o.kind === 'take') {
      const want = lowest(o.from);
      assert.equal(
        a.lowest(o.from),
        want,
        `lowest(${o.from}) with ${[...used].sort((x, y) => x - y).join(',')}`,
      );
      if (want >= 0) {
        a.take(want);
        used.add(want);
      }
    } else if (o.kind === 'release') {
      if (used.size === 0) continue;
      const i = [...used][o.pick % used.size];
      a.release(i);
      used.delete(i);
    } else assert.equal(a.has(o.i), used.has(o.i), `has(${o.i})`);
    assert.equal(a.count, used.size);
  }
}

describe('lowest-free allocators agree with a naive set', () => {
  it('LowestFree (a fixed bitmap)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 150 }),
        fc.array(op, { minLength: 20, maxLength: 400, size: 'max' }),
        (size, ops) => agree(new LowestFree(size), size, ops),
      ),
      { numRuns: 300 },
    );
  });

  it('OpenLowestFree (a growing bitmap with a hint per start)', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 20, maxLength: 400, size: 'max' }), (ops) =>
        agree(new OpenLowestFree(), Infinity, ops),
      ),
      { numRuns: 300 },
    );
  });

  it('TableLowestFree (a table, then indices past it)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100 }),
        fc.array(op, { minLength: 20, maxLength: 400, size: 'max' }),
        (size, ops) => agree(new TableLowestFree(size), Infinity, ops),
      ),
      { numRuns: 300 },
    );
  });

  it('OpenLowestFree: one index taken and given back 100,000 times past 65,536 taken ones', () => {
    // a virtual MSI-X entry that fails its IRTE takes index 65,544 and gives it back, per interrupt
    const a = new OpenLowestFree();
    for (let i = 8; i < 65_544; i++) a.take(a.lowest(8));
    for (let n = 0; n < 100_000; n++) {
      const i = a.lowest(8);
      assert.equal(i, 65_544);
      a.take(i);
      a.release(i);
    }
    assert.equal(a.count, 65_536);
    assert.equal(a.has(65_543), true);
    assert.equal(a.has(65_544), false);
  });
});

describe('the msix-index-range quick fix: the lowest entry that fits', () => {
  // the fix's former search, kept as the reference: every candidate entry, every statement laid out again
  function reference(uses: MsixUse[], i: number, table: number): number {
    const layout = (list: MsixUse[]) => {
      const used = new Set<number>();
      let next = 0;
      let max = -1;
      let clash = false;
      for (const u of list)
        for (let k = 0; k < u.size; k++) {
          let e = u.arg + k;
          if (u.arg >= 0) clash ||= used.has(e);
          else {
            while (used.has(next)) next++;
            e = next;
          }
          used.add(e);
          max = Math.max(max, e);
        }
      return { max, clash };
    };
    for (let e = 0; e + uses[i].size <= table; e++) {
      const l = layout(uses.map((u, j) => (j === i ? { ...u, arg: e } : u)));
      if (!l.clash && l.max < table) return e;
    }
    return -1;
  }

  it('agrees with trying every entry and laying every statement out again (property)', () => {
    const use = fc.record({
      g: fc.constant(0),
      arg: fc.oneof(fc.constant(-1), fc.nat(40)),
      size: fc.integer({ min: 1, max: 6 }),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 48 }),
        fc.array(use, { minLength: 1, maxLength: 14, size: 'max' }),
        fc.nat(),
        (table, uses, pick) => {
          const explicit = uses.map((u, j) => (u.arg >= 0 ? j : -1)).filter((j) => j >= 0);
          if (!explicit.length) return;
          const i = explicit[pick % explicit.length];
          assert.equal(lowestFittingEntry(uses, i, table), reference(uses, i, table));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
