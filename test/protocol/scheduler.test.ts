// The diagnostics scheduler on a fake clock: time moves only when the test says so, and a macrotask
// (the yield between two documents) is a step the test controls too. No sleeps.
import * as assert from 'node:assert/strict';
import { DiagnosticsScheduler, type CheckTarget, type Clock } from '../../server/src/lsp/scheduler';

class FakeClock implements Clock {
  time = 0;
  private seq = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();
  private yields: (() => void)[] = [];

  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.time + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  yield(): Promise<void> {
    return new Promise((r) => this.yields.push(r));
  }

  /** Runs microtasks, then the pending macrotask yields, until nothing moves. */
  async settle(): Promise<void> {
    for (let i = 0; i < 1000; i++) {
      await flushMicrotasks();
      const ys = this.yields.splice(0);
      if (ys.length === 0) return;
      for (const y of ys) y();
    }
    throw new Error('the scheduler does not settle');
  }

  /** Moves time forward, firing each timer at its time (and settling after each). */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    await this.settle();
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const t of this.timers) if (t[1].at <= end && (!next || t[1].at < next[1].at)) next = t;
      if (!next) break;
      this.timers.delete(next[0]);
      this.time = Math.max(this.time, next[1].at);
      next[1].fn();
      await this.settle();
    }
    this.time = end;
  }

  get armed(): number {
    return this.timers.size;
  }
}

async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** Records each check with the time it ran; documents' costs and dependants are set by the test. */
class Target implements CheckTarget {
  readonly checks: { uri: string; at: number }[] = [];
  readonly failures: string[] = [];
  costs = new Map<string, number>();
  dependants = new Map<string, string[]>();
  onCheck?: (uri: string) => void | Promise<void>;

  constructor(private readonly clock: FakeClock) {}

  affected(changed: readonly string[]): string[] {
    const out = new Set<string>(changed);
    for (const c of changed) for (const d of this.dependants.get(c) ?? []) out.add(d);
    return [...out];
  }
  async check(uri: string): Promise<void> {
    this.checks.push({ uri, at: this.clock.now() });
    await this.onCheck?.(uri);
  }
  cost(uri: string): number | undefined {
    return this.costs.get(uri);
  }
  failed(uri: string): void {
    this.failures.push(uri);
  }
  at(): number[] {
    return this.checks.map((c) => c.at);
  }
}

function setup(options: ConstructorParameters<typeof DiagnosticsScheduler>[2] = {}) {
  const clock = new FakeClock();
  const target = new Target(clock);
  const s = new DiagnosticsScheduler(target, clock, options);
  return { clock, target, s };
}

