/* eslint-disable @typescript-eslint/no-unsafe-enum-comparison -- character codes from charCodeAt() are compared with the C const enum on purpose */
// A hand-written lexer for topology files (LANGUAGE.md section 1). It never throws: text it
// cannot read becomes an `invalid` token that the parser reports.

import type { Comment, Position, Range } from './ast';

export const enum T {
  Name, // bare name: [A-Za-z_][A-Za-z0-9_./+-]*
  String, // "..."
  Word, // starts with a digit: numbers, versions, PCI addresses (interpreted by the parser)
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

export interface Token {
  t: T;
  /** the token's text; for strings, the unescaped value */
  text: string;
  line: number;
  char: number;
  endLine: number;
  endChar: number;
  /** the token's positions and range, made once on first use and shared by every node using them */
  start?: Position;
  end?: Position;
  range?: Range;
  /** set for an unterminated string or an invalid character */
  error?: string;
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
  D9 = 57,
  Colon = 58,
  Semi = 59,
  Gt = 62,
  A = 65,
  Z = 90,
  LBracket = 91,
  Backslash = 92,
  RBracket = 93,
  Underscore = 95,
  a = 97,
  z = 122,
  LBrace = 123,
  RBrace = 125,
  BOM = 0xfeff,
}

function isAlpha(c: number): boolean {
  return (c >= C.a && c <= C.z) || (c >= C.A && c <= C.Z) || c === C.Underscore;
}
function isDigit(c: number): boolean {
  return c >= C.D0 && c <= C.D9;
}
function isNameChar(c: number): boolean {
  return isAlpha(c) || isDigit(c) || c === C.Dot || c === C.Slash || c === C.Plus || c === C.Dash;
}

export class Lexer {
  private pos = 0;
  private line = 0;
  private lineStart = 0;
  readonly comments: Comment[] = [];

  constructor(private readonly text: string) {
    if (text.charCodeAt(0) === C.BOM) {
      this.pos = 1;
      this.lineStart = 1;
    }
  }

  /** the 0-based line count of the text (lines seen so far once EOF was returned) */
  get lineCount(): number {
    return this.line + 1;
  }

  next(): Token {
    const s = this.text;
    const n = s.length;
    // skip blanks and comments
    for (;;) {
      if (this.pos >= n) return this.tok(T.EOF, '', this.pos, this.pos);
      const c = s.charCodeAt(this.pos);
      if (c === C.Space || c === C.Tab || c === C.CR) {
        this.pos++;
        continue;
      }
      if (c === C.Hash || (c === C.Slash && s.charCodeAt(this.pos + 1) === C.Slash)) {
        const start = this.pos;
        let end = s.indexOf('\n', start);
        if (end < 0) end = n;
        let textEnd = end;
        if (textEnd > start && s.charCodeAt(textEnd - 1) === C.CR) textEnd--;
        this.comments.push({
          text: s.slice(start, textEnd),
          range: {
            start: { line: this.line, character: start - this.lineStart },
            end: { line: this.line, character: textEnd - this.lineStart },
          },
        });
        this.pos = end;
        continue;
      }
      break;
    }
    const start = this.pos;
    const c = s.charCodeAt(start);
    switch (c) {
      case C.LF: {
        const t = this.tok(T.Newline, '\n', start, start + 1);
        this.pos++;
        this.line++;
        this.lineStart = this.pos;
        return t;
      }
      case C.LBrace:
        return this.single(T.LBrace, '{');
      case C.RBrace:
        return this.single(T.RBrace, '}');
      case C.LBracket:
        return this.single(T.LBracket, '[');
      case C.RBracket:
        return this.single(T.RBracket, ']');
      case C.Colon:
        return this.single(T.Colon, ':');
      case C.Semi:
        return this.single(T.Semi, ';');
      case C.Comma:
        return this.single(T.Comma, ',');
      case C.Gt:
        return this.single(T.Gt, '>');
      case C.Dash:
        return this.single(T.Dash, '-');
      case C.Dot:
        if (s.charCodeAt(start + 1) === C.Dot) {
          this.pos += 2;
          return this.tok(T.DotDot, '..', start, start + 2);
        }
        return this.single(T.Dot, '.');
      case C.Quote:
        return this.string();
    }
    if (isAlpha(c)) {
      let p = start + 1;
      while (p < n && isNameChar(s.charCodeAt(p))) p++;
      this.pos = p;
      return this.tok(T.Name, s.slice(start, p), start, p);
    }
    if (isDigit(c)) {
      let p = start + 1;
      for (; p < n; p++) {
        const d = s.charCodeAt(p);
        if (isAlpha(d) || isDigit(d) || d === C.Colon) continue;
        if (d === C.Dot && s.charCodeAt(p + 1) !== C.Dot && isAlnum(s.charCodeAt(p + 1))) continue;
        break;
      }
      this.pos = p;
      return this.tok(T.Word, s.slice(start, p), start, p);
    }
    // anything else: one invalid character (a whole surrogate pair counts as one)
    let end = start + 1;
    if (c >= 0xd800 && c <= 0xdbff && end < n) {
      const d = s.charCodeAt(end);
      if (d >= 0xdc00 && d <= 0xdfff) end++;
    }
    this.pos = end;
    const ch = s.slice(start, end);
    const t = this.tok(T.Invalid, ch, start, end);
    t.error = `unexpected character ${describeChar(ch)}`;
    return t;
  }

  private single(t: T, text: string): Token {
    const start = this.pos++;
    return this.tok(t, text, start, start + 1);
  }

  private string(): Token {
    const s = this.text;
    const start = this.pos;
    let p = start + 1;
    let value = '';
    let chunk = p;
    for (;;) {
      if (p >= s.length || s.charCodeAt(p) === C.LF) {
        value += s.slice(chunk, p);
        this.pos = p;
        const t = this.tok(T.String, value, start, p);
        t.error = 'unterminated string: a quoted name must end with " on the same line';
        return t;
      }
      const c = s.charCodeAt(p);
      if (c === C.Quote) {
        value += s.slice(chunk, p);
        this.pos = p + 1;
        return this.tok(T.String, value, start, p + 1);
      }
      if (c === C.Backslash && p + 1 < s.length && s.charCodeAt(p + 1) !== C.LF) {
        value += s.slice(chunk, p);
        value += s[p + 1];
        p += 2;
        chunk = p;
        continue;
      }
      p++;
    }
  }

  private tok(t: T, text: string, start: number, end: number): Token {
    return {
      t,
      text,
      line: this.line,
      char: start - this.lineStart,
      endLine: this.line,
      endChar: end - this.lineStart,
    };
  }
}

function isAlnum(c: number): boolean {
  return isAlpha(c) || isDigit(c);
}

function describeChar(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp < 0x20 || cp === 0x7f) return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return `'${ch}'`;
}
