// Quick fixes with a mechanical answer (issue 14): `ims-no-slots` (add `slots N`), `msix-index-range`
// (raise the table, or use a free entry), `cpu-unknown` (add the CPU to `cpus`, or drop it), and an
// undeclared device in `irq X.q` (declare it). Each returns plain edits; actions.ts dispatches to them.
// `cpu-unplug-refused` has no automatic fix: its hover says what to change (hover-machine.ts).

import { Src } from '../model/types';
import { groupsOfDevice, type Model } from '../model';
import { Kw } from '../syntax/names';
import { At, St } from '../syntax/tree';
import type { SyntaxFile } from '../syntax/view';
import type { Range } from '../syntax/ast';
import type { Diagnostic } from '../types';
import { formatList } from '../values';
import { fileOf, sameRange, writeName, type TextEdit } from './util';

export interface Fix {
  title: string;
  /** the edits, each with its file */
  edits: FileEdit[];
  preferred: boolean;
  key: string;
}

const MAX_MSIX = 2048;

/** An edit in a file. */
export interface FileEdit extends TextEdit {
  uri: string;
}

function spanEdit(f: SyntaxFile, start: number, end: number, text: string): FileEdit {
  return { uri: f.uri, range: f.range(start, end), newText: text };
}

/** The statement row whose span holds the start of a range, or -1. */
function stmtAt(f: SyntaxFile, r: Range): number {
  return f.tree.statementAt(f.offset(r.start));
}

/** The property row of statement s whose span holds an offset, or -1. */
function propAt(f: SyntaxFile, s: number, off: number): number {
  const t = f.tree;
  for (let p = t.sProps[s]; p < t.sProps[s] + t.sNProps[s]; p++)
    if (t.pStart[p] <= off && off <= t.pEnd(p)) return p;
  return -1;
}

/**
 * Adds `text` as the last property of statement s's block (a block is made when it has none): on
 * one line after `; `, or on a new line indented like the last property.
 */
export function addPropertyEdit(f: SyntaxFile, s: number, text: string): FileEdit {
  const t = f.tree;
  const open = t.sBOpen[s];
  if (open < 0) return spanEdit(f, t.sEnd[s], t.sEnd[s], ` { ${text} }`);
  const n = t.sNProps[s];
  if (n === 0) return spanEdit(f, open + 1, open + 1, ` ${text} `);
  const last = t.sProps[s] + n - 1;
  const end = t.pEnd(last);
  const close = t.sBClose[s];
  const oneLine = close >= 0 && f.position(open).line === f.position(close).line;
  if (oneLine) return spanEdit(f, end, end, `; ${text}`);
  const col = f.position(t.pStart[last]).character;
  return spanEdit(f, end, end, `\n${' '.repeat(col)}${text}`);
}

/**
 * Removes property p of statement s: with its `;` separator, or its whole line when it is alone on it;
 * the last property of a one-line block takes the block with it (`device d { node 9 }` → `device d`).
 */
export function removePropertyEdit(f: SyntaxFile, s: number, p: number): FileEdit {
  const t = f.tree;
  const text = t.text;
  const open = t.sBOpen[s];
  const close = t.sBClose[s];
  if (t.sNProps[s] === 1 && open >= 0 && close >= 0 && !text.slice(open, close).includes('\n')) {
    let from = open;
    while (from > t.sStart[s] && (text[from - 1] === ' ' || text[from - 1] === '\t')) from--;
    return spanEdit(f, from, close + 1, '');
  }
  let start = t.pStart[p];
  let end = t.pEnd(p);
  const after = /^[ \t]*;[ \t]*/.exec(text.slice(end));
  if (after) return spanEdit(f, start, end + after[0].length, '');
  const before = /[ \t]*;[ \t]*$/.exec(text.slice(Math.max(0, start - 64), start));
  if (before) return spanEdit(f, start - before[0].length, end, '');
  // alone on its line: the line goes
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const nl = text.indexOf('\n', end);
  if (
    text.slice(lineStart, start).trim() === '' &&
    text.slice(end, nl < 0 ? text.length : nl).trim() === ''
  ) {
    start = lineStart;
    end = nl < 0 ? text.length : nl + 1;
  }
  return spanEdit(f, start, end, '');
}

// ---- ims-no-slots ------------------------------------------------------------------------------

