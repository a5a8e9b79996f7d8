// Incremental reparsing: an edit reparses from the statement it touches to the next old statement
// boundary the new text lands on, and the tables are spliced (the prefix kept, the suffix moved by
// the edit). Then the edit is classified: whitespace and comments only ("trivia"), interrupt-level
// statements only ("uses"), or declarations.

import { lineStartsOf } from './lines';
import { parseRegion, parseTree } from './parser';
import { MAX_STATEMENTS, MAX_SYNTAX_ERRORS, St, SyntaxTree } from './tree';

export interface TextChange {
  /** offsets in the text before this change */
  start: number;
  end: number;
  text: string;
}

export type EditKind = 'none' | 'trivia' | 'uses' | 'declarations' | 'full';

export interface Spliced {
  tree: SyntaxTree;
  kind: EditKind;
  /** the edited span in the old text, and how much longer the new text is */
  start: number;
  end: number;
  delta: number;
}

/** Applies one change to a tree: a spliced tree when the change can be reparsed locally. */
export function splice(old: SyntaxTree, change: TextChange): Spliced {
  const oldText = old.text;
  const s = Math.max(0, Math.min(change.start, oldText.length));
  const e = Math.max(s, Math.min(change.end, oldText.length));
  const text = oldText.slice(0, s) + change.text + oldText.slice(e);
  const delta = change.text.length - (e - s);
  const full = (): Spliced => ({ tree: parseTree(text, old.names), kind: 'full', start: s, end: e, delta });
  // a tree with nothing to keep is parsed whole; so is one at a budget (the budgets count the whole file)
  if (old.sCount === 0 || old.truncated || old.errorsDropped > 0) return full();
  // the first statement to reparse: the one holding the change's start (or the one before it),
  // and earlier ones whose block recovery closed at the next statement
  let i0 = old.firstEndingAtOrAfter(s);
  if (i0 >= old.sCount || old.sStart[i0] > s) i0--;
  while (i0 > 0 && old.sBOpen[i0 - 1] >= 0 && old.sBClose[i0 - 1] < 0) i0--;
  const from = i0 < 0 ? 0 : old.sStart[i0];
  // candidate boundaries: later statements that start after the change, moved by it
  let j0 = i0 < 0 ? 0 : i0;
  while (j0 < old.sCount && old.sStart[j0] <= e) j0++;
  const stops = new Int32Array(old.sCount - j0);
  for (let j = j0; j < old.sCount; j++) stops[j - j0] = old.sStart[j] + delta;
  const lines = lineStartsOf(text);
  const region = parseRegion(text, old.names, from, stops, Math.min(text.length, e - from + 4096), lines);
  const j = region.stop < 0 ? old.sCount : j0 + region.stop;
  const iFirst = Math.max(0, i0);
  const reg = region.tree;
  if (
    reg.truncated ||
    reg.errorsDropped > 0 ||
    old.sCount - (j - iFirst) + reg.sCount >= MAX_STATEMENTS ||
    old.errors.length + reg.errors.length >= MAX_SYNTAX_ERRORS
  )
    return full();
  const to = region.stop < 0 ? text.length : old.sStart[j] + delta;
  const kind = classify(old, region.tree, iFirst, j); // before join: it moves the region's row indices
  const tree = join(old, region.tree, iFirst, j, text, delta, from, to, lines);
  return { tree, kind, start: s, end: e, delta };
}

/** Applies changes in order (each relative to the text after the previous ones). */
export function spliceAll(old: SyntaxTree, changes: readonly TextChange[]): Spliced {
  let cur: Spliced = { tree: old, kind: 'none', start: 0, end: 0, delta: 0 };
  const kinds: EditKind[] = [];
  for (const c of changes) {
    cur = splice(cur.tree, c);
    kinds.push(cur.kind);
  }
  if (changes.length > 1) cur.kind = worst(kinds);
  return cur;
}

const ORDER: EditKind[] = ['none', 'trivia', 'uses', 'declarations', 'full'];
function worst(kinds: EditKind[]): EditKind {
  let w = 0;
  for (const k of kinds) w = Math.max(w, ORDER.indexOf(k));
  return ORDER[w];
}

/**
 * The new tree: old statements [0, i) and their rows, the region's rows, then old statements
 * [j, n) moved by `delta` (offsets) and by the row counts that changed (atom and property indices).
 */
