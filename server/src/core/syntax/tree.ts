// The syntax tree of one file as tables (struct of arrays): statements, properties and atoms are
// rows of typed arrays holding UTF-16 offsets and decoded values. No object per node: the
// accessors in ./view.ts make objects only for what a service asks.

import { LineIndex } from './lines';
import type { Interner } from './names';
import { grow16, grow32, grow8 } from './columns';

/** Statement kinds. */
export const enum St {
  /** `arch`, `kernel`, `cpus`, `apic-ids`, `possible-cpus`, `smt`, `apic`, `ext-dest-id`, `offline`: keyword + values */
  Setting,
  Include,
  Domain,
  Device,
  Irq,
  Expect,
  Inject,
  /** `node N cpus LIST` */
  Node,
  /** `release DEVICE` */
  Release,
}

/** Atom kinds (the low 7 bits of the kind byte). */
export const enum At {
  /** bare name: v1 = name id */
  Name,
  /** quoted name: v1 = name id of the unescaped value */
  QName,
  /** v1 = value */
  Number,
  /** `A-B` or `A..B`: v1 = first, v2 = last */
  Range,
  /** `6.8`: v1 = major, v2 = minor */
  Version,
  /** `SSSS:BB:DD.F`: v1 = segment << 16 | bus << 8 | dev << 3 | fn */
  Pci,
  /** `SSSS:BB-BB`: v1 = segment, v2 = first << 8 | last */
  BusRange,
  /** `:` or `>`: v1 = the character code */
  Punct,
  /** a token the value grammar does not know */
  Bad,
  /** `[3]` or `[0..7]` of an interrupt reference: v1 = first, v2 = last; the span covers the brackets */
  Index,
}

/** Set in an atom's kind byte when it starts a comma-separated group (every first atom of a list). */
export const GROUP_START = 0x80;

/**
 * Statements in one topology (all its files; the parser stops reading a file at this many). A
 * user's topology has up to about 100,000; a file of millions of tiny statements is refused from
 * the first statement beyond the budget, with an error there.
 */
export const MAX_STATEMENTS = 1 << 18;
/** Syntax errors kept per file; the rest are counted in one last error (a file of 2 million bad lines stays small). */
export const MAX_SYNTAX_ERRORS = 1000;

export interface SyntaxErrorRow {
  message: string;
  start: number;
  end: number;
}

const S_COLS = [
  'sStart',
  'sEnd',
  'sA',
  'sB',
  'sC',
  'sD',
  'sArgs',
  'sNArgs',
  'sProps',
  'sNProps',
  'sBOpen',
  'sBClose',
] as const;
const P_COLS = ['pName', 'pStart', 'pAtoms', 'pNAtoms'] as const;
/** In aV1/aV2/aLen: the value did not fit and lives in the tree's `big` map. */
const BIG = -2147483648;
const BIG_LEN = 0xffff;

/** A column cut to its length: a view when little is spare, else a copy (the spare memory is freed). */
function fit<A extends Int32Array<ArrayBuffer> | Uint8Array<ArrayBuffer> | Uint16Array<ArrayBuffer>>(
  a: A,
  n: number,
): A {
  return (n * 5 >= a.length * 4 ? a.subarray(0, n) : a.slice(0, n)) as A;
}

/**
 * Statement columns. The meaning of a/b/c/d depends on the kind (an atom index, -1 when absent):
 * - Setting: kw = the keyword's name id; values in [args, args + nargs)
 * - Include: a = the path atom
 * - Domain: a = name, b = kind
 * - Device: a = name
 * - Irq: a = device, b = interrupt name, c = index, d = source kind; source args in [args, args + nargs)
 * - Expect: a = device, b = interrupt name, c = index; clauses are properties
 * - Inject: a = address, b = data, c = the issuing device
 * - Node: a = the node id; values (the CPUs) in [args, args + nargs)
 * - Release: a = the device
 * Blocks: `{` at bopen, `}` at bclose (-1 when missing: recovery closed it); properties in [props, props + nprops).
 */
