// Reading typed values out of the atoms of a file's tables (a property's or a statement's values).
// Errors carry the offsets of the place to report and the message; nothing here allocates per atom
// on the success path of the common cases.

import { At, GROUP_START, type SyntaxTree } from './syntax/tree';

export type Result<T> = { ok: true; value: T } | { ok: false; message: string; start: number; end: number };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T>(message: string, start: number, end: number): Result<T> => ({
  ok: false,
  message,
  start,
  end,
});

/** A run of atoms: [first, first + n) of a tree, with the place to report when it is empty. */
export interface Values {
  t: SyntaxTree;
  first: number;
  n: number;
  /** where to report a missing value (the property or statement keyword) */
  at: number;
  atEnd: number;
}

export function valuesOf(t: SyntaxTree, first: number, n: number, at: number, atEnd: number): Values {
  return { t, first, n, at, atEnd };
}

/** The span of the values, or the fallback place when there are none. */
export function valuesSpan(v: Values): { start: number; end: number } {
  if (v.n === 0) return { start: v.at, end: v.atEnd };
  return { start: v.t.aStart[v.first], end: v.t.aEnd(v.first + v.n - 1) };
}

export function describeAtom(t: SyntaxTree, a: number): string {
  switch (t.atomKind(a)) {
    case At.Name:
      return t.nameOf(a);
    case At.QName:
      return `"${t.nameOf(a)}"`;
    case At.Punct:
      return t.v1(a) === 58 ? ':' : '>';
    default:
      return t.text.slice(t.aStart[a], t.aEnd(a));
  }
}

/** Exactly one atom: its index. */
export function single(v: Values, what: string): Result<number> {
  if (v.n === 0) return fail(`expected ${what}`, v.at, v.atEnd);
  if (v.n > 1) {
    // the second atom: the first of the second group, or the second of the first group
    const t = v.t;
    let extra = v.first + 1;
    for (let a = v.first + 1; a < v.first + v.n; a++)
      if (t.aKind[a] & GROUP_START) {
        extra = a;
        break;
      }
    return fail(
      `expected a single value (${what}), found more: '${describeAtom(t, extra)}'`,
      t.aStart[extra],
      t.aEnd(extra),
    );
  }
  return ok(v.first);
}

export function number(v: Values, what: string, min = 0, max = Number.MAX_SAFE_INTEGER): Result<number> {
  const a = single(v, what);
  if (!a.ok) return a;
  return numberAtom(v.t, a.value, what, min, max);
}

export function numberAtom(
  t: SyntaxTree,
  a: number,
  what: string,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): Result<number> {
  if (t.atomKind(a) !== At.Number)
    return fail(`expected ${what}, found '${describeAtom(t, a)}'`, t.aStart[a], t.aEnd(a));
  const value = t.v1(a);
  if (value < min || value > max)
    return fail(
      `${what} must be between ${min} and ${max}; ${t.text.slice(t.aStart[a], t.aEnd(a))} is out of range`,
      t.aStart[a],
      t.aEnd(a),
    );
  return ok(value);
}

/** A single name value: the atom's index. */
export function nameValue(v: Values, what: string): Result<number> {
  const a = single(v, what);
  if (!a.ok) return a;
  if (!v.t.isName(a.value))
    return fail(
      `expected ${what}, found '${describeAtom(v.t, a.value)}'`,
      v.t.aStart[a.value],
      v.t.aEnd(a.value),
    );
  return a;
}

export function oneOf<T extends string>(v: Values, allowed: readonly T[], what: string): Result<T> {
  const n = nameValue(v, `${what} (${allowed.join(', ')})`);
  if (!n.ok) return n;
  const s = v.t.nameOf(n.value);
  if (!(allowed as readonly string[]).includes(s))
    return fail(
      `'${s}' is not a valid ${what}: expected one of ${allowed.join(', ')}`,
      v.t.aStart[n.value],
      v.t.aEnd(n.value),
    );
  return ok(s as T);
}

/**
 * A list of numbers and ranges, `0-3,8,10-11` (commas) or `0-3 8` (spaces), expanded and sorted.
 * `max` bounds every value, so a typo like `0-4294967295` cannot make the expansion blow up.
 */
export function numberList(v: Values, what: string, max: number): Result<number[]> {
  const t = v.t;
  // the common case, one number or one range, without the set and the sort
  if (v.n === 1) {
    const a = v.first;
    const k = t.atomKind(a);
    if (k === At.Number && t.v1(a) <= max) return ok([t.v1(a)]);
    if (k === At.Range) {
      const first = t.v1(a);
      const last = t.v2(a);
      if (first <= last && last <= max) {
        const out: number[] = new Array<number>(last - first + 1);
        for (let x = first; x <= last; x++) out[x - first] = x;
        return ok(out);
      }
    }
  }
  if (v.n === 0) return fail(`expected ${what} (e.g. 0-3,8)`, v.at, v.atEnd);
  const seen = new Uint8Array(max + 1);
  let count = 0;
  for (let a = v.first; a < v.first + v.n; a++) {
    const k = t.atomKind(a);
    const text = () => t.text.slice(t.aStart[a], t.aEnd(a));
    let lo: number;
    let hi: number;
    if (k === At.Number) {
      lo = hi = t.v1(a);
      if (lo > max) return fail(`${what}: ${text()} is above the limit ${max}`, t.aStart[a], t.aEnd(a));
    } else if (k === At.Range) {
      lo = t.v1(a);
      hi = t.v2(a);
      if (lo > hi) return fail(`${what}: the range ${text()} runs backwards`, t.aStart[a], t.aEnd(a));
      if (hi > max) return fail(`${what}: ${text()} goes above the limit ${max}`, t.aStart[a], t.aEnd(a));
    } else {
      return fail(
        `${what}: expected numbers and ranges (e.g. 0-3,8), found '${describeAtom(t, a)}'`,
        t.aStart[a],
        t.aEnd(a),
      );
    }
    for (let x = lo; x <= hi; x++)
      if (!seen[x]) {
        seen[x] = 1;
        count++;
      }
  }
  const out: number[] = new Array<number>(count);
  let i = 0;
  for (let x = 0; x <= max && i < count; x++) if (seen[x]) out[i++] = x;
  return ok(out);
}

export function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

export function hex(n: number, width = 0): string {
  return '0x' + n.toString(16).padStart(width, '0');
}

/** `0000:01:00.0`, the kernel's pci_name() form. */
export function bdf(p: { segment: number; bus: number; dev: number; fn: number }): string {
  const h = (n: number, w: number) => n.toString(16).padStart(w, '0');
  return `${h(p.segment, 4)}:${h(p.bus, 2)}:${h(p.dev, 2)}.${p.fn}`;
}

/** Compresses a sorted list to `0-3,8`, as the kernel's %*pbl prints a bitmap. */
export function formatList(values: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < values.length;) {
    let j = i;
    while (j + 1 < values.length && values[j + 1] === values[j] + 1) j++;
    parts.push(i === j ? `${values[i]}` : `${values[i]}-${values[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
