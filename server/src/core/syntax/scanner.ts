// The scanner (LANGUAGE.md section 1), as in the TypeScript compiler: no token objects. The current
// token lives in fields (kind, span, decoded value); numbers, versions and PCI addresses are decoded
// in place, without a regular expression or a substring; comments and line starts are recorded as
// they pass. It never throws: text it cannot read is reported and skipped. LF, CR and CRLF all end
// a line. The parser extends it.

import type { SyntaxTree } from './tree';

export const enum T {
  Name, // bare name: [A-Za-z_][A-Za-z0-9_./+-]*
  String, // "..."
  Word, // starts with a digit: numbers, versions, PCI addresses (decoded: see W)
  LBrace,
  RBrace,
  LBracket,
  RBracket,
  Colon,
  Semi,
  Comma,
  Gt,
  Dot,
  DotDot,
  Dash,
  Newline,
  Invalid,
  EOF,
}

/** What a Word decodes to. */
export const enum W {
  /** not a word */
  None,
  /** decimal or 0x hex: v1 */
  Number,
  /** `6.8` or `6.8.1`: v1 major, v2 minor */
  Version,
  /** `SSSS:BB:DD.F`: v1 = segment << 16 | bus << 8 | devfn */
  Pci,
  /** `SSSS:BB` (a bus range's start): v1 segment, v2 bus */
  BusPrefix,
  /** anything else that starts with a digit */
  Bad,
}

const enum C {
  Tab = 9,
  LF = 10,
  CR = 13,
  Space = 32,
  Quote = 34,
  Hash = 35,
  Plus = 43,
  Comma = 44,
  Dash = 45,
  Dot = 46,
  Slash = 47,
  D0 = 48,
  Colon = 58,
  Semi = 59,
  Gt = 62,
  LBracket = 91,
  Backslash = 92,
  RBracket = 93,
  Underscore = 95,
  LBrace = 123,
  RBrace = 125,
  BOM = 0xfeff,
}

// character classes (ASCII): bit 1 letter or '_', 2 digit, 4 name character, 8 hex digit
const CLS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  let v = 0;
  if (/[A-Za-z_]/.test(ch)) v |= 1;
  if (/[0-9]/.test(ch)) v |= 2;
  if (/[A-Za-z0-9_./+-]/.test(ch)) v |= 4;
  if (/[0-9A-Fa-f]/.test(ch)) v |= 8;
  CLS[c] = v;
}
const isAlnum = (c: number) => c < 128 && (CLS[c] & 3) !== 0;
export const isHex = (c: number): boolean => c < 128 && (CLS[c] & 8) !== 0;
function hexVal(c: number): number {
  return c <= 57 ? c - 48 : (c | 0x20) - 87;
}

/** The current token lives in these fields; a lookahead of up to two tokens rescans quietly. */
export abstract class Scanner {
  protected pos = 0;
  /** line starts seen so far (LF, CR, CRLF), in a growable buffer */
  private starts: Int32Array;
  private nLines = 1;
  /** while looking ahead: no comments, line starts or errors are recorded */
  private quiet = false;
  // the current token
  tok: T = T.EOF;
  tokStart = 0;
  tokEnd = 0;
  tokWord: W = W.None;
  tokV1 = 0;
  tokV2 = 0;
  /** the name id of a String token (made when scanned); of a Name token, -1 until asked */
  tokId = -1;
  // the lookahead (la[0] = the token after the current one)
  readonly laKind = new Int32Array(2);
  readonly laStart = new Int32Array(2);
  readonly laEnd = new Int32Array(2);
  readonly laWord = new Int32Array(2);
  readonly laV1 = new Float64Array(2);

  constructor(
    protected readonly text: string,
    protected readonly tree: SyntaxTree,
    /** where to start (a statement's start, for an incremental reparse); 0: the whole text */
    from = 0,
  ) {
    this.starts = new Int32Array(from > 0 ? 64 : Math.max(64, (text.length >> 5) + 16));
    // a leading BOM is skipped, but stays a character of line 0 (LSP clients count it)
    if (text.charCodeAt(0) === C.BOM) this.pos = 1;
    if (from > 0) this.pos = from;
  }

