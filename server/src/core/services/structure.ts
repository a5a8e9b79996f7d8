// Document structure: the outline (the domain tree, then the devices and their interrupts),
// workspace symbols, folding ranges, selection ranges and semantic tokens.

import { ARCHES, KINDS, type DomainClass } from '../kinds';
import { APIC_MODES, findDomain, groupsOfDevice, refsIn, type Domain, type Model } from '../model';
import type { Atom, Position, Range, Statement } from '../syntax/ast';
import { Kw } from '../syntax/names';
import { At, St } from '../syntax/tree';
import { formatList } from '../values';
import { keywordEnd, type SyntaxFile } from '../syntax/view';
import { cmp, contains, fileOf, statementAt } from './util';

export type SymbolKind = 'domain' | 'device' | 'irq';

/** The machine and history statements in the outline (`kind` then holds the nearest of the three). */
export type MachineSymbol = 'node' | 'offline' | 'release';

export interface DocumentSymbol {
  name: string;
  detail: string;
  /** domain, device or irq; for a machine or history statement the nearest: node → domain, offline and release → irq */
  kind: SymbolKind;
  /** set on `node`, `offline` and `release` statements */
  statement?: MachineSymbol;
  /** the domain's class, for domains */
  cls?: DomainClass;
  range: Range;
  selectionRange: Range;
  children: DocumentSymbol[];
}

/**
 * The outline of one file: its domains as a tree (each under its nearest ancestor declared in
 * the same file; the per-device domains a device implies under their parent), then its devices,
 * each with its interrupts. The outline walks parents iteratively (a chain 2,000 deep is fine).
 */
