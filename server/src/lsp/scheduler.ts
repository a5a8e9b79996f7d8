// When diagnostics are computed: the first edit after a quiet period is checked at once (leading
// edge); edits that follow within the interval are coalesced and checked when they stop (trailing
// edge). The interval adapts to the document: twice its last check, at most 50 ms, and a burst is
// never postponed more than `maxWait`. Each document is checked in a macrotask of its own, so the
// requests already received are answered between two documents; an edit that arrives during a pass
// (a newer generation) stops it, and what is left is checked with the newer edits. The clock is
// injected: the tests drive it by hand.

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** resolves in a later macrotask, after the messages already received are handled */
  yield(): Promise<void>;
}

/**
 * The event loop's clock (Node: setImmediate; a web worker: a MessageChannel round trip). With an
 * input activity counter, a yield lasts until two macrotasks pass without an incoming message being
 * dispatched (at most 64): the messages already received, a hover in another file say, go first.
 */
export function realClock(activity?: () => number): Clock {
  let hop: () => Promise<void>;
  if (typeof setImmediate === 'function') hop = () => new Promise((r) => setImmediate(r));
  else if (typeof MessageChannel === 'function') {
    const ch = new MessageChannel();
    const queue: (() => void)[] = [];
    ch.port1.onmessage = () => queue.shift()?.();
    hop = () =>
      new Promise<void>((r) => {
        queue.push(r);
        ch.port2.postMessage(0);
      });
  } else hop = () => new Promise((r) => setTimeout(r, 0));
  const quietYield = async () => {
    let last = activity!();
    for (let i = 0, quiet = 0; i < 64 && quiet < 2; i++) {
      await hop();
      const now = activity!();
      if (now === last) quiet++;
      else {
        quiet = 0;
        last = now;
      }
    }
  };
  return {
    now: () => performance.now(),
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
    yield: activity ? quietYield : hop,
  };
}

export interface CheckTarget {
  /** The open documents to check when these changed: they, and the open files whose analysis holds them. */
  affected(changed: readonly string[]): string[];
  /** Checks one document and publishes its diagnostics. */
  check(uri: string): void | Promise<void>;
  /** How long the document's last analysis took (ms), for the adaptive interval. */
  cost(uri: string): number | undefined;
  /** A check threw (the pass goes on with the next document). */
  failed(uri: string, error: unknown): void;
}

export interface SchedulerOptions {
  /** a fixed delay from the last edit to the check, instead of the adaptive interval */
  fixedDelay?: number;
  /** the adaptive interval's ceiling (ms) */
  maxInterval?: number;
  /** the longest a burst of edits postpones its check (ms) */
  maxWait?: number;
}

export class DiagnosticsScheduler {
  private readonly pending = new Set<string>();
  private timer: unknown;
  private running = false;
  private generation = 0;
  private lastPassEnd = -Infinity;
  private firstPending: number | undefined;
  private readonly idleWaiters: (() => void)[] = [];
  private disposed = false;
  private readonly maxInterval: number;
  private readonly maxWait: number;
  /** passes run and documents checked (for tests and the log) */
  passes = 0;
  checks = 0;

  constructor(
    private readonly target: CheckTarget,
    private readonly clock: Clock,
    private readonly options: SchedulerOptions = {},
  ) {
    this.maxInterval = options.maxInterval ?? 50;
    this.maxWait = options.maxWait ?? 4 * this.maxInterval;
  }

  /** An edit of a document: checked at once after a quiet period, else when the edits stop. */
  edited(uri: string): void {
    if (this.disposed) return;
    this.generation++;
    const now = this.clock.now();
    this.pending.add(uri);
    this.firstPending ??= now;
    let delay: number;
    if (this.options.fixedDelay !== undefined) delay = this.options.fixedDelay;
    else {
      const interval = Math.min(this.maxInterval, Math.round(2 * (this.target.cost(uri) ?? 0)));
      const quiet = this.timer === undefined && !this.running && now - this.lastPassEnd >= interval;
      delay = quiet ? 0 : interval;
    }
    delay = Math.max(0, Math.min(delay, this.firstPending + this.maxWait - now));
    this.arm(delay);
  }

  /** Documents to check without waiting (opened, settings or files on disk changed, context moved). */
  now(uris: Iterable<string>): void {
    if (this.disposed) return;
    let any = false;
    for (const u of uris) {
      this.pending.add(u);
      any = true;
    }
    if (!any) return;
    this.firstPending ??= this.clock.now();
    // a pass already running picks them up when it ends; a timer armed for edits stays armed
    if (!this.running && this.timer === undefined) this.arm(0);
  }

  /** Resolves when nothing is pending and no pass runs (tests). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
    this.settle();
  }

  private isIdle(): boolean {
    return this.disposed || (this.pending.size === 0 && !this.running && this.timer === undefined);
  }

  private arm(delay: number): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.pass();
    }, delay);
  }

  private async pass(): Promise<void> {
    if (this.running || this.disposed) return; // the running pass re-arms when it ends
    this.running = true;
    this.passes++;
    try {
      while (this.pending.size && !this.disposed) {
        const gen = this.generation;
        const changed = [...this.pending];
        this.pending.clear();
        this.firstPending = undefined;
        const list = this.target.affected(changed);
        const done = new Set<string>();
        let stopped = false;
        for (let i = 0; i < list.length; i++) {
          // a macrotask per document: requests already received are answered first
          await this.clock.yield();
          if (this.disposed) return;
          if (this.generation !== gen) {
            // newer edits: what is left is checked with them, after their debounce
            for (const u of list.slice(i)) if (!done.has(u)) this.pending.add(u);
            this.firstPending ??= this.clock.now();
            stopped = true;
            break;
          }
          const uri = list[i];
          if (done.has(uri)) continue;
          done.add(uri);
          this.checks++;
          try {
            await this.target.check(uri);
          } catch (e) {
            this.target.failed(uri, e);
          }
        }
        if (stopped && this.timer !== undefined) break; // the newer edits' timer runs the next pass
      }
    } finally {
      this.running = false;
      this.lastPassEnd = this.clock.now();
      if (this.pending.size && this.timer === undefined && !this.disposed) this.arm(0);
      this.settle();
    }
  }

  private settle(): void {
    if (!this.isIdle()) return;
    for (const r of this.idleWaiters.splice(0)) r();
  }
}