export class SyntaxTree {
  // statements
  sCount = 0;
  sKind = new Uint8Array(64);
  sKw = new Uint8Array(64);
  sStart = new Int32Array(64);
  sEnd = new Int32Array(64);
  sA = new Int32Array(64);
  sB = new Int32Array(64);
  sC = new Int32Array(64);
  sD = new Int32Array(64);
  sArgs = new Int32Array(64);
  sNArgs = new Int32Array(64);
  sProps = new Int32Array(64);
  sNProps = new Int32Array(64);
  sBOpen = new Int32Array(64);
  sBClose = new Int32Array(64);
  // properties (block properties, expect clauses): the name (a bare name) and its values
  pCount = 0;
  pName = new Int32Array(64);
  pStart = new Int32Array(64);
  pAtoms = new Int32Array(64);
  pNAtoms = new Int32Array(64);
  // atoms: 15 bytes each; a length, value or second value that does not fit 16/32 bits goes to `big`
  aCount = 0;
  aKind = new Uint8Array(256);
  aStart = new Int32Array(256);
  aLen = new Uint16Array(256);
  aV1 = new Int32Array(256);
  aV2 = new Int32Array(256);
  private readonly big = new Map<number, number>();
  // comments
  cCount = 0;
  cStart = new Int32Array(16);
  cEnd = new Int32Array(16);
  readonly errors: SyntaxErrorRow[] = [];
  /** syntax errors beyond MAX_SYNTAX_ERRORS, not kept (counted in the last row of `errors`) */
  errorsDropped = 0;
  /** where the first dropped error was */
  firstDropped = -1;
  /** the parser stopped at MAX_STATEMENTS: the rest of the text was not read */
  truncated = false;
  lines: LineIndex;

  constructor(
    readonly text: string,
    readonly names: Interner,
    /** the length of text the tree will hold (default: all of it), to size its columns */
    sizeHint = text.length,
  ) {
    this.lines = new LineIndex(new Int32Array(1), text.length);
    // capacities from the text's size (typical files: an atom per 7 bytes, a statement or a
    // property per 40), so that large files do not grow their columns many times
    const len = sizeHint;
    this.reserve(Math.ceil(len / 36) + 16, Math.ceil(len / 36) + 16, Math.ceil(len / 6) + 64);
  }

  private reserve(s: number, p: number, a: number): void {
    this.sKind = grow8(this.sKind, s);
    this.sKw = grow8(this.sKw, s);
    for (const k of S_COLS) this[k] = grow32(this[k], s);
    for (const k of P_COLS) this[k] = grow32(this[k], p);
    this.aKind = grow8(this.aKind, a);
    this.aStart = grow32(this.aStart, a);
    this.aLen = grow16(this.aLen, a);
    this.aV1 = grow32(this.aV1, a);
    this.aV2 = grow32(this.aV2, a);
  }

  // ---- building (the parser) --------------------------------------------------------------------

  addStatement(kind: St, kw: number, start: number): number {
    const i = this.sCount++;
    if (i >= this.sKind.length) {
      this.sKind = grow8(this.sKind, i + 1);
      this.sKw = grow8(this.sKw, i + 1);
      for (const k of S_COLS) this[k] = grow32(this[k], i + 1);
    }
    this.sKind[i] = kind;
    this.sKw[i] = kw;
    this.sStart[i] = start;
    this.sEnd[i] = start;
    this.sA[i] = this.sB[i] = this.sC[i] = this.sD[i] = -1;
    this.sArgs[i] = this.aCount;
    this.sNArgs[i] = 0;
    this.sProps[i] = this.pCount;
    this.sNProps[i] = 0;
    this.sBOpen[i] = this.sBClose[i] = -1;
    return i;
  }

  /** Drops the statements from `i` on (a statement that turned out to be nothing). */
  truncateStatements(i: number): void {
    this.sCount = i;
  }

  addProp(name: number, start: number): number {
    const i = this.pCount++;
    if (i >= this.pName.length) for (const k of P_COLS) this[k] = grow32(this[k], i + 1);
    this.pName[i] = name;
    this.pStart[i] = start;
    this.pAtoms[i] = this.aCount;
    this.pNAtoms[i] = 0;
    return i;
  }

  addAtom(kind: number, start: number, end: number, v1: number, v2: number): number {
    const i = this.aCount++;
    if (i >= this.aKind.length) {
      const n = i + 1;
      this.aKind = grow8(this.aKind, n);
      this.aStart = grow32(this.aStart, n);
      this.aLen = grow16(this.aLen, n);
      this.aV1 = grow32(this.aV1, n);
      this.aV2 = grow32(this.aV2, n);
    }
    this.aKind[i] = kind;
    this.aStart[i] = start;
    const len = end - start;
    if (len < BIG_LEN) this.aLen[i] = len;
    else {
      this.aLen[i] = BIG_LEN;
      this.big.set(i * 3, len);
    }
    this.setV(i, 0, v1);
    this.setV(i, 1, v2);
    return i;
  }

