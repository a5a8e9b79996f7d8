// The read-only accessor layer over a file's tables: syntax nodes as objects (./ast.ts), made only
// for what a service asks (one statement under the cursor, one property), with LSP ranges computed
// from the file's line index. A whole-file view (`SyntaxFile.ast`) exists for tests and the
// formatter; hot paths read the tables directly.

import type {
  Atom,
  Block,
  Comment,
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
import { KEYWORDS } from './names';
import { At, GROUP_START, St, type SyntaxTree } from './tree';

/** One parsed file: its URI, text and tables. */
export class SyntaxFile {
  private astCache: SourceFile | undefined;

  constructor(
    readonly uri: string,
    private t: SyntaxTree,
  ) {}

  get tree(): SyntaxTree {
    return this.t;
  }

  /** Puts a reparsed tree in place (an edit of trivia: the model keeps this file object). */
  /** The paths this file includes, as written, in order. */
  includes(): string[] {
    const t = this.tree;
    const out: string[] = [];
    for (let s = 0; s < t.sCount; s++)
      if ((t.sKind[s] as St) === St.Include && t.sA[s] >= 0) out.push(t.nameOf(t.sA[s]));
    return out;
  }

  replaceTree(tree: SyntaxTree): void {
    this.t = tree;
    this.astCache = undefined;
  }

  get text(): string {
    return this.tree.text;
  }

  range(start: number, end: number): Range {
    return this.tree.lines.range(start, end);
  }

  position(offset: number): Position {
    return this.tree.lines.position(offset);
  }

  offset(p: Position): number {
    return this.tree.lines.offset(p, this.tree.text);
  }

  get errors(): SyntaxError[] {
    return this.tree.errors.map((e) => ({ message: e.message, range: this.range(e.start, e.end) }));
  }

  /** The statement (as an object) whose span holds a position, if any. */
  statementAt(p: Position): Statement | undefined {
    const i = this.tree.statementAt(this.offset(p));
    return i < 0 ? undefined : statementNode(this.tree, i);
  }

  /** The whole file as syntax objects (made once; for tests, the formatter and outline-sized work). */
  get ast(): SourceFile {
    return (this.astCache ??= sourceFileOf(this));
  }
}

export function sourceFileOf(f: SyntaxFile): SourceFile {
  const t = f.tree;
  const statements: Statement[] = [];
  for (let i = 0; i < t.sCount; i++) statements.push(statementNode(t, i));
  const comments: Comment[] = [];
  for (let i = 0; i < t.cCount; i++)
    comments.push({
      text: t.text.slice(t.cStart[i], t.cEnd[i]),
      range: t.lines.range(t.cStart[i], t.cEnd[i]),
    });
  return { uri: f.uri, statements, comments, errors: f.errors, lineCount: t.lines.lineCount };
}

export function nameNode(t: SyntaxTree, a: number): NameNode {
  return {
    value: t.nameOf(a),
    quoted: t.atomKind(a) === At.QName,
    range: t.lines.range(t.aStart[a], t.aEnd(a)),
  };
}

export function atomNode(t: SyntaxTree, a: number): Atom {
  const range = t.lines.range(t.aStart[a], t.aEnd(a));
  const text = t.text.slice(t.aStart[a], t.aEnd(a));
  const v1 = t.v1(a);
  const v2 = t.v2(a);
  switch (t.atomKind(a)) {
    case At.Name:
      return { kind: 'name', value: t.nameOf(a), quoted: false, range };
    case At.QName:
      return { kind: 'name', value: t.nameOf(a), quoted: true, range };
    case At.Number:
      return { kind: 'number', value: v1, text, range };
    case At.Range:
    case At.Index:
      // written tight, as the value reads (`0 - 3` is the range 0-3)
      return { kind: 'range', first: v1, last: v2, text: text.replace(/\s+/g, ''), range };
    case At.Version:
      return { kind: 'version', major: v1, minor: v2, text, range };
    case At.Pci: {
      const bdf = v1 % 65536;
      return {
        kind: 'pci',
        segment: Math.floor(v1 / 65536),
        bus: bdf >> 8,
        dev: v2,
        fn: bdf & 7,
        text,
        range,
      };
    }
    case At.BusRange:
      return {
        kind: 'busrange',
        segment: v1,
        first: v2 >> 8,
        last: v2 & 0xff,
        text: text.replace(/\s+/g, ''),
        range,
      };
    case At.Punct:
      return { kind: 'punct', value: v1 === 58 ? ':' : '>', range };
    default:
      return { kind: 'bad', text, range };
  }
}

/** Atoms [first, first + n) split into their comma groups. */
export function groupsOf(t: SyntaxTree, first: number, n: number): Atom[][] {
  const groups: Atom[][] = [];
  let g: Atom[] | undefined;
  for (let a = first; a < first + n; a++) {
    if (!g || t.aKind[a] & GROUP_START) groups.push((g = []));
    g.push(atomNode(t, a));
  }
  return groups;
}

function atoms(t: SyntaxTree, first: number, n: number): Atom[] {
  const out: Atom[] = [];
  for (let a = first; a < first + n; a++) out.push(atomNode(t, a));
  return out;
}

export function propertyNode(t: SyntaxTree, p: number): Property {
  return {
    name: {
      value: t.names.names[t.pName[p]],
      quoted: false,
      range: t.lines.range(t.pStart[p], t.pNameEnd(p)),
    },
    groups: groupsOf(t, t.pAtoms[p], t.pNAtoms[p]),
    range: t.lines.range(t.pStart[p], t.pEnd(p)),
  };
}

function blockNode(t: SyntaxTree, s: number): Block | undefined {
  const open = t.sBOpen[s];
  if (open < 0) return undefined;
  const props: Property[] = [];
  for (let p = t.sProps[s]; p < t.sProps[s] + t.sNProps[s]; p++) props.push(propertyNode(t, p));
  const close = t.sBClose[s];
  return { properties: props, range: t.lines.range(open, close >= 0 ? close + 1 : t.sEnd[s]) };
}

/** The end of an interrupt reference: its index, else its name, else its device. */
export function irqRefEnd(t: SyntaxTree, s: number): number {
  const a = t.sC[s] >= 0 ? t.sC[s] : t.sB[s] >= 0 ? t.sB[s] : t.sA[s];
  return t.aEnd(a);
}

function irqRefNode(t: SyntaxTree, s: number): IrqRef {
  const idx = t.sC[s];
  return {
    device: nameNode(t, t.sA[s]),
    name: t.sB[s] >= 0 ? nameNode(t, t.sB[s]) : undefined,
    index:
      idx >= 0
        ? { first: t.v1(idx), last: t.v2(idx), range: t.lines.range(t.aStart[idx], t.aEnd(idx)) }
        : undefined,
    range: t.lines.range(t.aStart[t.sA[s]], irqRefEnd(t, s)),
  };
}

/** The keyword's span: a statement starts with it. */
export function keywordEnd(t: SyntaxTree, s: number): number {
  return t.sStart[s] + KEYWORDS[t.sKw[s]].length;
}

export function statementNode(t: SyntaxTree, s: number): Statement {
  const range = t.lines.range(t.sStart[s], t.sEnd[s]);
  const keyword: NameNode = {
    value: KEYWORDS[t.sKw[s]],
    quoted: false,
    range: t.lines.range(t.sStart[s], keywordEnd(t, s)),
  };
  const opt = (a: number) => (a >= 0 ? nameNode(t, a) : undefined);
  switch (t.sKind[s] as St) {
    case St.Setting:
      return { type: 'setting', keyword, groups: groupsOf(t, t.sArgs[s], t.sNArgs[s]), range };
    case St.Include:
      return { type: 'include', keyword, path: opt(t.sA[s]), range };
    case St.Domain:
      return {
        type: 'domain',
        keyword,
        name: nameNode(t, t.sA[s]),
        kind: opt(t.sB[s]),
        block: blockNode(t, s),
        range,
      };
    case St.Device:
      return { type: 'device', keyword, name: nameNode(t, t.sA[s]), block: blockNode(t, s), range };
    case St.Irq: {
      const k = t.sD[s];
      let source: { kind: NameNode; args: Atom[]; range: Range } | undefined;
      if (k >= 0) {
        const n = t.sNArgs[s];
        const end = n > 0 ? t.aEnd(t.sArgs[s] + n - 1) : t.aEnd(k);
        source = {
          kind: nameNode(t, k),
          args: atoms(t, t.sArgs[s], n),
          range: t.lines.range(t.aStart[k], end),
        };
      }
      return { type: 'irq', keyword, target: irqRefNode(t, s), source, block: blockNode(t, s), range };
    }
    case St.Expect: {
      const clauses: ExpectClause[] = [];
      for (let p = t.sProps[s]; p < t.sProps[s] + t.sNProps[s]; p++)
        clauses.push({
          name: {
            value: t.names.names[t.pName[p]],
            quoted: false,
            range: t.lines.range(t.pStart[p], t.pNameEnd(p)),
          },
          args: atoms(t, t.pAtoms[p], t.pNAtoms[p]),
          range: t.lines.range(t.pStart[p], t.pEnd(p)),
        });
      return { type: 'expect', keyword, target: irqRefNode(t, s), clauses, range };
    }
    case St.Inject:
      return {
        type: 'inject',
        keyword,
        address: t.sA[s] >= 0 ? atomNode(t, t.sA[s]) : undefined,
        data: t.sB[s] >= 0 ? atomNode(t, t.sB[s]) : undefined,
        from: opt(t.sC[s]),
        range,
      };
    case St.Node:
      return {
        type: 'node',
        keyword,
        id: t.sA[s] >= 0 ? atomNode(t, t.sA[s]) : undefined,
        groups: groupsOf(t, t.sArgs[s], t.sNArgs[s]),
        range,
      };
    case St.Release:
      return { type: 'release', keyword, device: opt(t.sA[s]), range };
  }
}
