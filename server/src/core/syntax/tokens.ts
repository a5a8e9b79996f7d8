// The parser's token-level half: the token stream (current token, what was consumed last), errors
// (one per place), names, and values: atoms in comma groups, numbers, ranges, versions, PCI
// addresses and bus ranges, written straight into the tree's tables.

import { Scanner, T, W, isHex } from './scanner';
import { At, GROUP_START, MAX_SYNTAX_ERRORS, type SyntaxTree } from './tree';

export const DESCRIBE: Record<number, string> = {
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

export abstract class TokenParser extends Scanner {
  protected lastKind: T = T.EOF;
  protected lastEnd = 0;
  protected lastStart = 0;

  constructor(text: string, tree: SyntaxTree, from = 0) {
    super(text, tree, from);
    // a statement starts a line (or follows a `;`): as after a line break
    if (from > 0) this.lastKind = T.Newline;
    this.next();
  }

  // ---- token stream -------------------------------------------------------------------------

  protected advance(): void {
    this.lastKind = this.tok;
    this.lastEnd = this.tokEnd;
    this.lastStart = this.tokStart;
    this.next();
  }

  /** Where a node that ends with the last consumed token ends (a line break: at the end of its line). */
  protected endPos(): number {
    return this.lastKind === T.Newline ? this.lastStart : this.lastEnd;
  }

  protected at(t: T): boolean {
    return this.tok === t;
  }

  protected atEnd(): boolean {
    const t = this.tok;
    return t === T.Newline || t === T.Semi || t === T.EOF;
  }

  /** The name id of the current token when it is a bare name, else -1. */
  protected nameAt(): number {
    return this.tok === T.Name ? this.tokName() : -1;
  }

  protected error(message: string, start: number, end: number): void {
    // one error per place: a cascade at the same spot says nothing new
    const errs = this.tree.errors;
    const prev = errs[errs.length - 1];
    if (prev && prev.start === start) return;
    if (errs.length >= MAX_SYNTAX_ERRORS) {
      // counted, not kept: the file's last error row says how many (see summarizeErrors)
      if (this.tree.errorsDropped++ === 0) this.tree.firstDropped = start;
      return;
    }
    errs.push({ message, start, end });
  }

  /** After the whole file: one row for the errors beyond MAX_SYNTAX_ERRORS, at the first of them. */
  protected summarizeErrors(): void {
    const t = this.tree;
    if (t.errorsDropped === 0) return;
    const n = t.errorsDropped;
    t.errors.push({
      message: `${n} more syntax error${n === 1 ? '' : 's'} from here on ${n === 1 ? 'is' : 'are'} not listed: a file lists its first ${MAX_SYNTAX_ERRORS}`,
      start: t.firstDropped,
      end: t.firstDropped,
    });
  }

  protected errorAt(message: string): void {
    this.error(message, this.tokStart, this.tokEnd);
  }

  protected describe(): string {
    const t = this.tok;
    if (t === T.Name || t === T.Word) return quoteCut(this.text.slice(this.tokStart, this.tokEnd), "'");
    if (t === T.String) return quoteCut(this.tree.names.names[this.tokName()], '"');
    return DESCRIBE[t] ?? 'a token';
  }

  /** A name atom from the current Name or String token. */
  protected nameAtom(): number {
    const kind = this.tok === T.String ? At.QName : At.Name;
    const a = this.tree.addAtom(kind, this.tokStart, this.tokEnd, this.tokName(), 0);
    this.advance();
    return a;
  }

  /** A bare or quoted name atom, or -1 after an error naming what was expected. */
  protected name(what: string): number {
    const t = this.tok;
    if (t === T.Name || t === T.String) return this.nameAtom();
    this.errorAt(`expected ${what}, found ${this.describe()}`);
    return -1;
  }

  /**
   * Values up to the end of the line, `;`, `{` or `}`: atoms in comma-separated groups (the first
   * atom of each group is flagged). For a statement (st >= 0) they are its args; for a property, its atoms.
   */
  protected values(st: number, owner: string): void {
    const tr = this.tree;
    if (st >= 0) tr.sArgs[st] = tr.aCount;
    let groupStart = true;
    let groups = 0;
    let inGroup = 0;
    while (!this.atEnd() && !this.at(T.RBrace) && !this.at(T.LBrace)) {
      if (this.at(T.Comma)) {
        const s = this.tokStart;
        const e = this.tokEnd;
        this.advance();
        // groups are never empty: an empty item is reported and left out
        if (inGroup === 0) this.error(`empty item before ',' in '${owner}'`, s, e);
        else groups++;
        inGroup = 0;
        groupStart = true;
        continue;
      }
      const a = this.atom();
      if (groupStart) tr.aKind[a] |= GROUP_START;
      groupStart = false;
      inGroup++;
    }
    if (inGroup === 0 && groups > 0)
      this.error(`expected a value after ',' in '${owner}'`, this.lastEnd - 1, this.lastEnd);
    if (st >= 0) tr.sNArgs[st] = tr.aCount - tr.sArgs[st];
  }

  /** One value atom. Consumes at least one token. */
  protected atom(): number {
    const tr = this.tree;
    const s = this.tokStart;
    const e = this.tokEnd;
    let a: number;
    switch (this.tok) {
      case T.Name:
        a = tr.addAtom(At.Name, s, e, this.tokName(), 0);
        break;
      case T.String:
        a = tr.addAtom(At.QName, s, e, this.tokName(), 0);
        break;
      case T.Colon:
        a = tr.addAtom(At.Punct, s, e, 58, 0);
        break;
      case T.Gt:
        a = tr.addAtom(At.Punct, s, e, 62, 0);
        break;
      case T.Word:
        return this.word(s, e);
      default:
        this.error(`unexpected ${DESCRIBE[this.tok] ?? 'a token'} in a value`, s, e);
        a = tr.addAtom(At.Bad, s, e, 0, 0);
    }
    this.advance();
    return a;
  }

  /** A Word atom (the current token): a number, range, version, PCI address or bus range. */
  protected word(s: number, e: number): number {
    const tr = this.tree;
    const w = this.tokWord;
    const v1 = this.tokV1;
    const v2 = this.tokV2;
    this.advance();
    if (w === W.Pci) return tr.addAtom(At.Pci, s, e, v1, v2);
    if (w === W.BusPrefix) {
      if (this.at(T.Dash)) {
        this.lookahead(1);
        const n = this.laKind[0];
        const ns = this.laStart[0];
        const ne = this.laEnd[0];
        if ((n === T.Word || n === T.Name) && ne - ns <= 2 && this.allHex(ns, ne)) {
          this.advance();
          this.advance();
          const last = parseInt(this.text.slice(ns, ne), 16);
          return tr.addAtom(At.BusRange, s, ne, v1, (v2 << 8) | last);
        }
      }
      return tr.addAtom(At.Bad, s, e, 0, 0);
    }
    if (w === W.Number) {
      if (this.tok === T.Dash || this.tok === T.DotDot) {
        this.lookahead(1);
        if (this.laKind[0] === T.Word && this.laWord[0] === W.Number) {
          const last = this.laV1[0];
          const ne = this.laEnd[0];
          this.advance();
          this.advance();
          return tr.addAtom(At.Range, s, ne, v1, last);
        }
        // `0-` with nothing usable after it
        const sepText = this.tok === T.Dash ? '-' : '..';
        const sepStart = this.tokStart;
        const sepEnd = this.tokEnd;
        this.advance();
        this.error(
          `expected a number after '${sepText}' in the range ${quoteCut(this.text.slice(s, e) + sepText, '')}`,
          sepStart,
          sepEnd,
        );
        return tr.addAtom(At.Bad, s, sepEnd, 0, 0);
      }
      return tr.addAtom(At.Number, s, e, v1, 0);
    }
    if (w === W.Version) return tr.addAtom(At.Version, s, e, v1, v2);
    return tr.addAtom(At.Bad, s, e, 0, 0);
  }

  protected allHex(s: number, e: number): boolean {
    for (let i = s; i < e; i++) if (!isHex(this.text.charCodeAt(i))) return false;
    return true;
  }
}

/** Text of the file quoted in a message, cut after 64 characters (a 4 MB token must not make a 4 MB message). */
export function quoteCut(text: string, q: string): string {
  if (text.length <= 64) return `${q}${text}${q}`;
  const cut = /[\ud800-\udbff]/.test(text[63]) ? 63 : 64; // (not half a surrogate pair)
  return `${q}${text.slice(0, cut)}…${q} (${text.length.toLocaleString('en-US')} characters)`;
}
