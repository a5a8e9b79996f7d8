// Reading typed values out of the generic atoms the parser produces.

import type { Atom, Range } from './syntax/ast';

export type Result<T> = { ok: true; value: T } | { ok: false; message: string; range: Range };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T>(message: string, range: Range): Result<T> => ({ ok: false, message, range });

export function groupsRange(groups: Atom[][], fallback: Range): Range {
  const first = groups[0]?.[0];
  const lastGroup = groups[groups.length - 1];
  const last = lastGroup?.[lastGroup.length - 1];
  return first && last ? { start: first.range.start, end: last.range.end } : fallback;
}

export function describeAtom(a: Atom): string {
  switch (a.kind) {
    case 'number':
    case 'pci':
    case 'busrange':
    case 'range':
    case 'version':
    case 'bad':
      return a.text;
    case 'name':
      return a.quoted ? `"${a.value}"` : a.value;
    case 'punct':
      return a.value;
  }
}

/** Exactly one atom. */
export function single(groups: Atom[][], what: string, where: Range): Result<Atom> {
  if (groups.length === 0 || groups[0].length === 0) return fail(`expected ${what}`, where);
  if (groups.length > 1 || groups[0].length > 1) {
    const extra = groups.length > 1 ? groups[1][0] : groups[0][1];
    return fail(`expected a single value (${what}), found more: '${describeAtom(extra)}'`, extra.range);
  }
  return ok(groups[0][0]);
}

export function number(
  groups: Atom[][],
  what: string,
  where: Range,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): Result<number> {
  const a = single(groups, what, where);
  if (!a.ok) return a;
  return numberAtom(a.value, what, min, max);
}

export function numberAtom(a: Atom, what: string, min = 0, max = Number.MAX_SAFE_INTEGER): Result<number> {
  if (a.kind !== 'number') return fail(`expected ${what}, found '${describeAtom(a)}'`, a.range);
  if (a.value < min || a.value > max)
    return fail(`${what} must be between ${min} and ${max}; ${a.text} is out of range`, a.range);
  return ok(a.value);
}

export function nameValue(
  groups: Atom[][],
  what: string,
  where: Range,
): Result<{ value: string; range: Range }> {
  const a = single(groups, what, where);
  if (!a.ok) return a;
  if (a.value.kind !== 'name')
    return fail(`expected ${what}, found '${describeAtom(a.value)}'`, a.value.range);
  return ok({ value: a.value.value, range: a.value.range });
}

export function oneOf<T extends string>(
  groups: Atom[][],
  allowed: readonly T[],
  what: string,
  where: Range,
): Result<T> {
  const n = nameValue(groups, `${what} (${allowed.join(', ')})`, where);
  if (!n.ok) return n;
  if (!(allowed as readonly string[]).includes(n.value.value))
    return fail(
      `'${n.value.value}' is not a valid ${what}: expected one of ${allowed.join(', ')}`,
      n.value.range,
    );
  return ok(n.value.value as T);
}

/**
 * A list of numbers and ranges, `0-3,8,10-11` (commas) or `0-3 8` (spaces), expanded and sorted.
 * `max` bounds every value, so a typo like `0-4294967295` cannot make the expansion blow up.
 */
export function numberList(atoms: Atom[][], what: string, where: Range, max: number): Result<number[]> {
  // the common case, one number or one range, without the set and the sort
  if (atoms.length === 1 && atoms[0].length === 1) {
    const a = atoms[0][0];
    if (a.kind === 'number' && a.value <= max) return ok([a.value]);
    if (a.kind === 'range' && a.first <= a.last && a.last <= max) {
      const out: number[] = new Array<number>(a.last - a.first + 1);
      for (let v = a.first; v <= a.last; v++) out[v - a.first] = v;
      return ok(out);
    }
  }
  const out = new Set<number>();
  let any = false;
  for (const group of atoms) {
    for (const a of group) {
      any = true;
      if (a.kind === 'number') {
        if (a.value > max) return fail(`${what}: ${a.text} is above the limit ${max}`, a.range);
        out.add(a.value);
      } else if (a.kind === 'range') {
        if (a.first > a.last) return fail(`${what}: the range ${a.text} runs backwards`, a.range);
        if (a.last > max) return fail(`${what}: ${a.text} goes above the limit ${max}`, a.range);
        for (let v = a.first; v <= a.last; v++) out.add(v);
      } else {
        return fail(`${what}: expected numbers and ranges (e.g. 0-3,8), found '${describeAtom(a)}'`, a.range);
      }
    }
  }
  if (!any) return fail(`expected ${what} (e.g. 0-3,8)`, where);
  return ok([...out].sort((x, y) => x - y));
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
