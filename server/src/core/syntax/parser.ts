// A recursive-descent parser for topology files (LANGUAGE.md section 2). It never throws: it
// returns a tree and the syntax errors, recovering at statement and block boundaries so one typo
// does not hide the rest of the file.

import type {
  Atom,
  Block,
  ExpectClause,
  IrqRef,
  NameNode,
  Position,
  Property,
  Range,
  SourceFile,
  Statement,
  SyntaxError,
} from './ast';
import { Lexer, T, type Token } from './lexer';

/** Statement keywords. None of them is also a property name, except `device` (see isStatementStart). */
export const STATEMENT_KEYWORDS = [
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
] as const;

const SETTINGS = new Set(['arch', 'kernel', 'cpus', 'apic-ids']);
const NEVER_PROPERTY = new Set([
  'arch',
  'kernel',
  'cpus',
  'apic-ids',
  'include',
  'domain',
  'irq',
  'expect',
  'inject',
]);

export function parse(text: string, uri = ''): SourceFile {
  try {
    return new Parser(text, uri).parseFile();
  } catch (e) {
    // The parser is written not to throw; this is the last line of defence, so a bug in it
    // still yields a result with an error at the start of the file rather than a crash.
    const zero = { line: 0, character: 0 };
    return {
      uri,
      statements: [],
      comments: [],
      errors: [{ message: `internal parser error: ${String(e)}`, range: { start: zero, end: zero } }],
      lineCount: text.split('\n').length,
    };
  }
}

// Positions are immutable plain data: each token makes its start and end once, and every node that
// starts or ends there shares them. A token gets a whole Range only when a node is exactly that token.
function startOf(t: Token): Position {
  return (t.start ??= { line: t.line, character: t.char });
}
function endOf(t: Token): Position {
  return (t.end ??= { line: t.endLine, character: t.endChar });
}
function rangeOf(t: Token): Range {
  return (t.range ??= { start: startOf(t), end: endOf(t) });
}
/**
 * An array trimmed to its length. Arrays grown by push() keep spare capacity (about 17 slots), which
 * for the many one- and two-element lists of a large file was a fifth of the tree's memory.
 */
function fit<T>(a: T[]): T[] {
  return a.slice();
}

/** From a node's start to the end of a token. */
function upTo(a: Range, t: Token): Range {
  return { start: a.start, end: endOf(t) };
}

const DESCRIBE: Record<number, string> = {
  [T.Name]: 'a name',
  [T.String]: 'a quoted name',
  [T.Word]: 'a number',
  [T.LBrace]: "'{'",
  [T.RBrace]: "'}'",
  [T.LBracket]: "'['",
  [T.RBracket]: "']'",
  [T.Colon]: "':'",
  [T.Semi]: "';'",
  [T.Comma]: "','",
  [T.Gt]: "'>'",
  [T.Dot]: "'.'",
  [T.DotDot]: "'..'",
  [T.Dash]: "'-'",
  [T.Newline]: 'the end of the line',
  [T.Invalid]: 'an invalid character',
  [T.EOF]: 'the end of the file',
};

function describe(t: Token): string {
  if (t.t === T.Name || t.t === T.Word) return `'${t.text}'`;
  if (t.t === T.String) return `"${t.text}"`;
  return DESCRIBE[t.t] ?? 'a token';
}

const DEC = /^[0-9]+$/;
const HEX = /^0[xX][0-9a-fA-F]+$/;
const HEXDIGITS = /^[0-9a-fA-F]+$/;
const VERSION = /^([0-9]+)\.([0-9]+)(?:\.[0-9]+)?$/;
const PCI = /^(?:([0-9a-fA-F]{1,4}):)?([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2})\.([0-7])$/;
const BUSPREFIX = /^([0-9a-fA-F]{1,4}):([0-9a-fA-F]{1,2})$/;

/** Parses a decimal or 0x-hex number; NaN otherwise. */
export function parseNumber(text: string): number {
  if (DEC.test(text)) return text.length > 15 ? Number.NaN : Number(text);
  if (HEX.test(text)) return text.length > 15 ? Number.NaN : parseInt(text.slice(2), 16);
  return Number.NaN;
}

class Parser {
  private readonly lexer: Lexer;
  private buf: Token[] = [];
  private last: Token;
  private readonly errors: SyntaxError[] = [];
  private readonly statements: Statement[] = [];

  constructor(
    text: string,
    private readonly uri: string,
  ) {
    this.lexer = new Lexer(text);
    this.last = { t: T.EOF, text: '', line: 0, char: 0, endLine: 0, endChar: 0 };
  }