  /** Reports a lexical error (the parser dedupes by place). */
  protected abstract error(message: string, start: number, end: number): void;

  /** The line starts (complete once EOF was scanned). */
  lineStarts(): Int32Array {
    return this.starts.slice(0, this.nLines);
  }

  /** The name id of the current Name or String token. */
  tokName(): number {
    if (this.tokId < 0) this.tokId = this.tree.names.intern(this.text, this.tokStart, this.tokEnd);
    return this.tokId;
  }

  /** Scans the next token into the current fields (invalid characters are reported and skipped). */
  next(): void {
    for (;;) {
      this.scan();
      if (this.tok !== T.Invalid) return;
      if (!this.quiet) this.error(this.invalidMessage(), this.tokStart, this.tokEnd);
    }
  }

  /** Scans `k` (1 or 2) tokens ahead into la*, then restores the scanner. */
  lookahead(k: number): void {
    const save = [
      this.pos,
      this.tok,
      this.tokStart,
      this.tokEnd,
      this.tokWord,
      this.tokV1,
      this.tokV2,
      this.tokId,
    ];
    this.quiet = true;
    for (let i = 0; i < k; i++) {
      this.next();
      this.laKind[i] = this.tok;
      this.laStart[i] = this.tokStart;
      this.laEnd[i] = this.tokEnd;
      this.laWord[i] = this.tokWord;
      this.laV1[i] = this.tokV1;
    }
    this.quiet = false;
    [this.pos, this.tok, this.tokStart, this.tokEnd, this.tokWord, this.tokV1, this.tokV2, this.tokId] = save;
  }

  private invalidMessage(): string {
    return `unexpected character ${describeChar(this.text.slice(this.tokStart, this.tokEnd))}`;
  }

  private newline(at: number): void {
    if (this.quiet) return;
    if (this.nLines >= this.starts.length) {
      const b = new Int32Array(this.starts.length * 2);
      b.set(this.starts);
      this.starts = b;
    }
    this.starts[this.nLines++] = at;
  }

  private set(t: T, start: number, end: number): void {
    this.tok = t;
    this.tokStart = start;
    this.tokEnd = end;
    this.tokWord = W.None;
    this.tokId = -1;
  }