function join(
  old: SyntaxTree,
  reg: SyntaxTree,
  i: number,
  j: number,
  text: string,
  delta: number,
  from: number,
  to: number,
  lines: Int32Array,
): SyntaxTree {
  const t = new SyntaxTree(text, old.names, 0);
  // rows of the prefix: statements [0, i) own props [0, pCut) and atoms [0, aCut)
  const pCut = i < old.sCount ? old.sProps[i] : old.pCount;
  const aCut = i < old.sCount ? firstAtomOf(old, i) : old.aCount;
  // rows of the suffix: from statement j
  const pFrom = j < old.sCount ? old.sProps[j] : old.pCount;
  const aFrom = j < old.sCount ? firstAtomOf(old, j) : old.aCount;
  const sN = i + reg.sCount + (old.sCount - j);
  const pN = pCut + reg.pCount + (old.pCount - pFrom);
  const aN = aCut + reg.aCount + (old.aCount - aFrom);
  const pShift = pCut + reg.pCount - pFrom;
  const aShift = aCut + reg.aCount - aFrom;
  // a column of each table: the old rows before the cut, the region's rows, the old rows from `fromRow` (moved)
  type Col = Int32Array<ArrayBuffer> | Uint8Array<ArrayBuffer> | Uint16Array<ArrayBuffer>;
  const column =
    (n: number, cut: number, regRows: number, fromRow: number, oldRows: number) =>
    <X extends Col>(mk: (n: number) => X, o: X, r: X, move?: (v: number) => number): X => {
      const out = mk(n);
      out.set(o.subarray(0, cut), 0);
      out.set(r.subarray(0, regRows), cut);
      const tail = o.subarray(fromRow, oldRows);
      if (!move) out.set(tail, cut + regRows);
      else for (let k = 0; k < tail.length; k++) out[cut + regRows + k] = move(tail[k]);
      return out;
    };
  const S = column(sN, i, reg.sCount, j, old.sCount);
  const i32 = (n: number) => new Int32Array(n);
  const u8 = (n: number) => new Uint8Array(n);
  const off = (v: number) => (v < 0 ? v : v + delta);
  const atom = (v: number) => (v < 0 ? v : v + aShift);
  // region rows index the region's own props and atoms: move them behind the prefix's
  const regAtoms = (v: number) => (v < 0 ? v : v + aCut);
  shiftRegion(reg, aCut, pCut, regAtoms);
  t.sKind = S(u8, old.sKind, reg.sKind);
  t.sKw = S(u8, old.sKw, reg.sKw);
  t.sStart = S(i32, old.sStart, reg.sStart, off);
  t.sEnd = S(i32, old.sEnd, reg.sEnd, off);
  t.sA = S(i32, old.sA, reg.sA, atom);
  t.sB = S(i32, old.sB, reg.sB, atom);
  t.sC = S(i32, old.sC, reg.sC, atom);
  t.sD = S(i32, old.sD, reg.sD, atom);
  t.sArgs = S(i32, old.sArgs, reg.sArgs, (v) => v + aShift);
  t.sNArgs = S(i32, old.sNArgs, reg.sNArgs);
  t.sProps = S(i32, old.sProps, reg.sProps, (v) => v + pShift);
  t.sNProps = S(i32, old.sNProps, reg.sNProps);
  t.sBOpen = S(i32, old.sBOpen, reg.sBOpen, off);
  t.sBClose = S(i32, old.sBClose, reg.sBClose, off);
  t.sCount = sN;
  // properties
  const P = column(pN, pCut, reg.pCount, pFrom, old.pCount);
  t.pName = P(i32, old.pName, reg.pName);
  t.pStart = P(i32, old.pStart, reg.pStart, off);
  t.pAtoms = P(i32, old.pAtoms, reg.pAtoms, (v) => v + aShift);
  t.pNAtoms = P(i32, old.pNAtoms, reg.pNAtoms);
  t.pCount = pN;
  // atoms
  const A = column(aN, aCut, reg.aCount, aFrom, old.aCount);
  t.aKind = A(u8, old.aKind, reg.aKind);
  t.aStart = A(i32, old.aStart, reg.aStart, (v) => v + delta);
  t.aLen = A((n) => new Uint16Array(n), old.aLen, reg.aLen);
  t.aV1 = A(i32, old.aV1, reg.aV1);
  t.aV2 = A(i32, old.aV2, reg.aV2);
  t.aCount = aN;
  t.copyBig(old, 0, aCut, 0);
  t.copyBig(reg, 0, reg.aCount, aCut);
  t.copyBig(old, aFrom, old.aCount, aCut + reg.aCount - aFrom);
  // comments and errors: before the region, in it, after it (moved)
  for (let c = 0; c < old.cCount && old.cStart[c] < from; c++) t.addComment(old.cStart[c], old.cEnd[c]);
  for (let c = 0; c < reg.cCount; c++) if (reg.cStart[c] < to) t.addComment(reg.cStart[c], reg.cEnd[c]);
  const oldTo = to - delta;
  for (let c = 0; c < old.cCount; c++)
    if (old.cStart[c] >= oldTo) t.addComment(old.cStart[c] + delta, old.cEnd[c] + delta);
  for (const er of old.errors) if (er.start < from) t.errors.push(er);
  // (a region that ran to the end of the text keeps an error at the very end: "found the end of the file")
  for (const er of reg.errors) if (er.start < to || to === text.length) t.errors.push(er);
  t.finishSpliced(lines);
  // the old errors after the region, moved; none when the region ran to the end of the text: the
  // old text's errors at its very end ("found the end of the file") are the region's now
  for (const er of old.errors)
    if (er.start >= oldTo && to < text.length) {
      const start = er.start + delta;
      // the one message that names its own place: say the place anew (lines may have moved)
      const message = er.message.startsWith(UNCLOSED) ? unclosed(t, start) : er.message;
      t.errors.push({ message, start, end: er.end + delta });
    }
  return t;
}

