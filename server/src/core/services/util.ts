// Small pure helpers shared by the language services: positions, ranges, names, lookups.

import type { Analysis } from '../index';
import type { Model } from '../model';
import type { Simulation } from '../simulate/types';
import type { Position, Range, Statement } from '../syntax/ast';
import type { SyntaxFile } from '../syntax/view';

/** An analysis, with the simulation when the core computed one. */
export type AnalysisLike = Analysis & { simulation?: Simulation };

export interface TextEdit {
  range: Range;
  newText: string;
}

/** Edits per file URI. */
export type WorkspaceEdit = Record<string, TextEdit[]>;

export interface Location {
  uri: string;
  range: Range;
}

export function cmp(a: Position, b: Position): number {
  return a.line - b.line || a.character - b.character;
}

export function contains(r: Range, p: Position): boolean {
  return cmp(r.start, p) <= 0 && cmp(p, r.end) <= 0;
}

export function containsRange(outer: Range, inner: Range): boolean {
  return cmp(outer.start, inner.start) <= 0 && cmp(inner.end, outer.end) <= 0;
}

export function sameRange(a: Range, b: Range): boolean {
  return cmp(a.start, b.start) === 0 && cmp(a.end, b.end) === 0;
}

/** A rough size for choosing the innermost of several ranges around a position. */
export function extent(r: Range): number {
  return (r.end.line - r.start.line) * 100000 + (r.end.character - r.start.character);
}

export function pos(line: number, character: number): Position {
  return { line, character };
}

const BARE = /^[A-Za-z_][A-Za-z0-9_./+-]*$/;

export function isBareName(s: string): boolean {
  return BARE.test(s);
}

/** A name as it must be written: bare when it can be, quoted (with escapes) otherwise. */
export function writeName(s: string): string {
  return isBareName(s) ? s : `"${s.replace(/["\\]/g, (c) => '\\' + c)}"`;
}

export function fileOf(model: Model, uri: string): SyntaxFile | undefined {
  return model.fileByUri.get(uri) ?? model.files.find((f) => f.uri === uri);
}

/** The statement (as an object) whose range holds the position. */
export function statementAt(file: SyntaxFile, p: Position): Statement | undefined {
  return file.statementAt(p);
}

/** Line starts of a text (LF, CR and CRLF end lines, as LSP counts), for offset <-> position conversions. */
export function lineStarts(text: string): number[] {
  const out = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) out.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      out.push(i + 1);
    }
  }
  return out;
}

export function offsetAt(starts: readonly number[], text: string, p: Position): number {
  if (p.line < 0) return 0;
  if (p.line >= starts.length) return text.length;
  // a character beyond the line's end means the end of the line (before its line break)
  let lineEnd = p.line + 1 < starts.length ? starts[p.line + 1] : text.length;
  if (lineEnd > starts[p.line] && text.charCodeAt(lineEnd - 1) === 10) lineEnd--;
  if (lineEnd > starts[p.line] && text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
  return Math.min(starts[p.line] + Math.max(0, p.character), lineEnd);
}

export function sliceRange(text: string, starts: readonly number[], r: Range): string {
  return text.slice(offsetAt(starts, text, r.start), offsetAt(starts, text, r.end));
}

/** Applies non-overlapping edits to a text (used by tests and by fix-all previews). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const starts = lineStarts(text);
  const sorted = edits
    .map((e) => ({
      s: offsetAt(starts, text, e.range.start),
      e: offsetAt(starts, text, e.range.end),
      t: e.newText,
    }))
    .sort((a, b) => b.s - a.s || b.e - a.e)
    .reverse();
  // in one pass, text order (slicing the text anew per edit would be quadratic: 50,000 rename edits)
  const out: string[] = [];
  let at = 0;
  for (const e of sorted) {
    out.push(text.slice(at, Math.max(at, e.s)), e.t);
    at = Math.max(at, e.e);
  }
  out.push(text.slice(at));
  return out.join('');
}

export function hex(n: number): string {
  return '0x' + n.toString(16);
}
