// Document structure: the outline (the domain tree, then the devices and their interrupts),
// workspace symbols, folding ranges, selection ranges and semantic tokens.

import { KINDS, type DomainClass } from '../kinds';
import type { Domain, Model } from '../model';
import type { Atom, Position, Range, SourceFile, Statement } from '../syntax/ast';
import { cmp, contains, fileOf, statementAt } from './util';

export type SymbolKind = 'domain' | 'device' | 'irq';

export interface DocumentSymbol {
  name: string;
  detail: string;
  kind: SymbolKind;
  /** the domain's class, for domains */
  cls?: DomainClass;
  range: Range;
  selectionRange: Range;
  children: DocumentSymbol[];
}

/**
 * The outline of one file: its domains as a tree (each under its nearest ancestor declared in
 * the same file; the per-device domains a device implies under their parent), then its devices,
 * each with its interrupts.
 */
export function documentSymbols(m: Model, uri: string): DocumentSymbol[] {
  const here = m.domains.filter((d) => d.uri === uri);
  const symbols = new Map<Domain, DocumentSymbol>();
  for (const d of here) {
    symbols.set(d, {
      name: d.name,
      detail: `${d.kindText}${d.implied ? ` (implied by ${d.impliedFor?.name})` : ''}`,
      kind: 'domain',
      cls: d.kind ? KINDS[d.kind].cls : undefined,
      range: d.range,
      selectionRange: d.nameRange,
      children: [],
    });
  }
  const top: DocumentSymbol[] = [];
  for (const d of here) {
    let anc: Domain | undefined = d.parent;
    const seen = new Set<Domain>([d]);
    while (anc && !symbols.has(anc) && !seen.has(anc)) {
      seen.add(anc);
      anc = anc.parent;
    }
    const parent = anc && !seen.has(anc) ? symbols.get(anc) : undefined;
    (parent ? parent.children : top).push(symbols.get(d)!);
  }
  for (const dev of m.devices) {
    if (dev.uri !== uri) continue;
    const children: DocumentSymbol[] = dev.groups
      .filter((g) => g.uri === uri)
      .map((g) => ({
        name: g.statement.target.index
          ? `${g.name}[${g.first === g.last ? g.first : `${g.first}..${g.last}`}]`
          : g.name,
        detail: g.irqs[0]?.source?.kind ?? '',
        kind: 'irq' as const,
        range: g.statement.range,
        selectionRange: g.nameRange,
        children: [],
      }));
    top.push({
      name: dev.name,
      detail: dev.pci ? `pci ${dev.pci.text}` : dev.platform ? 'platform' : '',
      kind: 'device',
      range: dev.range,
      selectionRange: dev.nameRange,
      children,
    });
  }
  return top;
}

export interface WorkspaceSymbol {
  name: string;
  kind: SymbolKind;
  detail: string;
  uri: string;
  range: Range;
}

/** Declarations of a parsed file (no model needed: workspace symbols come from every file). */
export function fileSymbols(f: SourceFile): WorkspaceSymbol[] {
  const out: WorkspaceSymbol[] = [];
  for (const st of f.statements) {
    if (st.type === 'domain')
      out.push({
        name: st.name.value,
        kind: 'domain',
        detail: st.kind?.value ?? '',
        uri: f.uri,
        range: st.name.range,
      });
    else if (st.type === 'device')
      out.push({ name: st.name.value, kind: 'device', detail: 'device', uri: f.uri, range: st.name.range });
    else if (st.type === 'irq' && st.target.name)
      out.push({
        name: `${st.target.device.value}.${st.target.name.value}`,
        kind: 'irq',
        detail: st.source?.kind.value ?? '',
        uri: f.uri,
        range: st.target.range,
      });
  }
  return out;
}

/** Fuzzy match: the query's characters in order, case-insensitive. */
export function matchesQuery(name: string, query: string): boolean {
  if (!query) return true;
  const n = name.toLowerCase();
  let i = 0;
  for (const ch of query.toLowerCase()) {
    i = n.indexOf(ch, i);
    if (i < 0) return false;
    i++;
  }
  return true;
}

export interface FoldingRange {
  startLine: number;
  endLine: number;
  kind?: 'comment' | 'region';
}

