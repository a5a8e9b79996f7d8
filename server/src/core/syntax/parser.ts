// A recursive-descent parser for topology files (LANGUAGE.md section 2) that writes the tree's
// tables directly. It never throws: it returns a tree and the syntax errors, recovering at
// statement and block boundaries so one typo does not hide the rest of the file.

import { Interner, Kw, KEYWORDS } from './names';
import { T, W } from './scanner';
import { TokenParser, quoteCut } from './tokens';
import { At, MAX_STATEMENTS, St, SyntaxTree } from './tree';
import { lineStartsOf } from './lines';

/** Statement keywords (for messages and completion). */
export const STATEMENT_KEYWORDS = [
  'arch',
  'kernel',
  'cpus',
  'apic-ids',
  'possible-cpus',
  'node',
  'smt',
  'apic',
  'ext-dest-id',
  'include',
  'domain',
  'device',
  'irq',
  'expect',
  'inject',
  'offline',
  'release',
] as const;
const STATEMENT_LIST = STATEMENT_KEYWORDS.join(', ');

const SETTINGS = idSet([
  Kw.arch,
  Kw.kernel,
  Kw.cpus,
  Kw.apicIds,
  Kw.possibleCpus,
  Kw.smt,
  Kw.apic,
  Kw.extDestId,
  Kw.offline,
]);
/** Keywords that can only start a top-level statement (never a property); `device` and `node` are both. */
const NEVER_PROPERTY = idSet([
  Kw.arch,
  Kw.kernel,
  Kw.cpus,
  Kw.apicIds,
  Kw.possibleCpus,
  Kw.smt,
  Kw.apic,
  Kw.extDestId,
  Kw.offline,
  Kw.release,
  Kw.include,
  Kw.domain,
  Kw.irq,
  Kw.expect,
  Kw.inject,
]);

/** A set of keyword ids as a lookup table (ids of keywords are small). */
function idSet(ids: number[]): { has(id: number): boolean } {
  const t = new Uint8Array(KEYWORDS.length);
  for (const i of ids) t[i] = 1;
  return { has: (id: number) => id >= 0 && id < t.length && t[id] === 1 };
}

/** Parses a decimal or 0x-hex number; NaN otherwise. */
export function parseNumber(text: string): number {
  if (/^[0-9]+$/.test(text)) return text.length > 15 ? Number.NaN : Number(text);
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) return text.length > 15 ? Number.NaN : parseInt(text.slice(2), 16);
  return Number.NaN;
}

/** Parses a file into its tables. `names` lets an incremental reparse share the file's interner. */
export function parseTree(text: string, names: Interner = new Interner()): SyntaxTree {
  const tree = new SyntaxTree(text, names);
  try {
    new Parser(text, tree).parseFile();
  } catch (e) {
    // The parser is written not to throw; this is the last line of defence, so a bug in it
    // still yields a result with an error at the start of the file rather than a crash.
    tree.truncateStatements(0);
    tree.errors.length = 0;
    tree.errors.push({ message: `internal parser error: ${String(e)}`, start: 0, end: 0 });
    tree.finish(lineStartsOf(text));
  }
  return tree;
}
/**
 * Parses the statements of `text` from `from` (a statement's start) until the next statement would
 * start at one of `stops` (ascending offsets; the old tree's later statements, moved by the edit),
 * or the end. The region's rows go into a fresh tree (not finished: no line starts); returns it and
 * the index in `stops` where it stopped (-1: it reached the end of the text).
 */
export function parseRegion(
  text: string,
  names: Interner,
  from: number,
  stops: Int32Array,
  sizeHint: number,
  lines: Int32Array,
): { tree: SyntaxTree; stop: number } {
  const tree = new SyntaxTree(text, names, sizeHint);
  const p = new Parser(text, tree, from, lines);
  const stop = p.parseUntil(stops);
  return { tree, stop };
}