  private scan(): void {
    const s = this.text;
    const n = s.length;
    let pos = this.pos;
    // skip blanks and comments
    for (;;) {
      if (pos >= n) {
        this.pos = pos;
        return this.set(T.EOF, n, n);
      }
      const c = s.charCodeAt(pos);
      if (c === C.Space || c === C.Tab) {
        pos++;
        continue;
      }
      if (c === C.Hash || (c === C.Slash && s.charCodeAt(pos + 1) === C.Slash)) {
        const start = pos;
        while (pos < n) {
          const d = s.charCodeAt(pos);
          if (d === C.LF || d === C.CR) break;
          pos++;
        }
        if (!this.quiet) this.tree.addComment(start, pos);
        continue;
      }
      break;
    }
    const start = pos;
    const c = s.charCodeAt(start);
    if (c < 128) {
      const cls = CLS[c];
      if (cls & 1) {
        // a bare name
        let p = start + 1;
        while (p < n) {
          const d = s.charCodeAt(p);
          if (d >= 128 || (CLS[d] & 4) === 0) break;
          p++;
        }
        this.pos = p;
        return this.set(T.Name, start, p);
      }
      if (cls & 2) {
        let p = start + 1;
        for (; p < n; p++) {
          const d = s.charCodeAt(p);
          if (isAlnum(d) || d === C.Colon) continue;
          if (d === C.Dot && s.charCodeAt(p + 1) !== C.Dot && isAlnum(s.charCodeAt(p + 1))) continue;
          break;
        }
        this.pos = p;
        this.set(T.Word, start, p);
        this.decodeWord(start, p);
        return;
      }
    }
    this.pos = start + 1;
    switch (c) {
      case C.LF:
        this.newline(start + 1);
        return this.set(T.Newline, start, start + 1);
      case C.CR: {
        if (s.charCodeAt(start + 1) === C.LF) this.pos++;
        this.newline(this.pos);
        return this.set(T.Newline, start, this.pos);
      }
      case C.LBrace:
        return this.set(T.LBrace, start, start + 1);
      case C.RBrace:
        return this.set(T.RBrace, start, start + 1);
      case C.LBracket:
        return this.set(T.LBracket, start, start + 1);
      case C.RBracket:
        return this.set(T.RBracket, start, start + 1);
      case C.Colon:
        return this.set(T.Colon, start, start + 1);
      case C.Semi:
        return this.set(T.Semi, start, start + 1);
      case C.Comma:
        return this.set(T.Comma, start, start + 1);
      case C.Gt:
        return this.set(T.Gt, start, start + 1);
      case C.Dash:
        return this.set(T.Dash, start, start + 1);
      case C.Dot:
        if (s.charCodeAt(start + 1) === C.Dot) {
          this.pos = start + 2;
          return this.set(T.DotDot, start, start + 2);
        }
        return this.set(T.Dot, start, start + 1);
      case C.Quote:
        this.pos = start;
        return this.string();
    }
    // anything else: one invalid character (a whole surrogate pair counts as one)
    let end = start + 1;
    if (c >= 0xd800 && c <= 0xdbff && end < n) {
      const d = s.charCodeAt(end);
      if (d >= 0xdc00 && d <= 0xdfff) end++;
    }
    this.pos = end;
    this.set(T.Invalid, start, end);
  }

  private string(): void {
    const s = this.text;
    const start = this.pos;
    let p = start + 1;
    let value: string | undefined; // built only when the string has escapes
    let chunk = p;
    for (;;) {
      const c = p < s.length ? s.charCodeAt(p) : -1;
      if (c < 0 || c === C.LF || c === C.CR || c === C.Quote) {
        const closed = c === C.Quote;
        this.pos = closed ? p + 1 : p;
        this.set(T.String, start, this.pos);
        if (!this.quiet)
          this.tokId =
            value === undefined
              ? this.tree.names.intern(s, start + 1, p)
              : this.tree.names.internString(value + s.slice(chunk, p));
        if (!closed && !this.quiet)
          this.error('unterminated string: a quoted name must end with " on the same line', start, p);
        return;
      }
      if (c === C.Backslash && p + 1 < s.length) {
        const d = s.charCodeAt(p + 1);
        if (d !== C.LF && d !== C.CR) {
          value = (value ?? '') + s.slice(chunk, p) + s[p + 1];
          p += 2;
          chunk = p;
          continue;
        }
      }
      p++;
    }
  }

