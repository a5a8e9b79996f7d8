// Names interned by span into dense integer ids, without a substring per token: a name's
// characters are hashed and compared in place, and a string is made once per distinct name.
// Every file of a topology shares the keywords' ids (0..KEYWORDS.length-1), so the parser and the
// binder compare integers instead of strings.

/** Words the parser and binder recognise; their ids are their index here, in every interner. */
export const KEYWORDS = [
  // statements
  'arch',
  'kernel',
  'cpus',
  'apic-ids',
  'include',
  'domain',
  'device',
  'irq',
  'expect',
  'inject',
  'possible-cpus',
  'node',
  'smt',
  'apic',
  'ext-dest-id',
  'offline',
  'release',
  // other words with a role in the grammar
  'from',
  'path',
  'adjacent',
  // properties, sources and clauses (fixed ids, so the binder compares integers)
  'parent',
  'vendor',
  'entries',
  'scope',
  'id',
  'slots',
  'pins',
  'base',
  'multi-msi',
  'no-multi-msi',
  'system-vectors',
  'in-use',
  'pci',
  'msix',
  'msi',
  'msi-domain',
  'ims',
  'ntb',
  'windows',
  'platform',
  'assign',
  'ioapic',
  'affinity',
  'managed',
  'cpu',
  'vector',
  'lpi',
  'masked',
  'counts',
  'irte',
  'inactive',
  'spread',
  'pin',
  'window',
  'virtual',
  'message',
] as const;

const KW_INDEX = new Map<string, number>(KEYWORDS.map((k, i) => [k, i]));

/** The fixed id of a keyword (every interner gives it this id). */
export function kwId(k: Keyword): number {
  return KW_INDEX.get(k)!;
}

export type Keyword = (typeof KEYWORDS)[number];

export const enum Kw {
  arch,
  kernel,
  cpus,
  apicIds,
  include,
  domain,
  device,
  irq,
  expect,
  inject,
  possibleCpus,
  node,
  smt,
  apic,
  extDestId,
  offline,
  release,
  from,
  path,
  adjacent,
}

export class Interner {
  /** id -> the name */
  readonly names: string[] = [];
  private table: Int32Array;
  private mask: number;
  /** a direct-mapped cache of recent names, keyed by length and end characters (most lookups hit it) */
  private readonly recent = new Int32Array(512).fill(-1);

  constructor() {
    this.table = new Int32Array(256).fill(-1);
    this.mask = 255;
    for (const k of KEYWORDS) this.internString(k);
  }

  get size(): number {
    return this.names.length;
  }

  /** The id of text[start, end). */
  intern(text: string, start: number, end: number): number {
    const len = end - start;
    if (len > 0) {
      const key = (len * 61 + text.charCodeAt(start) * 7 + text.charCodeAt(end - 1) * 3) & 511;
      const id = this.recent[key];
      if (id >= 0) {
        const s = this.names[id];
        if (s.length === len) {
          let i = 0;
          while (i < len && s.charCodeAt(i) === text.charCodeAt(start + i)) i++;
          if (i === len) return id;
        }
      }
      const found = this.lookup(text, start, end);
      this.recent[key] = found;
      return found;
    }
    return this.lookup(text, start, end);
  }

  private lookup(text: string, start: number, end: number): number {
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    const len = end - start;
    const table = this.table;
    const mask = this.mask;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const id = table[slot];
      if (id < 0) {
        table[slot] = this.names.length;
        this.names.push(text.slice(start, end));
        if (this.names.length * 2 > mask) this.grow();
        return this.names.length - 1;
      }
      const s = this.names[id];
      if (s.length !== len) continue;
      let same = true;
      for (let i = 0; i < len; i++)
        if (s.charCodeAt(i) !== text.charCodeAt(start + i)) {
          same = false;
          break;
        }
      if (same) return id;
    }
  }

  internString(s: string): number {
    return this.intern(s, 0, s.length);
  }

  /** The id of a name, or -1 when it was never interned (no new entry is made). */
  find(s: string): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const id = this.table[slot];
      if (id < 0) return -1;
      if (this.names[id] === s) return id;
    }
  }

  private grow(): void {
    const size = this.table.length * 2;
    this.table = new Int32Array(size).fill(-1);
    this.mask = size - 1;
    for (let id = 0; id < this.names.length; id++) {
      const s = this.names[id];
      let h = 0x811c9dc5;
      for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
      let slot = h & this.mask;
      while (this.table[slot] >= 0) slot = (slot + 1) & this.mask;
      this.table[slot] = id;
    }
  }
}