export function imsNoSlotsFix(m: Model, diag: Diagnostic): Fix[] {
  const d = m.domains.find(
    (x) => x.kind === 'ims' && x.uri === diag.uri && sameRange(x.nameRange, diag.range),
  );
  if (!d || d.implied || d.stmt < 0) return [];
  let n = 0;
  const G = m.groups;
  for (let g = 0; g < G.count; g++) if (G.domain[g] === d.index) n += G.size[g];
  const slots = Math.max(1, n);
  return [
    {
      title: `Add \`slots ${slots}\` to '${d.name}' (${n ? `room for its ${n} IMS interrupt${n > 1 ? 's' : ''}` : 'one slot'}; use the device's message store size)`,
      edits: [addPropertyEdit(d.file, d.stmt, `slots ${slots}`)],
      preferred: true,
      key: `ims-slots:${d.name}`,
    },
  ];
}

// ---- msix-index-range --------------------------------------------------------------------------

export interface MsixUse {
  g: number;
  /** explicit first entry, or -1 (the lowest free) */
  arg: number;
  size: number;
}

/**
 * A device's `msix`-sourced statements, cut where a `release` of the device frees its entries (the
 * statements after one count from entry 0 again, as msix-index-range counts them). Made once per
 * model: fix-all asks for every msix-index-range finding, and a device may hold 2^18 statements.
 */
interface MsixDevice {
  segments: MsixUse[][];
  /** group -> [segment, position in it] */
  at: Map<number, [number, number]>;
  /** the highest entry any segment takes (explicit, else the next free) */
  max: number;
}

const msixDevices = new WeakMap<Model, Map<number, MsixDevice>>();
const groupAtStatement = new WeakMap<Model, Map<number, number>>();

function msixDevice(m: Model, dev: number): MsixDevice {
  let byDev = msixDevices.get(m);
  if (!byDev) msixDevices.set(m, (byDev = new Map<number, MsixDevice>()));
  let md = byDev.get(dev);
  if (md) return md;
  const G = m.groups;
  const cuts = m.releases.filter((r) => r.device === dev).map((r) => r.before);
  const segments: MsixUse[][] = [[]];
  const at = new Map<number, [number, number]>();
  let c = 0;
  for (const g of groupsOfDevice(m, dev)) {
    for (; c < cuts.length && cuts[c] <= g; c++) if (segments[segments.length - 1].length) segments.push([]);
    if (G.source[g] !== Src.Msix) continue;
    const seg = segments[segments.length - 1];
    at.set(g, [segments.length - 1, seg.length]);
    seg.push({ g, arg: G.sourceArg[g], size: G.size[g] });
  }
  let max = -1;
  for (const seg of segments) max = Math.max(max, segmentMax(seg));
  byDev.set(dev, (md = { segments, at, max }));
  return md;
}

/** The highest entry a segment's statements take (explicit, else the next free): a set of the entries, O(entries). */
function segmentMax(uses: readonly MsixUse[]): number {
  const used = new Set<number>();
  let next = 0;
  let max = -1;
  for (const u of uses)
    for (let k = 0; k < u.size; k++) {
      let e = u.arg + k;
      if (u.arg < 0) {
        while (used.has(next)) next++;
        e = next;
      }
      used.add(e);
      if (e > max) max = e;
    }
  return max;
}

/**
 * The lowest first entry for statement `i` of a segment (explicit, `size` entries) such that every
 * statement of the segment fits the table with no entry taken twice, the others unmoved; -1 if none.
 * Entries at or past the table fail a candidate, so each pass stops within `table` entries: O(table^2)
 * at most (2048^2), whatever the number of statements.
 */
export function lowestFittingEntry(uses: readonly MsixUse[], i: number, table: number): number {
  const size = uses[i].size;
  if (size > table) return -1;
  // statements [from, to) placed over `used` with the next-free pointer `next`: the pointer after
  // them, or -1 when one takes an entry past the table or one already taken
  const run = (used: Uint8Array, from: number, to: number, next: number): number => {
    for (let j = from; j < to; j++) {
      const u = uses[j];
      for (let k = 0; k < u.size; k++) {
        let e = u.arg + k;
        if (u.arg < 0) {
          while (next < table && used[next]) next++;
          e = next;
        }
        if (e >= table || used[e]) return -1;
        used[e] = 1;
      }
    }
    return next;
  };
  // the statements before i take what they take whatever i does
  const before = new Uint8Array(table);
  const next0 = run(before, 0, i, 0);
  if (next0 < 0) return -1;
  const tried = new Uint8Array(table);
  for (let e = 0; e + size <= table; e++) {
    let free = true;
    for (let k = e; k < e + size && free; k++) if (before[k]) free = false;
    if (!free) continue;
    tried.set(before);
    tried.fill(1, e, e + size);
    if (run(tried, i + 1, uses.length, next0) >= 0) return e;
  }
  return -1;
}