  /**
   * Decodes a word without a regular expression: a decimal or 0x-hex number (at most 15 characters),
   * a version `A.B` or `A.B.C`, a PCI address `[SSSS:]BB:DD.F`, a bus-range start `SSSS:BB`, or bad.
   */
  private decodeWord(start: number, end: number): void {
    const s = this.text;
    let colons = 0;
    let dots = 0;
    let allDigits = true;
    let v = 0;
    for (let i = start; i < end; i++) {
      const c = s.charCodeAt(i);
      if (c === C.Colon) colons++;
      else if (c === C.Dot) dots++;
      if (c >= 48 && c <= 57) v = v * 10 + (c - 48);
      else allDigits = false;
    }
    const len = end - start;
    if (colons > 0) {
      if (!this.pciWord(start, end, colons, dots)) this.tokWord = W.Bad;
      return;
    }
    if (allDigits) {
      if (len > 15) return void (this.tokWord = W.Bad);
      this.tokWord = W.Number;
      this.tokV1 = v;
      return;
    }
    if (len > 2 && s.charCodeAt(start) === C.D0 && (s.charCodeAt(start + 1) | 0x20) === 120 /* x */) {
      let ok = len <= 15;
      let h = 0;
      for (let i = start + 2; ok && i < end; i++) {
        const c = s.charCodeAt(i);
        if (!isHex(c)) ok = false;
        else h = h * 16 + hexVal(c);
      }
      if (ok) {
        this.tokWord = W.Number;
        this.tokV1 = h;
        return;
      }
    }
    // version: digits '.' digits ('.' digits)?
    if (dots === 1 || dots === 2) {
      let part = 0;
      let digits = 0;
      let major = 0;
      let minor = 0;
      let ok = true;
      for (let i = start; i < end; i++) {
        const c = s.charCodeAt(i);
        if (c === C.Dot) {
          if (digits === 0) ok = false;
          part++;
          digits = 0;
        } else if (c >= 48 && c <= 57) {
          if (digits < 9) {
            if (part === 0) major = major * 10 + (c - 48);
            else if (part === 1) minor = minor * 10 + (c - 48);
          }
          digits++;
        } else ok = false;
      }
      if (ok && digits > 0) {
        this.tokWord = W.Version;
        this.tokV1 = major;
        this.tokV2 = minor;
        return;
      }
    }
    this.tokWord = W.Bad;
  }

  /** `[SSSS:]BB:DD.F` or `SSSS:BB`; false when the word is neither. */
  private pciWord(start: number, end: number, colons: number, dots: number): boolean {
    const s = this.text;
    // up to four hex fields split at ':' and '.'
    let f0 = 0;
    let f1 = 0;
    let f2 = 0;
    let f3 = 0;
    let w0 = 0;
    let w1 = 0;
    let w2 = 0;
    let w3 = 0;
    let k = 0;
    for (let i = start; i < end; i++) {
      const c = s.charCodeAt(i);
      if (c === C.Colon || c === C.Dot) {
        if (++k > 3) return false;
        continue;
      }
      if (!isHex(c)) return false;
      const d = hexVal(c);
      if (k === 0) {
        f0 = f0 * 16 + d;
        w0++;
      } else if (k === 1) {
        f1 = f1 * 16 + d;
        w1++;
      } else if (k === 2) {
        f2 = f2 * 16 + d;
        w2++;
      } else {
        f3 = f3 * 16 + d;
        w3++;
      }
    }
    if (w0 === 0 || (k >= 1 && w1 === 0) || (k >= 2 && w2 === 0) || (k >= 3 && w3 === 0)) return false;
    if (dots === 0 && colons === 1) {
      // SSSS:BB (the start of a bus range)
      if (w0 > 4 || w1 > 2) return false;
      this.tokWord = W.BusPrefix;
      this.tokV1 = f0;
      this.tokV2 = f1;
      return true;
    }
    if (dots !== 1 || s.charCodeAt(end - 2) !== C.Dot) return false;
    let seg = 0;
    let bus: number;
    let dev: number;
    let fn: number;
    if (colons === 2) {
      if (w0 > 4 || w1 > 2 || w2 > 2 || w3 !== 1) return false;
      [seg, bus, dev, fn] = [f0, f1, f2, f3];
    } else if (colons === 1) {
      if (w0 > 2 || w1 > 2 || w2 !== 1) return false;
      [bus, dev, fn] = [f0, f1, f2];
    } else return false;
    if (fn > 7) return false;
    this.tokWord = W.Pci;
    this.tokV1 = seg * 65536 + ((bus << 8) | ((dev & 0x1f) << 3) | fn);
    this.tokV2 = dev; // kept whole: a device number above 0x1f is reported by the binder
    return true;
  }
}

export function describeChar(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp < 0x20 || cp === 0x7f) return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return `'${ch}'`;
}