class Parser extends TokenParser {
  constructor(
    text: string,
    tree: SyntaxTree,
    from = 0,
    /** the whole text's line starts, when parsing a region (the scanner sees only the region's) */
    private readonly allLines?: Int32Array,
  ) {
    super(text, tree, from);
  }

  /** The top-level loop of parseFile, stopping when a statement would start at one of `stops`. */
  parseUntil(stops: Int32Array): number {
    let k = 0;
    for (;;) {
      const t = this.tok;
      if (t === T.EOF) return -1;
      if (t === T.Newline || t === T.Semi) {
        this.advance();
        continue;
      }
      while (k < stops.length && stops[k] < this.tokStart) k++;
      if (k < stops.length && stops[k] === this.tokStart) return k;
      if (t === T.RBrace) {
        this.errorAt("unmatched '}': no block is open here");
        this.advance();
        continue;
      }
      if (this.overBudget()) return -1;
      this.statement();
      this.endStatement();
    }
  }

  /** At MAX_STATEMENTS statements: an error at the next one, and the rest of the text is not read. */
  private overBudget(): boolean {
    const tr = this.tree;
    if (tr.sCount < MAX_STATEMENTS) return false;
    tr.truncated = true;
    this.error(
      `more than ${MAX_STATEMENTS} statements: the rest of the file, from here on, is not read (a topology has at most ${MAX_STATEMENTS})`,
      this.tokStart,
      this.tokEnd,
    );
    return true;
  }

  // ---- file and statements ------------------------------------------------------------------

  parseFile(): void {
    for (;;) {
      const t = this.tok;
      if (t === T.EOF) break;
      if (t === T.Newline || t === T.Semi) {
        this.advance();
        continue;
      }
      if (t === T.RBrace) {
        this.errorAt("unmatched '}': no block is open here");
        this.advance();
        continue;
      }
      if (this.overBudget()) break;
      this.statement();
      this.endStatement();
    }
    this.summarizeErrors();
    // a file not read to its end: the scanner did not see all its lines
    this.tree.finish(this.tree.truncated ? lineStartsOf(this.text) : this.lineStarts());
  }

  /** After a statement: the line must end (newline, `;` or end of file). */
  private endStatement(): void {
    // a block closed by recovery stops before the next statement's line: the line break is behind us
    if (this.lastKind === T.Newline) return;
    if (this.atEnd()) {
      if (!this.at(T.EOF)) this.advance();
      return;
    }
    this.errorAt(`unexpected ${this.describe()}: expected the end of the statement (a newline or ';')`);
    this.skipStatement();
  }

  /** Skips to the end of the current statement, stepping over a balanced block. */
  private skipStatement(): void {
    for (;;) {
      const t = this.tok;
      if (t === T.EOF) return;
      if (t === T.Newline || t === T.Semi) {
        this.advance();
        return;
      }
      if (t === T.LBrace) {
        // parsed for recovery only (into a throwaway statement); its errors are still reported
        const mark = this.tree.sCount;
        const st = this.tree.addStatement(St.Device, -1, this.tokStart);
        this.block(st);
        this.tree.truncateStatements(mark);
        continue;
      }
      if (t === T.RBrace) this.errorAt("unmatched '}': no block is open here");
      this.advance();
    }
  }

  private statement(): void {
    if (this.tok !== T.Name) {
      this.errorAt(`unexpected ${this.describe()}: expected a statement (${STATEMENT_LIST})`);
      this.skipStatement();
      return;
    }
    const kw = this.nameAt();
    const kwStart = this.tokStart;
    const kwEnd = this.tokEnd;
    this.advance();
    const tr = this.tree;
    if (SETTINGS.has(kw)) {
      const st = tr.addStatement(St.Setting, kw, kwStart);
      this.values(st, KEYWORDS[kw]);
      tr.sEnd[st] = this.endPos();
      return;
    }
    switch (kw) {
      case Kw.include:
        return this.include(kwStart);
      case Kw.domain:
        return this.domain(kwStart);
      case Kw.device:
        return this.device(kwStart);
      case Kw.irq:
        return this.irq(kwStart);
      case Kw.expect:
        return this.expect(kwStart);
      case Kw.inject:
        return this.inject(kwStart);
      case Kw.node:
        return this.node(kwStart);
      case Kw.release:
        return this.release(kwStart);
    }
    this.error(
      `unknown statement ${quoteCut(this.text.slice(kwStart, kwEnd), "'")}: expected one of ${STATEMENT_LIST}`,
      kwStart,
      kwEnd,
    );
    this.skipStatement();
  }