describe('diagnostics scheduler (fake clock)', () => {
  it('checks the first edit after a quiet period at once (leading edge)', async () => {
    const { clock, target, s } = setup();
    target.costs.set('a', 10);
    s.edited('a');
    await clock.advance(0);
    assert.deepEqual(target.checks, [{ uri: 'a', at: 0 }]);
  });

  it('coalesces a burst and checks it when it stops, twice the last check later', async () => {
    const { clock, target, s } = setup();
    target.costs.set('a', 10); // interval 20 ms
    s.edited('a'); // t=0: leading edge
    await clock.advance(5);
    s.edited('a'); // t=5: within the interval of the last pass: trailing
    await clock.advance(5);
    s.edited('a'); // t=10: restarts the interval
    await clock.advance(19);
    assert.deepEqual(target.at(), [0], 'not yet: the interval runs from the last edit');
    await clock.advance(1);
    assert.deepEqual(target.at(), [0, 30]);
    assert.equal(s.checks, 2);
  });

  it('caps the interval at 50 ms however slow the last check was', async () => {
    const { clock, target, s } = setup();
    target.costs.set('a', 400);
    s.edited('a');
    await clock.advance(0);
    s.edited('a');
    await clock.advance(49);
    assert.deepEqual(target.at(), [0]);
    await clock.advance(1);
    assert.deepEqual(target.at(), [0, 50]);
  });

  it('is quiet again after the interval: the next edit is a leading edge', async () => {
    const { clock, target, s } = setup();
    target.costs.set('a', 10);
    s.edited('a');
    await clock.advance(100);
    s.edited('a');
    await clock.advance(0);
    assert.deepEqual(target.at(), [0, 100]);
  });

  it('does not postpone a continuous burst beyond maxWait', async () => {
    const { clock, target, s } = setup({ maxInterval: 50, maxWait: 200 });
    target.costs.set('a', 100);
    s.edited('a');
    await clock.advance(0); // leading edge at 0
    for (let t = 10; t <= 600; t += 10) {
      await clock.advance(10);
      s.edited('a');
    }
    // edits every 10 ms never leave 50 ms of quiet: maxWait forces checks along the way
    const at = target.at();
    assert.ok(at.length >= 3, JSON.stringify(at));
    for (let i = 1; i < at.length; i++) assert.ok(at[i] - at[i - 1] <= 200 + 10, JSON.stringify(at));
  });

  it('uses a fixed delay when one is configured', async () => {
    const { clock, target, s } = setup({ fixedDelay: 30 });
    s.edited('a');
    await clock.advance(29);
    assert.deepEqual(target.at(), []);
    await clock.advance(1);
    assert.deepEqual(target.at(), [30]);
  });

  it('checks the edited document first, then the open files whose analysis holds it, each once', async () => {
    const { clock, target, s } = setup({ fixedDelay: 0 });
    target.dependants.set('b', ['a', 'c']);
    target.dependants.set('c', ['a']);
    s.edited('b');
    s.edited('c');
    await clock.advance(0);
    assert.deepEqual(
      target.checks.map((c) => c.uri),
      ['b', 'c', 'a'],
    );
  });

  it('stops a pass when newer edits arrive (a newer generation) and checks what is left with them', async () => {
    const { clock, target, s } = setup({ fixedDelay: 20 });
    target.dependants.set('x', ['p', 'q', 'r']);
    let once = true;
    target.onCheck = (uri) => {
      if (uri === 'p' && once) {
        once = false;
        s.edited('x'); // an edit lands while p is being checked
      }
    };
    s.edited('x');
    await clock.advance(20);
    assert.deepEqual(
      target.checks.map((c) => c.uri),
      ['x', 'p'],
      'q and r wait for the newer edit',
    );
    await clock.advance(19);
    assert.equal(target.checks.length, 2, 'the newer edit has its own delay');
    await clock.advance(1);
    // the next pass: the edited document and what the stopped pass left, then the other dependant
    assert.deepEqual(
      target.checks.slice(2).map((c) => c.uri),
      ['x', 'q', 'r', 'p'],
    );
    await clock.advance(100);
    assert.equal(target.checks.length, 6, 'nothing checked twice');
  });

  it('runs each document in a macrotask of its own', async () => {
    const { clock, target, s } = setup({ fixedDelay: 0 });
    target.dependants.set('a', ['b', 'c']);
    s.edited('a');
    await clock.advance(0);
    // advance() settles between macrotasks; count the yields instead: one per document
    let yields = 0;
    const orig = clock.yield.bind(clock);
    clock.yield = () => {
      yields++;
      return orig();
    };
    s.edited('a');
    await clock.advance(0);
    assert.equal(yields, 3);
  });

  it('documents to check now (opened, settings) wait for an armed edit timer, then join its pass', async () => {
    const { clock, target, s } = setup({ fixedDelay: 40 });
    s.edited('a');
    await clock.advance(10);
    s.now(['b']);
    await clock.advance(0);
    assert.deepEqual(target.at(), []);
    await clock.advance(30);
    assert.deepEqual(
      target.checks.map((c) => `${c.uri}@${c.at}`),
      ['a@40', 'b@40'],
    );
  });

  it('documents to check now while a pass runs are checked right after it', async () => {
    const { clock, target, s } = setup({ fixedDelay: 0 });
    target.onCheck = (uri) => {
      if (uri === 'a') s.now(['moved']); // a context change found while checking a
    };
    s.now(['a']);
    await clock.advance(0);
    assert.deepEqual(
      target.checks.map((c) => c.uri),
      ['a', 'moved'],
    );
  });

  it('goes on after a check throws, and reports it', async () => {
    const { clock, target, s } = setup({ fixedDelay: 0 });
    target.dependants.set('a', ['b']);
    target.onCheck = (uri) => {
      if (uri === 'a') throw new Error('boom');
    };
    s.edited('a');
    await clock.advance(0);
    assert.deepEqual(target.failures, ['a']);
    assert.deepEqual(
      target.checks.map((c) => c.uri),
      ['a', 'b'],
    );
  });

  it('is idle when nothing is pending; dispose drops what is pending', async () => {
    const { clock, target, s } = setup({ fixedDelay: 10 });
    let idle = false;
    s.edited('a');
    void s.idle().then(() => (idle = true));
    await clock.advance(5);
    assert.equal(idle, false);
    await clock.advance(5);
    assert.equal(idle, true);
    s.edited('b');
    s.dispose();
    await clock.advance(100);
    assert.deepEqual(
      target.checks.map((c) => c.uri),
      ['a'],
    );
    assert.equal(clock.armed, 0);
  });
});