  // ---- token stream -------------------------------------------------------------------------

  private peek(k = 0): Token {
    while (this.buf.length <= k) {
      const t = this.lexer.next();
      if (t.error && t.t === T.Invalid) {
        this.error(t.error, rangeOf(t));
        continue; // an invalid character is reported once and skipped
      }
      if (t.error) this.error(t.error, rangeOf(t));
      this.buf.push(t);
    }
    return this.buf[k];
  }

  private advance(): Token {
    const t = this.peek();
    this.buf.shift();
    this.last = t;
    return t;
  }

  private at(t: T): boolean {
    return this.peek().t === t;
  }

  private atEnd(): boolean {
    const t = this.peek().t;
    return t === T.Newline || t === T.Semi || t === T.EOF;
  }

  private error(message: string, range: Range): void {
    // one error per place: a cascade at the same spot says nothing new
    const prev = this.errors[this.errors.length - 1];
    if (
      prev &&
      prev.range.start.line === range.start.line &&
      prev.range.start.character === range.start.character
    )
      return;
    this.errors.push({ message, range });
  }

  // ---- file and statements ------------------------------------------------------------------

  parseFile(): SourceFile {
    for (;;) {
      const t = this.peek();
      if (t.t === T.EOF) break;
      if (t.t === T.Newline || t.t === T.Semi) {
        this.advance();
        continue;
      }
      if (t.t === T.RBrace) {
        this.error("unmatched '}': no block is open here", rangeOf(t));
        this.advance();
        continue;
      }
      const st = this.statement();
      if (st) this.statements.push(st);
      this.endStatement();
    }
    return {
      uri: this.uri,
      statements: this.statements,
      comments: this.lexer.comments,
      errors: this.errors,
      lineCount: this.lexer.lineCount,
    };
  }

  /** After a statement: the line must end (newline, `;` or end of file). */
  private endStatement(): void {
    // a block closed by recovery stops before the next statement's line: the line break is behind us
    if (this.last.t === T.Newline) return;
    if (this.atEnd()) {
      if (!this.at(T.EOF)) this.advance();
      return;
    }
    const t = this.peek();
    this.error(`unexpected ${describe(t)}: expected the end of the statement (a newline or ';')`, rangeOf(t));
    this.skipStatement();
  }

  /** Skips to the end of the current statement, stepping over a balanced block. */
  private skipStatement(): void {
    for (;;) {
      const t = this.peek();
      if (t.t === T.EOF) return;
      if (t.t === T.Newline || t.t === T.Semi) {
        this.advance();
        return;
      }
      if (t.t === T.LBrace) {
        this.block(); // parsed for recovery only; its errors are still reported
        continue;
      }
      if (t.t === T.RBrace) {
        this.error("unmatched '}': no block is open here", rangeOf(t));
      }
      this.advance();
    }
  }

  private statement(): Statement | undefined {
    const t = this.peek();
    if (t.t !== T.Name) {
      this.error(
        `unexpected ${describe(t)}: expected a statement (${STATEMENT_KEYWORDS.join(', ')})`,
        rangeOf(t),
      );
      this.skipStatement();
      return undefined;
    }
    const keyword = this.nameOf(this.advance());
    const kw = keyword.value;
    if (SETTINGS.has(kw)) {
      const groups = this.values(keyword);
      return { type: 'setting', keyword, groups, range: upTo(keyword.range, this.last) };
    }
    switch (kw) {
      case 'include':
        return this.include(keyword);
      case 'domain':
        return this.domain(keyword);
      case 'device':
        return this.device(keyword);
      case 'irq':
        return this.irq(keyword);
      case 'expect':
        return this.expect(keyword);
      case 'inject':
        return this.inject(keyword);
    }
    this.error(`unknown statement '${kw}': expected one of ${STATEMENT_KEYWORDS.join(', ')}`, keyword.range);
    this.skipStatement();
    return undefined;
  }

  private nameOf(t: Token): NameNode {
    return { value: t.text, quoted: t.t === T.String, range: rangeOf(t) };
  }

  /** A bare or quoted name, or an error naming what was expected. */
  private name(what: string): NameNode | undefined {
    const t = this.peek();
    if (t.t === T.Name || t.t === T.String) return this.nameOf(this.advance());
    this.error(`expected ${what}, found ${describe(t)}`, rangeOf(t));
    return undefined;
  }