  private include(start: number): void {
    const tr = this.tree;
    const t = this.tok;
    let path = -1;
    if (t === T.String || t === T.Name) path = this.nameAtom();
    else this.errorAt(`expected the included file's path in quotes, found ${this.describe()}`);
    const st = tr.addStatement(St.Include, Kw.include, start);
    tr.sA[st] = path;
    tr.sEnd[st] = this.endPos();
  }

  private domain(start: number): void {
    const tr = this.tree;
    const name = this.name('the domain name');
    if (name < 0) return this.skipStatement();
    let kind = -1;
    if (this.at(T.Colon)) {
      this.advance();
      kind = this.name("the domain kind after ':'");
    } else {
      this.errorAt(
        `expected ':' and the domain kind after ${quoteCut(tr.nameOf(name), "'")}, found ${this.describe()}`,
      );
      if (this.tok === T.Name) kind = this.nameAtom();
    }
    const st = tr.addStatement(St.Domain, Kw.domain, start);
    tr.sA[st] = name;
    tr.sB[st] = kind;
    if (this.at(T.LBrace)) this.block(st);
    tr.sEnd[st] = this.endPos();
  }

  private device(start: number): void {
    const tr = this.tree;
    const name = this.name('the device name');
    if (name < 0) return this.skipStatement();
    const st = tr.addStatement(St.Device, Kw.device, start);
    tr.sA[st] = name;
    if (this.at(T.LBrace)) this.block(st);
    tr.sEnd[st] = this.endPos();
  }

  private node(start: number): void {
    // node N cpus LIST
    const tr = this.tree;
    const st = tr.addStatement(St.Node, Kw.node, start);
    if (this.tok === T.Word && this.tokWord === W.Number) {
      tr.sA[st] = this.atom();
      if (this.nameAt() === Kw.cpus) {
        this.advance();
        tr.sArgs[st] = tr.aCount;
        this.values(st, 'node');
      } else
        this.errorAt(`expected 'cpus' and the node's CPUs after the node number, found ${this.describe()}`);
    } else this.errorAt(`expected the node number: node N cpus LIST, found ${this.describe()}`);
    tr.sEnd[st] = this.endPos();
  }

  private release(start: number): void {
    const tr = this.tree;
    const st = tr.addStatement(St.Release, Kw.release, start);
    tr.sA[st] = this.name('the device to release: release DEVICE');
    tr.sEnd[st] = this.endPos();
  }

  private irq(start: number): void {
    const tr = this.tree;
    const st = tr.addStatement(St.Irq, Kw.irq, start);
    if (!this.irqRef(st)) {
      tr.truncateStatements(st);
      return this.skipStatement();
    }
    if (this.at(T.Colon)) {
      this.advance();
      const kind = this.name('the interrupt source (msix, msi, ims, pin, window, virtual)');
      if (kind >= 0) {
        tr.sD[st] = kind;
        tr.sArgs[st] = tr.aCount;
        while (!this.atEnd() && !this.at(T.LBrace) && !this.at(T.RBrace)) this.atom();
        tr.sNArgs[st] = tr.aCount - tr.sArgs[st];
      }
    } else {
      this.errorAt(
        `expected ':' and the interrupt source after the interrupt name, found ${this.describe()}`,
      );
    }
    if (this.at(T.LBrace)) this.block(st);
    tr.sEnd[st] = this.endPos();
  }