const UNCLOSED = "missing '}' to close the block opened at line";
function unclosed(t: SyntaxTree, at: number): string {
  const p = t.lines.position(at);
  return `${UNCLOSED} ${p.line + 1}, column ${p.character + 1}`;
}

/** The region tree's own row indices become indices behind the prefix's rows. */
function shiftRegion(reg: SyntaxTree, aCut: number, pCut: number, atom: (v: number) => number): void {
  for (let k = 0; k < reg.sCount; k++) {
    reg.sA[k] = atom(reg.sA[k]);
    reg.sB[k] = atom(reg.sB[k]);
    reg.sC[k] = atom(reg.sC[k]);
    reg.sD[k] = atom(reg.sD[k]);
    reg.sArgs[k] += aCut;
    reg.sProps[k] += pCut;
  }
  for (let p = 0; p < reg.pCount; p++) reg.pAtoms[p] += aCut;
}

/** The first atom row a statement owns (statements own contiguous atoms from where they start). */
function firstAtomOf(t: SyntaxTree, s: number): number {
  let a = t.sArgs[s];
  for (const x of [t.sA[s], t.sB[s], t.sC[s], t.sD[s]]) if (x >= 0 && x < a) a = x;
  if (t.sNProps[s] > 0) a = Math.min(a, t.pAtoms[t.sProps[s]]);
  // a statement whose header atoms came before its record (domain, device): sA is the lowest
  return a;
}

/** How much the reparsed statements differ from those they replace (offsets aside). */
function classify(old: SyntaxTree, reg: SyntaxTree, i: number, j: number): EditKind {
  const n = j - i;
  let decl = false;
  const isUse = (k: number) => k === St.Irq || k === St.Expect || k === St.Inject || k === St.Release;
  for (let k = i; k < j; k++) if (!isUse(old.sKind[k])) decl = true;
  for (let k = 0; k < reg.sCount; k++) if (!isUse(reg.sKind[k])) decl = true;
  const errorsSame = sameErrors(old, reg, i, j);
  if (n === reg.sCount && errorsSame) {
    let same = true;
    for (let k = 0; k < n && same; k++) same = sameStatement(old, i + k, reg, k);
    if (same) return 'trivia';
  }
  return decl || !errorsSame ? 'declarations' : 'uses';
}

function sameErrors(old: SyntaxTree, reg: SyntaxTree, i: number, j: number): boolean {
  const lo = i < old.sCount ? old.sStart[i] : old.text.length;
  const hi = j < old.sCount ? old.sStart[j] : old.text.length + 1;
  const a = old.errors.filter((e) => e.start >= lo && e.start < hi).map((e) => e.message);
  const b = reg.errors.map((e) => e.message);
  return a.length === b.length && a.every((m, k) => m === b[k]);
}

function sameStatement(a: SyntaxTree, s: number, b: SyntaxTree, t: number): boolean {
  if (a.sKind[s] !== b.sKind[t] || a.sKw[s] !== b.sKw[t]) return false;
  if (a.sBOpen[s] < 0 !== b.sBOpen[t] < 0 || a.sBClose[s] < 0 !== b.sBClose[t] < 0) return false;
  for (const [x, y] of [
    [a.sA[s], b.sA[t]],
    [a.sB[s], b.sB[t]],
    [a.sC[s], b.sC[t]],
    [a.sD[s], b.sD[t]],
  ])
    if (x < 0 !== y < 0 || (x >= 0 && !sameAtom(a, x, b, y))) return false;
  if (a.sNArgs[s] !== b.sNArgs[t] || a.sNProps[s] !== b.sNProps[t]) return false;
  for (let k = 0; k < a.sNArgs[s]; k++) if (!sameAtom(a, a.sArgs[s] + k, b, b.sArgs[t] + k)) return false;
  for (let k = 0; k < a.sNProps[s]; k++) {
    const p = a.sProps[s] + k;
    const q = b.sProps[t] + k;
    if (a.pName[p] !== b.pName[q] || a.pNAtoms[p] !== b.pNAtoms[q]) return false;
    for (let x = 0; x < a.pNAtoms[p]; x++)
      if (!sameAtom(a, a.pAtoms[p] + x, b, b.pAtoms[q] + x)) return false;
  }
  return true;
}

function sameAtom(a: SyntaxTree, x: number, b: SyntaxTree, y: number): boolean {
  return (
    a.aKind[x] === b.aKind[y] &&
    a.aLen[x] === b.aLen[y] &&
    a.v1(x) === b.v1(y) &&
    a.v2(x) === b.v2(y) &&
    a.text.slice(a.aStart[x], a.aEnd(x)) === b.text.slice(b.aStart[y], b.aEnd(y))
  );
}