export function foldingRanges(f: SourceFile): FoldingRange[] {
  const out: FoldingRange[] = [];
  for (const st of f.statements) {
    const block = 'block' in st ? st.block : undefined;
    // the closing '}' stays visible
    if (block && block.range.end.line - 1 > block.range.start.line)
      out.push({ startLine: block.range.start.line, endLine: block.range.end.line - 1 });
  }
  // runs of whole-line comments
  let runStart = -1;
  let prev = -2;
  const ownLine = new Set<number>();
  const starts = new Set<number>(f.statements.map((s) => s.range.start.line));
  for (const st of f.statements)
    if ('block' in st && st.block) for (const p of st.block.properties) starts.add(p.range.start.line);
  for (const c of f.comments) if (!starts.has(c.range.start.line)) ownLine.add(c.range.start.line);
  for (const c of f.comments) {
    const l = c.range.start.line;
    if (!ownLine.has(l)) continue;
    if (l !== prev + 1) {
      if (runStart >= 0 && prev > runStart) out.push({ startLine: runStart, endLine: prev, kind: 'comment' });
      runStart = l;
    }
    prev = l;
  }
  if (runStart >= 0 && prev > runStart) out.push({ startLine: runStart, endLine: prev, kind: 'comment' });
  return out.sort((a, b) => a.startLine - b.startLine);
}

export interface SelectionRange {
  range: Range;
  parent?: SelectionRange;
}

/** Nested ranges around a position: atom or name, property, block, statement, whole file. */
export function selectionRange(f: SourceFile, p: Position): SelectionRange {
  const chain: Range[] = [];
  const last = f.statements[f.statements.length - 1];
  const whole: Range = { start: { line: 0, character: 0 }, end: last ? last.range.end : p };
  chain.push(whole);
  const st = statementAt(f, p);
  if (st) {
    chain.push(st.range);
    for (const r of innerRanges(st, p)) chain.push(r);
  }
  let cur: SelectionRange | undefined;
  for (const r of chain) {
    if (cur && cmp(r.start, cur.range.start) === 0 && cmp(r.end, cur.range.end) === 0) continue;
    if (cur && !(cmp(cur.range.start, r.start) <= 0 && cmp(r.end, cur.range.end) <= 0)) continue;
    cur = { range: r, parent: cur };
  }
  return cur ?? { range: { start: p, end: p } };
}

function innerRanges(st: Statement, p: Position): Range[] {
  const out: Range[] = [];
  const atoms = (groups: Atom[][]) => {
    for (const g of groups) for (const a of g) if (contains(a.range, p)) out.push(a.range);
  };
  switch (st.type) {
    case 'setting':
      atoms(st.groups);
      break;
    case 'domain':
    case 'device':
    case 'irq':
      if (st.type === 'irq') {
        if (contains(st.target.range, p)) {
          out.push(st.target.range);
          if (contains(st.target.device.range, p)) out.push(st.target.device.range);
          else if (st.target.name && contains(st.target.name.range, p)) out.push(st.target.name.range);
        }
        if (st.source && contains(st.source.range, p)) {
          out.push(st.source.range);
          for (const a of st.source.args) if (contains(a.range, p)) out.push(a.range);
        }
      } else if (contains(st.name.range, p)) out.push(st.name.range);
      if (st.type === 'domain' && st.kind && contains(st.kind.range, p)) out.push(st.kind.range);
      if (st.block && contains(st.block.range, p)) {
        out.push(st.block.range);
        for (const prop of st.block.properties) {
          if (!contains(prop.range, p)) continue;
          out.push(prop.range);
          if (contains(prop.name.range, p)) out.push(prop.name.range);
          atoms(prop.groups);
        }
      }
      break;
    case 'expect':
      if (contains(st.target.range, p)) out.push(st.target.range);
      for (const c of st.clauses) {
        if (!contains(c.range, p)) continue;
        out.push(c.range);
        for (const a of c.args) if (contains(a.range, p)) out.push(a.range);
      }
      break;
    case 'include':
      if (st.path && contains(st.path.range, p)) out.push(st.path.range);
      break;
    case 'inject':
      for (const a of [st.address, st.data]) if (a && contains(a.range, p)) out.push(a.range);
      if (st.from && contains(st.from.range, p)) out.push(st.from.range);
      break;
  }
  return out;
}

// ---- semantic tokens ------------------------------------------------------------------------