  private include(keyword: NameNode): Statement {
    const t = this.peek();
    let path: NameNode | undefined;
    if (t.t === T.String || t.t === T.Name) path = this.nameOf(this.advance());
    else this.error(`expected the included file's path in quotes, found ${describe(t)}`, rangeOf(t));
    return { type: 'include', keyword, path, range: upTo(keyword.range, this.last) };
  }

  private domain(keyword: NameNode): Statement | undefined {
    const name = this.name('the domain name');
    if (!name) {
      this.skipStatement();
      return undefined;
    }
    let kind: NameNode | undefined;
    if (this.at(T.Colon)) {
      this.advance();
      kind = this.name("the domain kind after ':'");
    } else {
      const t = this.peek();
      this.error(`expected ':' and the domain kind after '${name.value}', found ${describe(t)}`, rangeOf(t));
      if (t.t === T.Name) kind = this.nameOf(this.advance());
    }
    const block = this.optionalBlock();
    return { type: 'domain', keyword, name, kind, block, range: upTo(keyword.range, this.last) };
  }

  private device(keyword: NameNode): Statement | undefined {
    const name = this.name('the device name');
    if (!name) {
      this.skipStatement();
      return undefined;
    }
    const block = this.optionalBlock();
    return { type: 'device', keyword, name, block, range: upTo(keyword.range, this.last) };
  }

  private irq(keyword: NameNode): Statement | undefined {
    const target = this.irqRef();
    if (!target) {
      this.skipStatement();
      return undefined;
    }
    let source: { kind: NameNode; args: Atom[]; range: Range } | undefined;
    if (this.at(T.Colon)) {
      this.advance();
      const kind = this.name('the interrupt source (msix, msi, ims, pin, window, virtual)');
      if (kind) {
        const args: Atom[] = [];
        while (!this.atEnd() && !this.at(T.LBrace) && !this.at(T.RBrace)) {
          const a = this.atom();
          if (a) args.push(a);
        }
        source = { kind, args: fit(args), range: upTo(kind.range, this.last) };
      }
    } else {
      const t = this.peek();
      this.error(
        `expected ':' and the interrupt source after the interrupt name, found ${describe(t)}`,
        rangeOf(t),
      );
    }
    const block = this.optionalBlock();
    return { type: 'irq', keyword, target, source, block, range: upTo(keyword.range, this.last) };
  }

  private expect(keyword: NameNode): Statement | undefined {
    const target = this.irqRef();
    if (!target) {
      this.skipStatement();
      return undefined;
    }
    const clauses: ExpectClause[] = [];
    while (!this.atEnd() && !this.at(T.RBrace)) {
      const t = this.peek();
      if (t.t !== T.Name) {
        this.error(
          `expected an expectation (cpu, vector, lpi, irte, path, message), found ${describe(t)}`,
          rangeOf(t),
        );
        this.advance();
        continue;
      }
      const name = this.nameOf(this.advance());
      const args: Atom[] = [];
      if (name.value === 'path') {
        // path A > B > C
        for (;;) {
          const n = this.peek();
          if (n.t !== T.Name && n.t !== T.String) {
            this.error(`expected a domain name in the path, found ${describe(n)}`, rangeOf(n));
            break;
          }
          const nm = this.nameOf(this.advance());
          args.push({ kind: 'name', value: nm.value, quoted: nm.quoted, range: nm.range });
          if (!this.at(T.Gt)) break;
          const gt = this.advance();
          args.push({ kind: 'punct', value: '>', range: rangeOf(gt) });
        }
      } else {
        while (!this.atEnd() && !this.at(T.Name) && !this.at(T.RBrace)) {
          const a = this.atom();
          if (a) args.push(a);
        }
      }
      clauses.push({ name, args: fit(args), range: upTo(name.range, this.last) });
    }
    if (clauses.length === 0) {
      this.error(
        'expected at least one expectation after the interrupt: cpu N, vector V, lpi L, irte N, path A > B, message ADDR DATA',
        rangeOf(this.peek()),
      );
    }
    return { type: 'expect', keyword, target, clauses, range: upTo(keyword.range, this.last) };
  }