export function documentSymbols(m: Model, uri: string): DocumentSymbol[] {
  const file = fileOf(m, uri);
  if (!file) return [];
  const here = m.domains.filter((d) => d.file === file);
  const symbols = new Map<Domain, DocumentSymbol>();
  for (const d of here) {
    symbols.set(d, {
      name: d.name,
      detail: `${d.kindText}${d.implied ? ` (implied by ${m.devices.name[d.impliedFor]})` : ''}`,
      kind: 'domain',
      cls: d.kind ? KINDS[d.kind].cls : undefined,
      range: d.range,
      selectionRange: d.nameRange,
      children: [],
    });
  }
  const top: DocumentSymbol[] = [];
  for (const d of here) {
    // a cycle's members are not nested in each other (a ring no Outline could show): each is at the top
    let anc: Domain | undefined = d.onCycle ? undefined : d.parent;
    const seen = new Set<Domain>([d]);
    while (anc && !symbols.has(anc) && !seen.has(anc)) {
      seen.add(anc);
      anc = anc.parent;
    }
    const parent = anc && !seen.has(anc) ? symbols.get(anc) : undefined;
    (parent ? parent.children : top).push(symbols.get(d)!);
  }
  const D = m.devices;
  const G = m.groups;
  const t = file.tree;
  for (let dev = 0; dev < D.count; dev++) {
    if (m.files[D.file[dev]] !== file) continue;
    const children: DocumentSymbol[] = [];
    for (const g of groupsOfDevice(m, dev)) {
      if (m.files[G.file[g]] !== file) continue;
      const s = G.stmt[g];
      const first = G.first[g];
      children.push({
        name:
          first >= 0 ? `${G.name[g]}[${first === G.last[g] ? first : `${first}..${G.last[g]}`}]` : G.name[g],
        detail: t.sD[s] >= 0 ? t.nameOf(t.sD[s]) : '',
        kind: 'irq',
        range: file.range(t.sStart[s], t.sEnd[s]),
        selectionRange: file.range(t.aStart[t.sA[s]], t.sC[s] >= 0 ? t.aEnd(t.sC[s]) : t.aEnd(t.sB[s])),
        children: [],
      });
    }
    const rid = D.rid[dev];
    top.push({
      name: D.name[dev],
      detail: rid >= 0 ? `pci ${pciOf(D.segment[dev], rid)}` : D.platform[dev] ? 'platform' : '',
      kind: 'device',
      range: file.range(D.start[dev], D.end[dev]),
      selectionRange: file.range(D.nameStart[dev], D.nameEnd[dev]),
      children,
    });
  }
  // the machine and its history, in text order: NUMA nodes first, then offline and release at the end
  const machine: DocumentSymbol[] = [];
  const history: DocumentSymbol[] = [];
  // this file's nodes by id and offlines by place, once (not a search per statement)
  const nodes = new Map<number, Model['nodes'][number]>();
  for (const n of m.nodes) if (n.site.file === file && !nodes.has(n.id)) nodes.set(n.id, n);
  const offlines = new Map<number, Model['offlines'][number]>();
  for (const o of m.offlines)
    if (o.site.file === file && !offlines.has(o.site.start)) offlines.set(o.site.start, o);
  for (let s = 0; s < t.sCount; s++) {
    const k = t.sKind[s];
    const range = file.range(t.sStart[s], t.sEnd[s]);
    const kwRange = file.range(t.sStart[s], keywordEnd(t, s));
    if (k === St.Node && t.sA[s] >= 0) {
      const id = t.v1(t.sA[s]);
      const node = nodes.get(id);
      machine.push({
        name: `node ${id}`,
        detail: node ? `CPUs ${formatList(node.cpus)}` : 'NUMA node',
        kind: 'domain',
        statement: 'node',
        range,
        selectionRange: file.range(t.sStart[s], t.aEnd(t.sA[s])),
        children: [],
      });
    } else if (k === St.Release && t.sA[s] >= 0) {
      const dev = t.nameOf(t.sA[s]);
      history.push({
        name: `release ${dev}`,
        detail: 'history: frees its interrupts so far',
        kind: 'irq',
        statement: 'release',
        range,
        selectionRange: file.range(t.sStart[s], t.aEnd(t.sA[s])),
        children: [],
      });
    } else if (k === St.Setting && t.sKw[s] === Kw.offline) {
      const off = offlines.get(t.sStart[s]);
      history.push({
        name: `offline ${off ? formatList(off.cpus) : t.text.slice(keywordEnd(t, s), t.sEnd[s]).trim()}`,
        detail: 'CPU hotplug (what-if)',
        kind: 'irq',
        statement: 'offline',
        range,
        selectionRange: kwRange,
        children: [],
      });
    }
  }
  return [...machine, ...top, ...history];
}

function pciOf(seg: number, rid: number): string {
  const h = (n: number, w: number) => n.toString(16).padStart(w, '0');
  return `${h(seg, 4)}:${h(rid >> 8, 2)}:${h((rid >> 3) & 0x1f, 2)}.${rid & 7}`;
}

export interface WorkspaceSymbol {
  name: string;
  kind: SymbolKind;
  detail: string;
  uri: string;
  range: Range;
}