export function msixIndexFix(m: Model, diag: Diagnostic): Fix[] {
  const f = fileOf(m, diag.uri);
  if (!f) return [];
  const t = f.tree;
  const s = stmtAt(f, diag.range);
  if (s < 0 || t.sKind[s] !== St.Irq) return [];
  const G = m.groups;
  const fi = m.files.indexOf(f);
  let byStmt = groupAtStatement.get(m);
  if (!byStmt) {
    // (the last group of a statement, as a scan would find it)
    groupAtStatement.set(m, (byStmt = new Map<number, number>()));
    for (let x = 0; x < G.count; x++) byStmt.set(G.file[x] * 2 ** 20 + G.stmt[x], x);
  }
  const g = byStmt.get(fi * 2 ** 20 + s) ?? -1;
  if (g < 0) return [];
  const dev = G.device[g];
  const D = m.devices;
  const table = D.msix[dev];
  if (table < 0 || D.pMsix[dev] < 0) return [];
  const md = msixDevice(m, dev);
  const out: Fix[] = [];
  const need = md.max + 1;
  const devFile = m.files[D.file[dev]];
  const p = D.pMsix[dev];
  if (need > table && need <= MAX_MSIX && devFile.tree.pNAtoms[p] === 1) {
    const a = devFile.tree.pAtoms[p];
    out.push({
      title: `Raise ${D.name[dev]}'s MSI-X table to ${need} entries (\`msix ${need}\`), if the device has them`,
      edits: [spanEdit(devFile, devFile.tree.aStart[a], devFile.tree.aEnd(a), String(need))],
      preferred: false,
      key: `msix-table:${D.name[dev]}:${need}`,
    });
  }
  // an explicit index: the lowest entry from which the statement fits in the table, with every other statement unmoved
  const where = md.at.get(g);
  const arg = t.sNArgs[s] === 1 ? t.sArgs[s] : -1;
  if (where && arg >= 0) {
    const seg = md.segments[where[0]];
    const me = seg[where[1]];
    const e = me.arg >= 0 ? lowestFittingEntry(seg, where[1], table) : -1;
    if (e >= 0)
      out.push({
        title: `Use MSI-X entr${me.size > 1 ? `ies ${e}-${e + me.size - 1}` : `y ${e}`} (free, inside the ${table}-entry table)`,
        edits: [spanEdit(f, t.aStart[arg], t.aEnd(arg), String(e))],
        preferred: true,
        key: `msix-index:${diag.uri}:${t.sStart[s]}:${e}`,
      });
  }
  return out;
}

// ---- cpu-unknown -------------------------------------------------------------------------------

/** The list's atoms [first, first + n) of a statement or property, the part a CPU list is written in. */
interface CpuList {
  file: SyntaxFile;
  first: number;
  n: number;
  /** the CPUs written, in order */
  cpus: number[];
  /** the CPUs that must be in `against` */
  against: 'online' | 'possible';
  /** what the list is, for titles */
  what: string;
  /** how to drop the whole thing when nothing is left, if it may go */
  removeAll?: { edit: FileEdit; title: string };
}

function atomsCpus(f: SyntaxFile, first: number, n: number): number[] {
  const t = f.tree;
  const out: number[] = [];
  for (let a = first; a < first + n; a++) {
    const k = t.atomKind(a);
    if (k === At.Number) out.push(t.v1(a));
    else if (k === At.Range) for (let c = t.v1(a); c <= t.v2(a) && out.length < 8192; c++) out.push(c);
  }
  return out;
}

