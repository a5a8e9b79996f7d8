// Completion by context, from the text before the cursor (robust while the line is half typed)
// and the model (names, kinds, CPUs). Plain items; the language server converts them to LSP.

import {
  ARCHES,
  DEVICE_PROPERTIES,
  DOMAIN_KINDS,
  EXPECT_CLAUSES,
  IRQ_PROPERTIES,
  IRQ_SOURCES,
  KINDS,
  isDomainKind,
  type DomainKind,
} from '../kinds';
import {
  APIC_MODES,
  apicModeOf,
  chainOf,
  deviceByName,
  findDomain,
  msiParentOfDevice,
  remapForId,
  type DeviceView,
  type Domain,
  type Model,
} from '../model';
import { STATEMENT_KEYWORDS } from '../syntax/parser';
import { formatList } from '../values';
import type { Position } from '../syntax/ast';
import { APIC_MODE_DOCS, keywordDoc } from './keywords';
import { writeName } from './util';

export type CompletionKind = 'keyword' | 'property' | 'kind' | 'domain' | 'device' | 'irq' | 'value' | 'cpus';

export interface CompletionItem {
  label: string;
  kind: CompletionKind;
  detail?: string;
  documentation?: string;
  /** text to insert when it differs from the label */
  insertText?: string;
  /** LSP snippet syntax in insertText */
  snippet?: boolean;
  /** sorts before items with a larger value */
  sortText: string;
}

/** Kernel versions at which irqtopo's version-gated rules change (docs/rules.md, docs/kernel-placement.md). */
const KERNELS = [
  '5.4',
  '5.10',
  '5.15',
  '5.19',
  '6.1',
  '6.2',
  '6.5',
  '6.6',
  '6.7',
  '6.9',
  '6.10',
  '6.11',
  '6.12',
  '6.15',
];

const REPEATABLE = new Set(['scope', 'in-use']);

interface Context {
  /** the statement header of the enclosing block, when the cursor is inside `{ ... }` */
  block?: string;
  /** the words of the current statement or property before the cursor (complete words only) */
  words: string[];
  /** the partial word at the cursor */
  partial: string;
  /** text of the current item before the cursor */
  before: string;
  /** the properties already written in the enclosing block, before the cursor */
  seen: string[];
}

/** Strips a comment (outside quotes) from a line. */
function stripComment(line: string): string {
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') q = !q;
    else if (c === '\\' && q) i++;
    else if (!q && (c === '#' || (c === '/' && line[i + 1] === '/'))) return line.slice(0, i);
  }
  return line;
}

// `device` and `node` are also properties (of an ims/ntb domain, of a device): not a statement's start
const TOP_KEYWORDS = new Set<string>(STATEMENT_KEYWORDS.filter((k) => k !== 'device' && k !== 'node'));

/**
 * A position inside the text: a line past the last is the end of the text, a character past the end
 * of its line is the line's end (and negative or fractional values are clamped too), as LSP asks of a
 * server given a position outside the document.
 */
export function clampPosition(lines: readonly string[], p: Position): Position {
  const n = lines.length;
  if (n === 0) return { line: 0, character: 0 };
  const whole = (v: number) => (Number.isFinite(v) ? Math.max(0, Math.floor(v)) : 0);
  let line = whole(p.line);
  let character = whole(p.character);
  if (line >= n) {
    line = n - 1;
    character = lines[line].length;
  }
  return { line, character: Math.min(character, lines[line].length) };
}