  private inject(keyword: NameNode): Statement {
    const address = this.atEnd() ? undefined : this.atom();
    const data = this.atEnd() || this.at(T.Name) ? undefined : this.atom();
    let from: NameNode | undefined;
    if (!address || !data) {
      this.error(
        'expected the written address and data: inject ADDRESS DATA from DEVICE',
        rangeOf(this.peek()),
      );
    } else if (this.at(T.Name) && this.peek().text === 'from') {
      this.advance();
      from = this.name('the issuing device after from');
    } else {
      this.error(
        `expected 'from DEVICE' after the data, found ${describe(this.peek())}`,
        rangeOf(this.peek()),
      );
    }
    return { type: 'inject', keyword, address, data, from, range: upTo(keyword.range, this.last) };
  }

  /** `DEVICE.NAME[RANGE]?`; the device and the interrupt name are split at the last '.'. */
  private irqRef(): IrqRef | undefined {
    const t = this.peek();
    let device: NameNode;
    let name: NameNode | undefined;
    if (t.t === T.Name) {
      this.advance();
      const dot = t.text.lastIndexOf('.');
      if (dot < 0) {
        device = this.nameOf(t);
        if (this.at(T.Dot)) {
          this.advance();
          name = this.name('the interrupt name after the device');
        } else {
          this.error(
            `expected DEVICE.NAME (the device, a '.', the interrupt name), found '${t.text}'`,
            rangeOf(t),
          );
        }
      } else {
        device = {
          value: t.text.slice(0, dot),
          quoted: false,
          range: { start: startOf(t), end: { line: t.line, character: t.char + dot } },
        };
        if (dot === t.text.length - 1) {
          this.error(`expected the interrupt name after '${t.text}'`, rangeOf(t));
        } else {
          name = {
            value: t.text.slice(dot + 1),
            quoted: false,
            range: { start: { line: t.line, character: t.char + dot + 1 }, end: endOf(t) },
          };
        }
      }
    } else if (t.t === T.String) {
      device = this.nameOf(this.advance());
      if (this.at(T.Dot)) {
        this.advance();
        name = this.name('the interrupt name after the device');
      } else {
        this.error(`expected '.' and the interrupt name after the device`, rangeOf(this.peek()));
      }
    } else {
      this.error(`expected an interrupt (DEVICE.NAME), found ${describe(t)}`, rangeOf(t));
      return undefined;
    }
    let index: IrqRef['index'];
    if (this.at(T.LBracket)) {
      const open = this.advance();
      const a = this.atEnd() ? undefined : this.atom();
      if (a && (a.kind === 'number' || a.kind === 'range')) {
        const first = a.kind === 'number' ? a.value : a.first;
        const last = a.kind === 'number' ? a.value : a.last;
        if (this.at(T.RBracket)) {
          const close = this.advance();
          index = { first, last, range: { start: startOf(open), end: endOf(close) } };
        } else {
          this.error(`expected ']' after the index, found ${describe(this.peek())}`, rangeOf(this.peek()));
        }
      } else {
        this.error(
          'expected an index or a range in brackets, e.g. [3] or [0..7]',
          a ? a.range : rangeOf(this.peek()),
        );
        while (!this.atEnd() && !this.at(T.RBracket) && !this.at(T.Colon)) this.advance();
        if (this.at(T.RBracket)) this.advance();
      }
    }
    return { device, name, index, range: upTo(device.range, this.last) };
  }

  // ---- blocks and properties -----------------------------------------------------------------

  private optionalBlock(): Block | undefined {
    return this.at(T.LBrace) ? this.block() : undefined;
  }

  private block(): Block {
    const open = this.advance(); // '{'
    const properties: Property[] = [];
    for (;;) {
      const t = this.peek();
      if (t.t === T.RBrace) {
        const close = this.advance();
        return { properties: fit(properties), range: { start: startOf(open), end: endOf(close) } };
      }
      if (t.t === T.EOF || this.isStatementStart()) {
        this.error(
          `missing '}' to close the block opened at line ${open.line + 1}, column ${open.char + 1}`,
          rangeOf(open),
        );
        return { properties: fit(properties), range: { start: startOf(open), end: endOf(this.last) } };
      }
      if (t.t === T.Newline || t.t === T.Semi) {
        this.advance();
        continue;
      }
      if (t.t !== T.Name) {
        this.error(`expected a property name, found ${describe(t)}`, rangeOf(t));
        this.skipLineInBlock();
        continue;
      }
      const name = this.nameOf(this.advance());
      const groups = this.values(name);
      properties.push({ name, groups, range: upTo(name.range, this.last) });
      if (this.atEnd()) {
        if (!this.at(T.EOF)) this.advance();
      } else if (!this.at(T.RBrace)) {
        const u = this.peek();
        this.error(`unexpected ${describe(u)} in property '${name.value}'`, rangeOf(u));
        this.skipLineInBlock();
      }
    }
  }