  private expect(start: number): void {
    const tr = this.tree;
    const st = tr.addStatement(St.Expect, Kw.expect, start);
    if (!this.irqRef(st)) {
      tr.truncateStatements(st);
      return this.skipStatement();
    }
    tr.sProps[st] = tr.pCount;
    while (!this.atEnd() && !this.at(T.RBrace)) {
      if (this.tok !== T.Name) {
        this.errorAt(
          `expected an expectation (cpu, vector, lpi, irte, path, message), found ${this.describe()}`,
        );
        this.advance();
        continue;
      }
      const nameId = this.nameAt();
      const nStart = this.tokStart;
      this.advance();
      const p = tr.addProp(nameId, nStart);
      if (nameId === Kw.path) {
        // path A > B > C
        for (;;) {
          const n = this.tok;
          if (n !== T.Name && n !== T.String) {
            this.errorAt(`expected a domain name in the path, found ${this.describe()}`);
            break;
          }
          this.nameAtom();
          if (!this.at(T.Gt)) break;
          tr.addAtom(At.Punct, this.tokStart, this.tokEnd, 62, 0);
          this.advance();
        }
      } else {
        while (!this.atEnd() && this.tok !== T.Name && !this.at(T.RBrace)) this.atom();
      }
      tr.pNAtoms[p] = tr.aCount - tr.pAtoms[p];
    }
    tr.sNProps[st] = tr.pCount - tr.sProps[st];
    if (tr.sNProps[st] === 0)
      this.errorAt(
        'expected at least one expectation after the interrupt: cpu N, vector V, lpi L, irte N, path A > B, message ADDR DATA',
      );
    tr.sEnd[st] = this.endPos();
  }

  private inject(start: number): void {
    const tr = this.tree;
    const st = tr.addStatement(St.Inject, Kw.inject, start);
    const address = this.atEnd() ? -1 : this.atom();
    const data = this.atEnd() || this.at(T.Name) ? -1 : this.atom();
    tr.sA[st] = address;
    tr.sB[st] = data;
    if (address < 0 || data < 0) {
      this.errorAt('expected the written address and data: inject ADDRESS DATA from DEVICE');
    } else if (this.nameAt() === Kw.from) {
      this.advance();
      tr.sC[st] = this.name('the issuing device after from');
    } else {
      this.errorAt(`expected 'from DEVICE' after the data, found ${this.describe()}`);
    }
    tr.sEnd[st] = this.endPos();
  }

  /** `DEVICE.NAME[RANGE]?` into sA/sB/sC; the device and the interrupt name are split at the last '.'. */
  private irqRef(st: number): boolean {
    const tr = this.tree;
    const t = this.tok;
    if (t === T.Name) {
      const s = this.tokStart;
      const e = this.tokEnd;
      const dot = this.text.lastIndexOf('.', e - 1);
      if (dot < s) {
        tr.sA[st] = tr.addAtom(At.Name, s, e, this.tokName(), 0);
        this.advance();
        if (this.at(T.Dot)) {
          this.advance();
          tr.sB[st] = this.name('the interrupt name after the device');
        } else {
          this.error(
            `expected DEVICE.NAME (the device, a '.', the interrupt name), found ${quoteCut(this.text.slice(s, e), "'")}`,
            s,
            e,
          );
        }
      } else {
        this.advance();
        tr.sA[st] = tr.addAtom(At.Name, s, dot, tr.names.intern(this.text, s, dot), 0);
        if (dot === e - 1) {
          this.error(`expected the interrupt name after ${quoteCut(this.text.slice(s, e), "'")}`, s, e);
        } else {
          tr.sB[st] = tr.addAtom(At.Name, dot + 1, e, tr.names.intern(this.text, dot + 1, e), 0);
        }
      }
    } else if (t === T.String) {
      tr.sA[st] = this.nameAtom();
      if (this.at(T.Dot)) {
        this.advance();
        tr.sB[st] = this.name('the interrupt name after the device');
      } else {
        this.errorAt(`expected '.' and the interrupt name after the device`);
      }
    } else {
      this.errorAt(`expected an interrupt (DEVICE.NAME), found ${this.describe()}`);
      return false;
    }
    if (this.at(T.LBracket)) {
      const open = this.tokStart;
      this.advance();
      const a = this.atEnd() ? -1 : this.atom();
      const k = a >= 0 ? tr.atomKind(a) : At.Bad;
      if (a >= 0 && (k === At.Number || k === At.Range)) {
        if (this.at(T.RBracket)) {
          const close = this.tokEnd;
          this.advance();
          // the index atom replaces the number or range just read
          const first = tr.v1(a);
          const last = k === At.Number ? first : tr.v2(a);
          tr.setAtom(a, At.Index, open, close, first, last);
          tr.sC[st] = a;
        } else {
          this.errorAt(`expected ']' after the index, found ${this.describe()}`);
        }
      } else {
        if (a >= 0)
          this.error(
            'expected an index or a range in brackets, e.g. [3] or [0..7]',
            tr.aStart[a],
            tr.aEnd(a),
          );
        else this.errorAt('expected an index or a range in brackets, e.g. [3] or [0..7]');
        while (!this.atEnd() && !this.at(T.RBracket) && !this.at(T.Colon)) this.advance();
        if (this.at(T.RBracket)) this.advance();
      }
    }
    return true;
  }