/** Finds the enclosing block (blocks do not nest) by scanning back from the cursor. */
function context(lines: readonly string[], at: Position): Context {
  const p = clampPosition(lines, at);
  const cur = stripComment(lines[p.line] ?? '').slice(0, p.character);
  let block: string | undefined;
  // on the current line: an open '{' after the last '}'
  const open = cur.lastIndexOf('{');
  const close = cur.lastIndexOf('}');
  let item = cur;
  let blockText = '';
  if (open > close) {
    block = cur.slice(0, open);
    item = cur.slice(open + 1);
    blockText = item;
  } else if (close < 0) {
    const between: string[] = [];
    for (let l = p.line - 1, n = 0; l >= 0 && n < 2000; l--, n++) {
      const t = stripComment(lines[l] ?? ''); // (a position past the end: lines that are not there are empty)
      const o = t.lastIndexOf('{');
      const c = t.lastIndexOf('}');
      if (c > o) break;
      if (o >= 0) {
        block = t.slice(0, o);
        blockText = [t.slice(o + 1), ...between.reverse(), cur].join('\n');
        break;
      }
      between.push(t);
      const first = /^\s*([A-Za-z_][A-Za-z0-9_-]*)/.exec(t)?.[1];
      if (first && TOP_KEYWORDS.has(first)) break;
    }
  } else item = cur.slice(close + 1);
  const semi = item.lastIndexOf(';');
  if (semi >= 0) item = item.slice(semi + 1);
  if (block !== undefined) {
    const s = block.lastIndexOf(';');
    if (s >= 0) block = block.slice(s + 1);
  }
  const m = /(\S*)$/.exec(item)!;
  const partial = m[1];
  const words = item
    .slice(0, item.length - partial.length)
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  const items = blockText.split(/[;\n]/);
  items.pop(); // the current item
  const seen = items.map((x) => /^\s*([A-Za-z_][A-Za-z0-9_-]*)/.exec(x)?.[1]).filter((x): x is string => !!x);
  return { block: block?.trim(), words, partial, before: item, seen };
}

let seq = 0;
function item(
  label: string,
  kind: CompletionKind,
  rank: number,
  extra: Partial<CompletionItem> = {},
): CompletionItem {
  return { label, kind, sortText: `${rank}_${String(seq++).padStart(5, '0')}`, ...extra };
}

function kindItems(m: Model): CompletionItem[] {
  return DOMAIN_KINDS.map((k) => {
    const info = KINDS[k];
    const fits = !m.arch || info.arches.includes(m.arch);
    return item(k, 'kind', fits ? 0 : 1, {
      detail: `${info.cls} (${info.arches.join(', ')})`,
      documentation: info.doc,
    });
  });
}

function domainItem(d: Domain, rank: number, detail?: string): CompletionItem {
  return item(d.name, 'domain', rank, {
    insertText: writeName(d.name),
    detail: detail ?? `${d.kindText}${d.implied ? ' (implied)' : ''}`,
    documentation: d.kind ? KINDS[d.kind].doc : undefined,
  });
}

/** The domains that may be the parent of a domain of this kind (the best first). */
export function legalParents(
  m: Model,
  kind: DomainKind | undefined,
  self: Domain | undefined,
): { domain: Domain; best: boolean }[] {
  if (!kind || KINDS[kind].root) return [];
  const below = new Set<Domain>();
  if (self) for (const d of m.domains) if (chainOf(d).includes(self)) below.add(d);
  const isRoot = (d: Domain) => !!d.kind && KINDS[d.kind].root;
  const ok = (p: Domain): boolean => {
    if (!p.kind || below.has(p) || p === self) return false;
    switch (kind) {
      case 'remap':
      case 'its':
      case 'dmar-msi':
        return isRoot(p);
      case 'ioapic':
      case 'hpet':
        return isRoot(p) || p.kind === 'remap';
      case 'aplic':
        return p.kind === 'imsic';
      case 'platform-msi':
        return KINDS[p.kind].msiParent && p.kind !== 'vector' && p.kind !== 'remap';
      default:
        return KINDS[p.kind].msiParent;
    }
  };
  let want: Domain | undefined;
  if (self && (kind === 'ioapic' || kind === 'hpet')) want = remapForId(m, kind, self.id);
  else if (self && self.device >= 0 && m.devices.rid[self.device] >= 0)
    want = msiParentOfDevice(m, self.device);
  else if (self && self.servedDevices.length && m.devices.rid[self.servedDevices[0]] >= 0)
    want = msiParentOfDevice(m, self.servedDevices[0]);
  return m.domains.filter(ok).map((d) => ({ domain: d, best: d === want }));
}