/**
 * Token types: domains take the standard type that matches their class, so themes colour the
 * classes apart (root: namespace, MSI parent: class, device-level: struct, wired: enum);
 * devices are variables, interrupts events, kinds types, properties and keywords as such.
 */
export const TOKEN_TYPES = [
  'namespace',
  'class',
  'struct',
  'enum',
  'variable',
  'event',
  'type',
  'property',
  'keyword',
  'enumMember',
] as const;
export const TOKEN_MODIFIERS = [
  'declaration',
  'defaultLibrary',
  'root',
  'msiParent',
  'deviceDomain',
  'wired',
  'implied',
] as const;

const CLASS_TYPE: Record<DomainClass, number> = { root: 0, 'msi-parent': 1, device: 2, wired: 3 };
const CLASS_MOD: Record<DomainClass, number> = {
  root: 1 << 2,
  'msi-parent': 1 << 3,
  device: 1 << 4,
  wired: 1 << 5,
};
const T_VARIABLE = 4;
const T_EVENT = 5;
const T_TYPE = 6;
const T_PROPERTY = 7;
const T_KEYWORD = 8;
const T_ENUM_MEMBER = 9;
const M_DECL = 1;
const M_DEFAULT_LIBRARY = 1 << 1;
const M_IMPLIED = 1 << 6;

interface Tok {
  line: number;
  char: number;
  length: number;
  type: number;
  mods: number;
}

/** The LSP relative encoding (5 integers per token), tokens sorted by position. */
export function semanticTokens(m: Model, uri: string, range?: Range): number[] {
  const f = fileOf(m, uri);
  if (!f) return [];
  const toks: Tok[] = [];
  const push = (r: Range, type: number, mods: number) => {
    if (r.start.line !== r.end.line || r.end.character <= r.start.character) return;
    if (range && (r.end.line < range.start.line || r.start.line > range.end.line)) return;
    toks.push({
      line: r.start.line,
      char: r.start.character,
      length: r.end.character - r.start.character,
      type,
      mods,
    });
  };
  const domainTok = (d: Domain | undefined, r: Range, decl: boolean) => {
    const cls = d?.kind ? KINDS[d.kind].cls : undefined;
    if (!cls) return push(r, T_TYPE, decl ? M_DECL : 0);
    push(r, CLASS_TYPE[cls], CLASS_MOD[cls] | (decl ? M_DECL : 0) | (d?.implied ? M_IMPLIED : 0));
  };
  for (const d of m.domains) if (d.uri === uri && !d.implied) domainTok(d, d.nameRange, true);
  for (const d of m.devices) if (d.uri === uri) push(d.nameRange, T_VARIABLE, M_DECL);
  for (const r of m.refs) {
    if (r.uri !== uri) continue;
    if (r.kind === 'domain') domainTok(r.target as Domain | undefined, r.range, false);
    else if (r.kind === 'device') push(r.range, T_VARIABLE, 0);
  }
  for (const st of f.statements) {
    push(st.keyword.range, T_KEYWORD, 0);
    if (st.type === 'domain' && st.kind) push(st.kind.range, T_TYPE, M_DEFAULT_LIBRARY);
    if ((st.type === 'irq' || st.type === 'expect') && st.target.name)
      push(st.target.name.range, T_EVENT, st.type === 'irq' ? M_DECL : 0);
    if (st.type === 'irq' && st.source) push(st.source.kind.range, T_ENUM_MEMBER, 0);
    if (st.type === 'expect') for (const c of st.clauses) push(c.name.range, T_PROPERTY, 0);
    if ((st.type === 'domain' || st.type === 'device' || st.type === 'irq') && st.block)
      for (const p of st.block.properties) push(p.name.range, T_PROPERTY, 0);
  }
  toks.sort((a, b) => a.line - b.line || a.char - b.char || a.length - b.length);
  const data: number[] = [];
  let pl = 0;
  let pc = 0;
  let lastLine = -1;
  let lastEnd = -1;
  for (const t of toks) {
    if (t.line === lastLine && t.char < lastEnd) continue; // overlapping: keep the first
    data.push(t.line - pl, t.line === pl ? t.char - pc : t.char, t.length, t.type, t.mods);
    pl = t.line;
    pc = t.char;
    lastLine = t.line;
    lastEnd = t.char + t.length;
  }
  return data;
}