  /** True at the start of a line (inside a block) that can only be a new top-level statement. */
  private isStatementStart(): boolean {
    const t = this.peek();
    if (t.t !== T.Name) return false;
    if (this.last.t !== T.Newline && this.last.t !== T.LBrace) return false;
    if (NEVER_PROPERTY.has(t.text)) return true;
    if (t.text === 'device') {
      const n = this.peek(1);
      const b = this.peek(2);
      return (n.t === T.Name || n.t === T.String) && b.t === T.LBrace;
    }
    return false;
  }

  private skipLineInBlock(): void {
    while (!this.atEnd() && !this.at(T.RBrace)) this.advance();
  }

  /** Values up to the end of the line, `;`, `{` or `}`: atoms in comma-separated groups. */
  private values(owner: NameNode): Atom[][] {
    const groups: Atom[][] = [];
    let group: Atom[] = [];
    while (!this.atEnd() && !this.at(T.RBrace) && !this.at(T.LBrace)) {
      if (this.at(T.Comma)) {
        const c = this.advance();
        // groups are never empty: an empty item is reported and left out
        if (group.length === 0) this.error(`empty item before ',' in '${owner.value}'`, rangeOf(c));
        else groups.push(fit(group));
        group = [];
        continue;
      }
      const a = this.atom();
      if (a) group.push(a);
    }
    if (group.length > 0) groups.push(fit(group));
    else if (groups.length > 0)
      this.error(`expected a value after ',' in '${owner.value}'`, rangeOf(this.last));
    return fit(groups);
  }

  /** One value atom. Consumes at least one token. */
  private atom(): Atom | undefined {
    const t = this.advance();
    const r = rangeOf(t);
    switch (t.t) {
      case T.Name:
        return { kind: 'name', value: t.text, quoted: false, range: r };
      case T.String:
        return { kind: 'name', value: t.text, quoted: true, range: r };
      case T.Colon:
        return { kind: 'punct', value: ':', range: r };
      case T.Gt:
        return { kind: 'punct', value: '>', range: r };
      case T.Word:
        return this.word(t);
    }
    this.error(`unexpected ${describe(t)} in a value`, r);
    return { kind: 'bad', text: t.text, range: r };
  }

  private word(t: Token): Atom {
    const text = t.text;
    const r = rangeOf(t);
    if (text.includes(':')) {
      const pci = PCI.exec(text);
      if (pci) {
        return {
          kind: 'pci',
          segment: pci[1] ? parseInt(pci[1], 16) : 0,
          bus: parseInt(pci[2], 16),
          dev: parseInt(pci[3], 16),
          fn: parseInt(pci[4], 16),
          text,
          range: r,
        };
      }
      const bp = BUSPREFIX.exec(text);
      if (bp && this.at(T.Dash)) {
        const n = this.peek(1);
        if ((n.t === T.Word || n.t === T.Name) && HEXDIGITS.test(n.text) && n.text.length <= 2) {
          this.advance();
          this.advance();
          return {
            kind: 'busrange',
            segment: parseInt(bp[1], 16),
            first: parseInt(bp[2], 16),
            last: parseInt(n.text, 16),
            text: `${text}-${n.text}`,
            range: { start: r.start, end: endOf(n) },
          };
        }
      }
      return { kind: 'bad', text, range: r };
    }
    const v = parseNumber(text);
    if (!Number.isNaN(v)) {
      if (this.at(T.Dash) || this.at(T.DotDot)) {
        const sep = this.peek();
        const n = this.peek(1);
        if (n.t === T.Word && n.line === sep.line) {
          const w = parseNumber(n.text);
          if (!Number.isNaN(w)) {
            this.advance();
            this.advance();
            return {
              kind: 'range',
              first: v,
              last: w,
              text: `${text}${sep.text}${n.text}`,
              range: { start: r.start, end: endOf(n) },
            };
          }
        }
        // `0-` with nothing usable after it
        const s = this.advance();
        this.error(`expected a number after '${s.text}' in the range ${text}${s.text}`, rangeOf(s));
        return { kind: 'bad', text: text + s.text, range: { start: r.start, end: endOf(s) } };
      }
      return { kind: 'number', value: v, text, range: r };
    }
    const ver = VERSION.exec(text);
    if (ver) return { kind: 'version', major: Number(ver[1]), minor: Number(ver[2]), text, range: r };
    return { kind: 'bad', text, range: r };
  }
}