function cpuItems(m: Model, rank: number): CompletionItem[] {
  if (!m.cpus.length) return [];
  const out = [item(formatList(m.cpus), 'cpus', rank, { detail: 'every online CPU' })];
  if (m.cpus.length >= 4) {
    const half = m.cpus.length / 2;
    out.push(item(formatList(m.cpus.slice(0, Math.floor(half))), 'cpus', rank, { detail: 'the first half' }));
    out.push(item(formatList(m.cpus.slice(Math.floor(half))), 'cpus', rank, { detail: 'the second half' }));
  }
  for (const c of m.cpus.slice(0, 64)) out.push(item(String(c), 'cpus', rank + 1, { detail: `CPU ${c}` }));
  return out;
}

function propertyItems(names: readonly string[], present: Set<string>): CompletionItem[] {
  return names
    .filter((n) => !present.has(n) || REPEATABLE.has(n))
    .map((n) => item(n, 'property', 0, { documentation: keywordDoc(n), detail: 'property' }));
}

function sourcesFor(dev: DeviceView | undefined): CompletionItem[] {
  return IRQ_SOURCES.map((s) => {
    let fits = true;
    if (dev) {
      if (s === 'msix') fits = dev.msix !== undefined;
      else if (s === 'msi') fits = dev.msi !== undefined || (dev.platform && !!dev.msiDomain);
      else if (s === 'ims') fits = !!dev.ims;
      else if (s === 'window') fits = !!dev.ntb || dev.windows !== undefined;
      else if (s === 'pin') fits = !!dev.ioapic || !dev.pci;
      else if (s === 'virtual') fits = false;
    }
    return item(s, 'value', fits ? 0 : 1, { documentation: keywordDoc(s), detail: 'interrupt source' });
  });
}