  // ---- blocks and properties -----------------------------------------------------------------

  private block(st: number): void {
    const tr = this.tree;
    const open = this.tokStart;
    this.advance(); // '{'
    tr.sBOpen[st] = open;
    tr.sProps[st] = tr.pCount;
    for (;;) {
      const t = this.tok;
      if (t === T.RBrace) {
        tr.sBClose[st] = this.tokStart;
        this.advance();
        break;
      }
      if (t === T.EOF || this.isStatementStart()) {
        const { line, col } = this.lineCol(open);
        this.error(
          `missing '}' to close the block opened at line ${line + 1}, column ${col + 1}`,
          open,
          open + 1,
        );
        break;
      }
      if (t === T.Newline || t === T.Semi) {
        this.advance();
        continue;
      }
      if (t !== T.Name) {
        this.errorAt(`expected a property name, found ${this.describe()}`);
        this.skipLineInBlock();
        continue;
      }
      const nameId = this.nameAt();
      const nStart = this.tokStart;
      this.advance();
      const p = tr.addProp(nameId, nStart);
      this.values(-1, tr.names.names[nameId]);
      tr.pNAtoms[p] = tr.aCount - tr.pAtoms[p];
      if (this.atEnd()) {
        if (!this.at(T.EOF)) this.advance();
      } else if (!this.at(T.RBrace)) {
        this.errorAt(`unexpected ${this.describe()} in property '${tr.names.names[nameId]}'`);
        this.skipLineInBlock();
      }
    }
    tr.sNProps[st] = tr.pCount - tr.sProps[st];
  }

  /** Line and column of an offset already scanned (the scanner has seen its line start). */
  private lineCol(offset: number): { line: number; col: number } {
    const starts = this.allLines ?? this.lineStarts();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, col: offset - starts[lo] };
  }

  /** True at the start of a line (inside a block) that can only be a new top-level statement. */
  private isStatementStart(): boolean {
    if (this.tok !== T.Name) return false;
    if (this.lastKind !== T.Newline && this.lastKind !== T.LBrace) return false;
    const id = this.nameAt();
    if (NEVER_PROPERTY.has(id)) return true;
    if (id === Kw.device) {
      this.lookahead(2);
      const n = this.laKind[0];
      return (n === T.Name || n === T.String) && this.laKind[1] === T.LBrace;
    }
    if (id === Kw.node) {
      this.lookahead(2);
      if (this.laKind[0] !== T.Word || this.laKind[1] !== T.Name) return false;
      return this.text.slice(this.laStart[1], this.laEnd[1]) === 'cpus';
    }
    return false;
  }

  private skipLineInBlock(): void {
    while (!this.atEnd() && !this.at(T.RBrace)) this.advance();
  }
}