  private setV(i: number, which: 0 | 1, v: number): void {
    const col = which === 0 ? this.aV1 : this.aV2;
    if (v === (v | 0) && v !== BIG) col[i] = v;
    else {
      col[i] = BIG;
      this.big.set(i * 3 + 1 + which, v);
    }
  }

  /** Rewrites an atom's values (the parser turns a number or range into an interrupt index). */
  setAtom(i: number, kind: number, start: number, end: number, v1: number, v2: number): void {
    this.aKind[i] = kind;
    this.aStart[i] = start;
    const len = end - start;
    this.aLen[i] = len < BIG_LEN ? len : BIG_LEN;
    if (len >= BIG_LEN) this.big.set(i * 3, len);
    this.setV(i, 0, v1);
    this.setV(i, 1, v2);
  }

  aEnd(a: number): number {
    const l = this.aLen[a];
    return this.aStart[a] + (l === BIG_LEN ? this.big.get(a * 3)! : l);
  }
  v1(a: number): number {
    const v = this.aV1[a];
    return v === BIG ? this.big.get(a * 3 + 1)! : v;
  }
  v2(a: number): number {
    const v = this.aV2[a];
    return v === BIG ? this.big.get(a * 3 + 2)! : v;
  }

  /** The end of a property's name (a bare name: its length is the interned name's). */
  pNameEnd(p: number): number {
    return this.pStart[p] + this.names.names[this.pName[p]].length;
  }
  /** The end of a property: its last value, else its name. */
  pEnd(p: number): number {
    const n = this.pNAtoms[p];
    return n > 0 ? this.aEnd(this.pAtoms[p] + n - 1) : this.pNameEnd(p);
  }

  addComment(start: number, end: number): void {
    const i = this.cCount++;
    if (i >= this.cStart.length) {
      this.cStart = grow32(this.cStart, i + 1);
      this.cEnd = grow32(this.cEnd, i + 1);
    }
    this.cStart[i] = start;
    this.cEnd[i] = end;
  }

  /** Trims every column to its length (arrays grown by doubling keep up to half spare). */
  finish(lineStarts: Int32Array): void {
    const s = this.sCount;
    const p = this.pCount;
    const a = this.aCount;
    this.sKind = fit(this.sKind, s);
    this.sKw = fit(this.sKw, s);
    for (const k of S_COLS) this[k] = fit(this[k], s);
    for (const k of P_COLS) this[k] = fit(this[k], p);
    this.aKind = fit(this.aKind, a);
    this.aStart = fit(this.aStart, a);
    this.aLen = fit(this.aLen, a);
    this.aV1 = fit(this.aV1, a);
    this.aV2 = fit(this.aV2, a);
    this.cStart = fit(this.cStart, this.cCount);
    this.cEnd = fit(this.cEnd, this.cCount);
    this.lines = new LineIndex(lineStarts, this.text.length);
  }

  /** Copies the out-of-range values of atoms [from, to) of another tree, moving their rows by `shift`. */
  copyBig(src: SyntaxTree, from: number, to: number, shift: number): void {
    for (const [key, v] of src.big) {
      const a = Math.floor(key / 3);
      if (a >= from && a < to) this.big.set((a + shift) * 3 + (key % 3), v);
    }
  }

  /** Sets the line index of a spliced tree (its columns are exact already). */
  finishSpliced(lineStarts: Int32Array): void {
    this.lines = new LineIndex(lineStarts, this.text.length);
  }

  // ---- reading ----------------------------------------------------------------------------------

  /** The name of a name atom (bare or quoted). */
  nameOf(atom: number): string {
    return this.names.names[this.aV1[atom]];
  }

  atomKind(atom: number): At {
    return this.aKind[atom] & 0x7f;
  }

  isName(atom: number): boolean {
    const k = this.aKind[atom] & 0x7f;
    return k === At.Name || k === At.QName;
  }

  /** The source text of a span. */
  slice(start: number, end: number): string {
    return this.text.slice(start, end);
  }

  /** The statement whose span holds an offset (binary search: statements are in text order), or -1. */
  statementAt(offset: number): number {
    let lo = 0;
    let hi = this.sCount - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.sEnd[mid] < offset) lo = mid + 1;
      else if (offset < this.sStart[mid]) hi = mid - 1;
      else return mid;
    }
    return -1;
  }

  /** The first statement that ends at or after an offset (sCount when none). */
  firstEndingAtOrAfter(offset: number): number {
    let lo = 0;
    let hi = this.sCount;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sEnd[mid] < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