/** Declarations of a parsed file (no model needed: workspace symbols come from every file). */
export function fileSymbols(f: SyntaxFile): WorkspaceSymbol[] {
  const out: WorkspaceSymbol[] = [];
  const t = f.tree;
  for (let s = 0; s < t.sCount; s++) {
    const k = t.sKind[s];
    const a = t.sA[s];
    if (k === St.Domain)
      out.push({
        name: t.nameOf(a),
        kind: 'domain',
        detail: t.sB[s] >= 0 ? t.nameOf(t.sB[s]) : '',
        uri: f.uri,
        range: f.range(t.aStart[a], t.aEnd(a)),
      });
    else if (k === St.Device)
      out.push({
        name: t.nameOf(a),
        kind: 'device',
        detail: 'device',
        uri: f.uri,
        range: f.range(t.aStart[a], t.aEnd(a)),
      });
    else if (k === St.Irq && t.sB[s] >= 0)
      out.push({
        name: `${t.nameOf(a)}.${t.nameOf(t.sB[s])}`,
        kind: 'irq',
        detail: t.sD[s] >= 0 ? t.nameOf(t.sD[s]) : '',
        uri: f.uri,
        range: f.range(t.aStart[a], t.sC[s] >= 0 ? t.aEnd(t.sC[s]) : t.aEnd(t.sB[s])),
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

export function foldingRanges(f: SyntaxFile): FoldingRange[] {
  const out: FoldingRange[] = [];
  const t = f.tree;
  const L = t.lines;
  const starts = new Set<number>();
  for (let s = 0; s < t.sCount; s++) {
    starts.add(L.lineOf(t.sStart[s]));
    const open = t.sBOpen[s];
    if (open >= 0) {
      const close = t.sBClose[s] >= 0 ? t.sBClose[s] + 1 : t.sEnd[s];
      const a = L.lineOf(open);
      const b = L.lineOf(close);
      // the closing '}' stays visible
      if (b - 1 > a) out.push({ startLine: a, endLine: b - 1 });
      for (let p = t.sProps[s]; p < t.sProps[s] + t.sNProps[s]; p++) starts.add(L.lineOf(t.pStart[p]));
    }
  }
  // runs of two or more consecutive `node` (or `offline`, or `release`) statements, one per line
  let run = -1;
  let runKey = -1;
  let runLast = -1;
  const closeRun = () => {
    if (run >= 0 && runLast > run) out.push({ startLine: run, endLine: runLast, kind: 'region' });
    run = runKey = runLast = -1;
  };
  for (let s = 0; s < t.sCount; s++) {
    const kind = t.sKind[s];
    const key =
      kind === St.Node
        ? 1
        : kind === St.Release
          ? 2
          : kind === St.Setting && t.sKw[s] === Kw.offline
            ? 3
            : -1;
    const line = L.lineOf(t.sStart[s]);
    if (key < 0 || key !== runKey || line !== runLast + 1) {
      closeRun();
      if (key < 0) continue;
      run = line;
      runKey = key;
    }
    runLast = L.lineOf(t.sEnd[s]);
  }
  closeRun();
  // runs of whole-line comments
  let runStart = -1;
  let prev = -2;
  for (let c = 0; c < t.cCount; c++) {
    const l = L.lineOf(t.cStart[c]);
    if (starts.has(l)) continue;
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
export function selectionRange(f: SyntaxFile, p: Position): SelectionRange {
  const chain: Range[] = [];
  const t = f.tree;
  const whole: Range = {
    start: { line: 0, character: 0 },
    end: t.sCount ? f.position(t.sEnd[t.sCount - 1]) : p,
  };
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
const FIXED_VALUES = new Set<string>([...APIC_MODES, ...ARCHES]);

/**
 * The LSP relative encoding (5 integers per token), tokens sorted by position. Reads the tables: a
 * range request walks only the statements that overlap it.
 */
export function semanticTokens(m: Model, uri: string, range?: Range): number[] {
  const f = fileOf(m, uri);
  if (!f) return [];
  const t = f.tree;
  const L = t.lines;
  // the statements (and so the offsets) the request covers
  const lo = range ? L.offset(range.start) : 0;
  const hi = range ? L.offset({ line: range.end.line + 1, character: 0 }) : t.text.length;
  let s0 = range ? t.firstEndingAtOrAfter(lo) : 0;
  if (s0 > 0 && t.sEnd[s0 - 1] >= lo) s0--;
  const toks: number[] = []; // start, length, type, mods
  const push = (start: number, end: number, type: number, mods: number) => {
    if (end <= start || end < lo || start > hi) return;
    toks.push(start, end - start, type, mods);
  };
  const domainKinds = new Map<string, Domain | undefined>();
  const domainTok = (name: string, start: number, end: number, decl: boolean) => {
    let d = domainKinds.get(name);
    if (d === undefined && !domainKinds.has(name)) domainKinds.set(name, (d = findDomain(m, name)));
    const cls = d?.kind ? KINDS[d.kind].cls : undefined;
    if (!cls) return push(start, end, T_TYPE, decl ? M_DECL : 0);
    push(start, end, CLASS_TYPE[cls], CLASS_MOD[cls] | (decl ? M_DECL : 0) | (d?.implied ? M_IMPLIED : 0));
  };
  for (let s = s0; s < t.sCount && t.sStart[s] <= hi; s++) {
    const kind = t.sKind[s];
    push(t.sStart[s], keywordEnd(t, s), T_KEYWORD, 0);
    const a = t.sA[s];
    if (kind === St.Domain && a >= 0) domainTok(t.nameOf(a), t.aStart[a], t.aEnd(a), true);
    if (kind === St.Device && a >= 0) push(t.aStart[a], t.aEnd(a), T_VARIABLE, M_DECL);
    if (kind === St.Domain && t.sB[s] >= 0)
      push(t.aStart[t.sB[s]], t.aEnd(t.sB[s]), T_TYPE, M_DEFAULT_LIBRARY);
    if ((kind === St.Irq || kind === St.Expect) && t.sB[s] >= 0)
      push(t.aStart[t.sB[s]], t.aEnd(t.sB[s]), T_EVENT, kind === St.Irq ? M_DECL : 0);
    if (kind === St.Irq && t.sD[s] >= 0) push(t.aStart[t.sD[s]], t.aEnd(t.sD[s]), T_ENUM_MEMBER, 0);
    for (let p = t.sProps[s]; p < t.sProps[s] + t.sNProps[s]; p++)
      push(t.pStart[p], t.pNameEnd(p), T_PROPERTY, 0);
    if (kind === St.Node && t.sA[s] >= 0) {
      // `cpus` between the node number and its CPUs: a keyword of the statement
      const from = t.aEnd(t.sA[s]);
      const at = t.text.slice(from, t.sNArgs[s] > 0 ? t.aStart[t.sArgs[s]] : t.sEnd[s]).indexOf('cpus');
      if (at >= 0) push(from + at, from + at + 4, T_KEYWORD, 0);
    }
    if (kind === St.Setting) {
      // fixed words after the keyword: `adjacent` (smt) is a keyword, the APIC driver, the
      // architecture are members of a fixed set, like an interrupt source
      for (let x = t.sArgs[s]; x < t.sArgs[s] + t.sNArgs[s]; x++) {
        if (t.atomKind(x) !== At.Name) continue;
        const w = t.nameOf(x);
        if (w === 'adjacent') push(t.aStart[x], t.aEnd(x), T_KEYWORD, 0);
        else if (FIXED_VALUES.has(w)) push(t.aStart[x], t.aEnd(x), T_ENUM_MEMBER, M_DEFAULT_LIBRARY);
      }
    }
    if (kind === St.Inject && t.sC[s] >= 0) {
      const from = t.text.lastIndexOf('from', t.aStart[t.sC[s]]);
      if (from >= t.sStart[s]) push(from, from + 4, T_KEYWORD, 0);
    }
  }
  for (const r of refsIn(m, f)) {
    if (r.end < lo || r.start > hi) continue;
    if (r.kind === 'domain') domainTok(r.name, r.start, r.end, false);
    else if (r.kind === 'device') push(r.start, r.end, T_VARIABLE, 0);
  }
  // sort by start, then length; keep the first of overlapping tokens
  const n = toks.length / 4;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((x, y) => toks[x * 4] - toks[y * 4] || toks[x * 4 + 1] - toks[y * 4 + 1]);
  const data: number[] = [];
  let pl = 0;
  let pc = 0;
  let lastEnd = -1;
  for (const i of order) {
    const start = toks[i * 4];
    const len = toks[i * 4 + 1];
    if (start < lastEnd) continue; // overlapping: keep the first
    const pos = L.position(start);
    const end = L.position(start + len);
    if (end.line !== pos.line) continue; // tokens never span lines
    data.push(
      pos.line - pl,
      pos.line === pl ? pos.character - pc : pos.character,
      len,
      toks[i * 4 + 2],
      toks[i * 4 + 3],
    );
    pl = pos.line;
    pc = pos.character;
    lastEnd = start + len;
  }
  return data;
}