function cpuListAt(m: Model, diag: Diagnostic): CpuList | undefined {
  const f = fileOf(m, diag.uri);
  if (!f) return undefined;
  const t = f.tree;
  const s = stmtAt(f, diag.range);
  if (s < 0) return undefined;
  const off = f.offset(diag.range.start);
  const kind = t.sKind[s];
  const stmtRemoval = (): FileEdit => {
    const nl = t.text.indexOf('\n', t.sEnd[s]);
    const lineStart = t.text.lastIndexOf('\n', t.sStart[s] - 1) + 1;
    const alone =
      t.text.slice(lineStart, t.sStart[s]).trim() === '' &&
      t.text
        .slice(t.sEnd[s], nl < 0 ? t.text.length : nl)
        .replace(/(#|\/\/).*$/, '')
        .trim() === '';
    return alone
      ? spanEdit(f, lineStart, nl < 0 ? t.text.length : nl + 1, '')
      : spanEdit(f, t.sStart[s], t.sEnd[s], '');
  };
  if (kind === St.Setting) {
    if (t.sKw[s] === Kw.offline)
      return {
        file: f,
        first: t.sArgs[s],
        n: t.sNArgs[s],
        cpus: atomsCpus(f, t.sArgs[s], t.sNArgs[s]),
        against: 'online',
        what: '`offline`',
        removeAll: { edit: stmtRemoval(), title: 'Remove the `offline` statement' },
      };
    return undefined;
  }
  if (kind === St.Node)
    return {
      file: f,
      first: t.sArgs[s],
      n: t.sNArgs[s],
      cpus: atomsCpus(f, t.sArgs[s], t.sNArgs[s]),
      against: 'possible',
      what: `node ${t.sA[s] >= 0 ? t.v1(t.sA[s]) : ''}`.trim(),
    };
  const p = propAt(f, s, off);
  if (p < 0) return undefined;
  const name = t.names.names[t.pName[p]];
  let n = t.pNAtoms[p];
  if (name === 'in-use') {
    // `in-use CPULIST : VECTORLIST`: the CPUs are the atoms before the colon
    for (let a = t.pAtoms[p]; a < t.pAtoms[p] + n; a++)
      if (t.atomKind(a) === At.Punct) {
        n = a - t.pAtoms[p];
        break;
      }
  } else if (name !== 'affinity' && name !== 'cpu') return undefined;
  return {
    file: f,
    first: t.pAtoms[p],
    n,
    cpus: atomsCpus(f, t.pAtoms[p], n),
    against: 'online',
    what: `\`${name}\``,
    removeAll: {
      edit: removePropertyEdit(f, s, p),
      title:
        name === 'affinity'
          ? 'Remove `affinity` (the interrupt may then use every CPU)'
          : name === 'cpu'
            ? 'Remove the pinned `cpu` (the simulation then places it)'
            : 'Remove this `in-use`',
    },
  };
}

/** The edit that rewrites a statement's list values (cpus, possible-cpus) to hold `add` as well. */
function addToList(
  site: { file: SyntaxFile; start: number; end: number },
  have: number[],
  add: number[],
): FileEdit {
  const all = [...new Set([...have, ...add])].sort((a, b) => a - b);
  return spanEdit(site.file, site.start, site.end, formatList(all));
}

export function cpuUnknownFix(m: Model, diag: Diagnostic): Fix[] {
  // possible-cpus leaves out online CPUs: add them
  if (
    m.possibleSite &&
    m.possibleSite.file.uri === diag.uri &&
    sameRange(m.possibleSite.file.range(m.possibleSite.start, m.possibleSite.end), diag.range)
  ) {
    const have = new Set(m.possibleCpus);
    const missing = m.cpus.filter((c) => !have.has(c));
    if (!missing.length) return [];
    return [
      {
        title: `Add CPU${missing.length > 1 ? 's' : ''} ${formatList(missing)} to \`possible-cpus\``,
        edits: [addToList(m.possibleSite, m.possibleCpus, missing)],
        preferred: true,
        key: `possible-add:${formatList(missing)}`,
      },
    ];
  }
  const list = cpuListAt(m, diag);
  if (!list || list.n <= 0) return [];
  const ref = new Set(list.against === 'online' ? m.cpus : m.possibleCpus);
  const bad = [...new Set(list.cpus.filter((c) => !ref.has(c)))].sort((a, b) => a - b);
  if (!bad.length) return [];
  const out: Fix[] = [];
  const cpusText = `CPU${bad.length > 1 ? 's' : ''} ${formatList(bad)}`;
  // add: to `cpus` (and `possible-cpus` when given and short of them); not when `node`s are given and
  // the CPU would be in none (that is an error of its own)
  const inNode = new Set(m.nodes.flatMap((x) => x.cpus));
  const orphan = m.nodesGiven && bad.some((c) => !inNode.has(c));
  const target = list.against === 'possible' && m.possibleSite ? m.possibleSite : m.cpusSite;
  if (target && !orphan) {
    const edits = [addToList(target, target === m.possibleSite ? m.possibleCpus : m.cpus, bad)];
    const possible = new Set(m.possibleCpus);
    if (target === m.cpusSite && m.possibleSite && bad.some((c) => !possible.has(c)))
      edits.push(addToList(m.possibleSite, m.possibleCpus, bad));
    out.push({
      title: `Add ${cpusText} to \`${target === m.possibleSite ? 'possible-cpus' : 'cpus'}\``,
      edits,
      preferred: false,
      key: `cpus-add:${formatList(bad)}`,
    });
  }
  // drop: the list without them (in the order written), or the whole property/statement when none is left
  const keep = list.cpus.filter((c) => ref.has(c));
  const t = list.file.tree;
  if (keep.length) {
    const start = t.aStart[list.first];
    const end = t.aEnd(list.first + list.n - 1);
    out.push({
      title: `Drop ${cpusText} from ${list.what}`,
      edits: [spanEdit(list.file, start, end, formatList(keep))],
      preferred: true,
      key: `cpus-drop:${diag.uri}:${start}`,
    });
  } else if (list.removeAll)
    out.push({
      title: list.removeAll.title,
      edits: [list.removeAll.edit],
      preferred: false,
      key: `cpus-remove:${diag.uri}:${list.removeAll.edit.range.start.line}:${list.removeAll.edit.range.start.character}`,
    });
  return out;
}

// ---- an undeclared device in `irq X.q` ---------------------------------------------------------

/** Declares a device that `irq` statements use: its MSI-X table or MSI block sized for them, a free PCI address. */
export function declareDeviceFix(m: Model, diag: Diagnostic): Fix[] {
  const name = /^no device is named '([^']*)'/.exec(diag.message)?.[1];
  if (name === undefined || m.devicesByName.has(name)) return [];
  const f = fileOf(m, diag.uri);
  if (!f) return [];
  const t = f.tree;
  const s = stmtAt(f, diag.range);
  if (s < 0 || t.sKind[s] !== St.Irq || t.sA[s] < 0 || t.nameOf(t.sA[s]) !== name) return [];
  // what its irq statements in this file ask for
  let msixMax = -1;
  let msixNext = 0;
  let msi = 0;
  let wired = false;
  let first = -1;
  for (let x = 0; x < t.sCount; x++) {
    if (t.sKind[x] !== St.Irq || t.sA[x] < 0 || t.nameOf(t.sA[x]) !== name) continue;
    if (first < 0) first = x;
    const size = t.sC[x] >= 0 ? t.v2(t.sC[x]) - t.v1(t.sC[x]) + 1 : 1;
    const src = t.sD[x] >= 0 ? t.nameOf(t.sD[x]) : '';
    if (src === 'msix') {
      const arg = t.sNArgs[x] === 1 && t.atomKind(t.sArgs[x]) === At.Number ? t.v1(t.sArgs[x]) : -1;
      if (arg >= 0) msixMax = Math.max(msixMax, arg + size - 1);
      else {
        msixMax = Math.max(msixMax, msixNext + size - 1);
        msixNext += size;
      }
    } else if (src === 'msi') msi += size;
    else if (src === 'pin') wired = true;
  }
  if (first < 0 || wired) return [];
  const props: string[] = [];
  let pci = '';
  if (msixMax >= 0 || msi > 0) {
    // the first bus no device uses, device 0 function 0: a placeholder for the real address
    const buses = new Set<number>();
    for (let d = 0; d < m.devices.count; d++)
      if (m.devices.rid[d] >= 0 && m.devices.segment[d] === 0) buses.add(m.devices.rid[d] >> 8);
    let bus = 1;
    while (bus < 256 && buses.has(bus)) bus++;
    if (bus >= 256) return [];
    pci = `0000:${bus.toString(16).padStart(2, '0')}:00.0`;
    props.push(`pci ${pci}`);
  }
  if (msixMax >= 0) props.push(`msix ${Math.min(MAX_MSIX, msixMax + 1)}`);
  if (msi > 0) {
    let n = 1;
    while (n < msi && n < 32) n *= 2;
    props.push(`msi ${n}`);
  }
  if (!props.length) return [];
  const at = t.lines.position(t.sStart[first]);
  const lineStart = { line: at.line, character: 0 };
  return [
    {
      title: `Declare device '${name}' (${props.join('; ')}${pci ? `: ${pci} is a placeholder, set its real address` : ''})`,
      edits: [
        {
          uri: f.uri,
          range: { start: lineStart, end: lineStart },
          newText: `device ${writeName(name)} { ${props.join('; ')} }\n`,
        },
      ],
      preferred: false,
      key: `declare-device:${diag.uri}:${name}`,
    },
  ];
}