function irqItems(m: Model, rank: number): CompletionItem[] {
  const out: CompletionItem[] = [];
  const seen = new Set<string>();
  const G = m.groups;
  for (let g = 0; g < G.count; g++) {
    const id = `${m.devices.name[G.device[g]]}.${G.name[g]}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const n = G.size[g];
    out.push(item(id, 'irq', rank, { detail: `${n} interrupt${n === 1 ? '' : 's'}` }));
  }
  return out;
}

const STATEMENT_SNIPPETS: Record<string, string> = {
  domain: 'domain ${1:NAME} : ${2:kind} {\n\tparent ${3:PARENT}\n}',
  device: 'device ${1:NAME} {\n\tpci ${2:0000:00:00.0}\n\tmsix ${3:8}\n}',
  irq: 'irq ${1:DEVICE}.${2:NAME} : ${3:msix}',
  expect: 'expect ${1:DEVICE.NAME} ${2:cpu} ${3:0}',
  inject: 'inject ${1:ADDRESS} ${2:DATA} from ${3:DEVICE}',
  include: 'include "${1:path.irqtopo}"',
  node: 'node ${1:0} cpus ${2:0-7}',
  smt: 'smt ${1:2}',
  offline: 'offline ${1:CPUS}',
  release: 'release ${1:DEVICE}',
  'possible-cpus': 'possible-cpus ${1:0-63}',
};

/** Completion items at a position, given the document's lines and its latest model. */
export function completions(m: Model, lines: readonly string[], p: Position): CompletionItem[] {
  seq = 0;
  const c = context(lines, p);
  const w = c.words;
  // inside a block
  if (c.block !== undefined) {
    const header = c.block.split(/\s+/).filter(Boolean);
    const stmt = header[0];
    let names: readonly string[] = [];
    let owner: { domain?: Domain; device?: DeviceView; kind?: DomainKind } = {};
    if (stmt === 'domain') {
      const kindText = header[header.indexOf(':') + 1] ?? header[2]?.replace(/^:/, '');
      const kind = kindText && isDomainKind(kindText) ? kindText : undefined;
      names = kind ? KINDS[kind].properties : [];
      const name = unquote(header[1] ?? '');
      const dom = findDomain(m, name);
      owner = { domain: dom && !dom.implied ? dom : undefined, kind };
    } else if (stmt === 'device') {
      names = DEVICE_PROPERTIES;
      owner = { device: deviceByName(m, unquote(header[1] ?? '')) };
    } else if (stmt === 'irq') names = irqProperties(header, c.seen);
    if (w.length === 0) {
      const present = new Set<string>(c.seen);
      return propertyItems(names, present);
    }
    return propertyValues(m, w, owner);
  }
  // top level
  if (w.length === 0) {
    return STATEMENT_KEYWORDS.flatMap((k) => {
      const plain = item(k, 'keyword', 0, { documentation: keywordDoc(k), detail: 'statement' });
      const snip = STATEMENT_SNIPPETS[k];
      return snip
        ? [
            plain,
            item(`${k} …`, 'keyword', 1, {
              insertText: snip,
              snippet: true,
              documentation: keywordDoc(k),
              detail: 'statement template',
            }),
          ]
        : [plain];
    });
  }
  const kw = w[0];
  switch (kw) {
    case 'arch':
      return w.length === 1 ? ARCHES.map((x) => item(x, 'value', 0)) : [];
    case 'kernel':
      return w.length === 1 ? KERNELS.map((x) => item(x, 'value', 0, { detail: 'kernel version' })) : [];
    case 'cpus':
    case 'apic-ids':
    case 'possible-cpus':
    case 'offline':
      // CPU numbers are free text
      return [];
    case 'ext-dest-id':
      return [];
    case 'apic':
      return w.length === 1 ? apicItems(m) : [];
    case 'smt':
      if (w.length === 1) return ['2', '4'].map((n) => item(n, 'value', 0, { detail: 'threads per core' }));
      return w.length === 2
        ? [
            item('adjacent', 'keyword', 0, {
              documentation: keywordDoc('adjacent'),
              detail: 'sibling numbering',
            }),
          ]
        : [];
    case 'node': {
      if (w.length === 1) {
        const used = new Set(m.nodesGiven ? m.nodes.map((n) => n.id) : []);
        let next = 0;
        while (used.has(next)) next++;
        return [item(String(next), 'value', 0, { detail: 'the next node number' })];
      }
      return w.length === 2 ? [item('cpus', 'keyword', 0, { detail: "the node's CPUs" })] : [];
    }
    case 'release':
      return w.length === 1
        ? m.devices.name
            .filter((_, d) => m.devices.irqs[d] > 0)
            .map((d) => item(d, 'device', 0, { insertText: writeName(d), detail: 'device with interrupts' }))
        : [];
    case 'domain':
      if (w.length >= 2 && w[w.length - 1] === ':') return kindItems(m);
      if (w.length === 2 && c.partial.startsWith(':')) return kindItems(m);
      return [];
    case 'irq': {
      if (w.length === 1) {
        if (c.partial.includes('.')) return [];
        return m.devices.name.map((d) =>
          item(d, 'device', 0, { insertText: writeName(d), detail: 'device' }),
        );
      }
      if (w[w.length - 1] === ':') {
        const target = w[1];
        const dot = target.lastIndexOf('.');
        return sourcesFor(deviceByName(m, unquote(dot > 0 ? target.slice(0, dot) : target)));
      }
      return [];
    }
    case 'expect': {
      if (w.length === 1) return irqItems(m, 0);
      const last = w[w.length - 1];
      if (last === 'path' || last === '>') {
        const target = w[1].replace(/\[.*$/, '');
        const dot = target.lastIndexOf('.');
        const dev = deviceByName(m, unquote(target.slice(0, dot)));
        const group = dev?.groups.find((g) => g.name === target.slice(dot + 1));
        const ep = group ? m.groups.domain[group.index] : -1;
        const path = chainOf(ep >= 0 ? m.domains[ep] : undefined);
        const pathIndex = w.filter((x) => x !== '>').length - w.indexOf('path') - 1;
        const next = path[pathIndex];
        return m.domains.map((d) => domainItem(d, d === next ? 0 : path.includes(d) ? 1 : 2));
      }
      return EXPECT_CLAUSES.map((x) =>
        item(x, 'keyword', 0, { documentation: keywordDoc(x), detail: 'expectation' }),
      );
    }
    case 'inject':
      if (w.length === 3) return [item('from', 'keyword', 0, { documentation: keywordDoc('from') })];
      if (w.length === 4 && w[3] === 'from')
        return m.devices.name.map((d) => item(d, 'device', 0, { insertText: writeName(d) }));
      return [];
  }
  return [];
}

/** The APIC drivers, the ones this machine can have first (LANGUAGE.md 2.0, docs/kernel-placement.md 7.1). */
function apicItems(m: Model): CompletionItem[] {
  if (m.arch && m.arch !== 'x86') return [];
  const remapped = m.domains.some((d) => d.kind === 'remap');
  const v = m.kernel ? m.kernel.major * 100 + m.kernel.minor : Infinity;
  const now = m.apic ? undefined : apicModeOf(m);
  return APIC_MODES.map((mode) => {
    let fits = true;
    if (mode === 'flat') fits = v < 612 && m.possibleCpus.length <= 8;
    if (mode === 'x2apic-cluster') fits = remapped;
    const doc = APIC_MODE_DOCS[mode];
    return item(mode, 'value', fits ? 0 : 1, {
      detail: mode === now ? 'APIC driver (assumed now)' : 'APIC driver',
      documentation: doc.slice(doc.indexOf(': ') + 2),
    });
  });
}

/** The properties of an irq block: `spread` only on a range, and not beside `affinity` (or `managed`, which it implies). */
function irqProperties(header: string[], seen: readonly string[]): readonly string[] {
  const range = /\[\s*\d+\s*(?:-|\.\.)\s*\d+\s*\]/.test(header.join(' '));
  return IRQ_PROPERTIES.filter((p) => {
    if (p === 'spread') return range && !seen.includes('affinity') && !seen.includes('managed');
    if (p === 'affinity' || p === 'managed') return !seen.includes('spread');
    return true;
  });
}

function unquote(s: string): string {
  return s.startsWith('"') && s.endsWith('"') && s.length >= 2 ? s.slice(1, -1).replace(/\\(.)/g, '$1') : s;
}

const MESSAGE_KINDS: readonly DomainKind[] = ['pci-msi', 'platform-msi', 'hpet', 'dmar-msi', 'ntb', 'aplic'];

function propertyValues(
  m: Model,
  w: string[],
  owner: { domain?: Domain; device?: DeviceView; kind?: DomainKind },
): CompletionItem[] {
  const prop = w[0];
  const ofKinds = (kinds: readonly DomainKind[]) =>
    m.domains.filter((d) => d.kind && kinds.includes(d.kind)).map((d) => domainItem(d, 0));
  switch (prop) {
    case 'parent':
      if (w.length !== 1) return [];
      return legalParents(m, owner.kind, owner.domain).map(({ domain, best }) =>
        domainItem(
          domain,
          best ? 0 : 1,
          `${domain.kindText}${best ? ' — the unit whose scope holds it' : ''}`,
        ),
      );
    case 'msi-domain':
      return w.length === 1 ? ofKinds(MESSAGE_KINDS) : [];
    case 'ims':
      return w.length === 1 ? ofKinds(['ims']) : [];
    case 'ntb':
      return w.length === 1 ? ofKinds(['ntb']) : [];
    case 'ioapic':
      return w.length === 1 ? ofKinds(['ioapic']) : [];
    case 'device':
      return w.length === 1
        ? m.devices.name.map((d) => item(d, 'device', 0, { insertText: writeName(d) }))
        : [];
    case 'vendor':
      return w.length === 1 ? ['intel', 'amd'].map((v) => item(v, 'value', 0)) : [];
    case 'assign':
      return w.length === 1 ? [item('vfio', 'value', 0)] : [];
    case 'affinity':
    case 'cpu':
      return cpuItems(m, 0);
    case 'node':
      return w.length === 1
        ? m.nodes.map((n) =>
            item(String(n.id), 'value', 0, { detail: `NUMA node: CPUs ${formatList(n.cpus) || 'none'}` }),
          )
        : [];
    case 'in-use':
      return w.includes(':') ? [] : cpuItems(m, 0);
  }
  return [];
}
