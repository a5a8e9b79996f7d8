// Offsets <-> LSP positions (0-based line, UTF-16 character). The core stores UTF-16 offsets only;
// a line index made by the scanner turns them into positions where a result leaves the core.
// CR, LF and CRLF each end a line, as LSP clients count them.

import type { Position, Range } from './ast';

export class LineIndex {
  /**
   * @param starts the offset of each line's first character, ascending (line 0 first)
   * @param length the length of the text
   */
  constructor(
    readonly starts: Int32Array,
    readonly length: number,
  ) {}

  get lineCount(): number {
    return this.starts.length;
  }

  /** The line holding an offset (the last line whose start is at or before it). */
  lineOf(offset: number): number {
    const s = this.starts;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  position(offset: number): Position {
    const o = offset < 0 ? 0 : offset > this.length ? this.length : offset;
    const line = this.lineOf(o);
    return { line, character: Math.max(0, o - this.starts[line]) };
  }

  range(start: number, end: number): Range {
    const s = this.position(start);
    if (end === start) return { start: s, end: s };
    return { start: s, end: this.position(end) };
  }

  /**
   * The offset of a position. A line past the end means the end of the text; a character past its
   * line's end means the end of that line (before its line break), as LSP asks.
   */
  offset(p: Position, text?: string): number {
    if (p.line < 0) return 0;
    if (p.line >= this.starts.length) return this.length;
    const start = this.starts[p.line];
    let lineEnd = p.line + 1 < this.starts.length ? this.starts[p.line + 1] : this.length;
    if (text !== undefined && lineEnd > start) {
      // step back over the line break (LF, CR or CRLF)
      const c = text.charCodeAt(lineEnd - 1);
      if (c === 10) {
        lineEnd--;
        if (lineEnd > start && text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
      } else if (c === 13) lineEnd--;
    }
    const ch = p.character < 0 ? 0 : p.character;
    return Math.min(start + ch, lineEnd);
  }
}

/** Line starts of a text, where LF, CR and CRLF end lines (a leading byte-order mark is skipped). */
export function lineStartsOf(text: string): Int32Array {
  let n = 1;
  const len = text.length;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) n++;
    else if (c === 13) {
      n++;
      if (text.charCodeAt(i + 1) === 10) i++;
    }
  }
  const out = new Int32Array(n);
  // a leading BOM is a character of line 0, as LSP clients count it (the scanner skips it as trivia)
  out[0] = 0;
  let k = 1;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) out[k++] = i + 1;
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      out[k++] = i + 1;
    }
  }
  return out;
}
