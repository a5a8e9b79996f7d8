// What is under the cursor, and where else it occurs: definition, references, document highlight,
// rename and prepareRename. Occurrences are found per model; the language server unions them over
// every model that contains the declaration (the files that include it, and those it includes).

import type { Device, Domain, IrqGroup, Model, Ref } from '../model';
import type { NameNode, Position, Range } from '../syntax/ast';
import {
  cmp,
  contains,
  extent,
  fileOf,
  isBareName,
  writeName,
  type Location,
  type WorkspaceEdit,
} from './util';

export type SymbolKind = 'domain' | 'device' | 'irq';

/** A name under the cursor: a declaration or a reference. */
export interface SymbolAt {
  kind: SymbolKind;
  /** `IR-0`, `nvme0`, or for interrupts `nvme0.io` */
  name: string;
  /** the name as written at the cursor (for interrupts: the interrupt name part only) */
  range: Range;
  /** the declaration under the cursor, rather than a use */
  declaration: boolean;
  domain?: Domain;
  device?: Device;
  group?: IrqGroup;
  /** interrupts: the device part and the interrupt part of the name */
  deviceName?: string;
  irqName?: string;
}

/** A stable key across models: the namespace and the name. */
export function symbolKey(s: { kind: SymbolKind; name: string }): string {
  return `${s.kind}:${s.name}`;
}

/** The name at a position, if any (the innermost one: `nvme0` in `irq nvme0.io[0]` is the device). */
export function symbolAt(model: Model, uri: string, p: Position): SymbolAt | undefined {
  let best: { ref: Ref; size: number } | undefined;
  for (const r of model.refs) {
    if (r.uri !== uri || !contains(r.range, p)) continue;
    const size = extent(r.range);
    if (!best || size < best.size) best = { ref: r, size };
  }
  if (best) {
    const r = best.ref;
    if (r.kind === 'irq') {
      const name = irqNameNode(model, uri, r.range);
      if (!name) return undefined;
      const deviceName = r.name
        ? r.name.slice(0, r.name.length - name.value.length - 1)
        : deviceOfIrqRef(model, uri, r.range);
      if (deviceName === undefined) return undefined;
      const g = r.target as IrqGroup | undefined;
      return {
        kind: 'irq',
        name: `${deviceName}.${name.value}`,
        range: name.range,
        declaration: !!g && g.uri === uri && cmp(g.nameRange.start, r.range.start) === 0,
        group: g,
        device: g?.device,
        deviceName,
        irqName: name.value,
      };
    }
    if (r.kind === 'domain')
      return {
        kind: 'domain',
        name: r.name,
        range: r.range,
        declaration: false,
        domain: r.target as Domain | undefined,
      };
    return {
      kind: 'device',
      name: r.name,
      range: r.range,
      declaration: false,
      device: r.target as Device | undefined,
    };
  }
  for (const d of model.domains)
    if (!d.implied && d.uri === uri && contains(d.nameRange, p))
      return { kind: 'domain', name: d.name, range: d.nameRange, declaration: true, domain: d };
  for (const d of model.devices)
    if (d.uri === uri && contains(d.nameRange, p))
      return { kind: 'device', name: d.name, range: d.nameRange, declaration: true, device: d };
  return undefined;
}

/** The interrupt-name node of the irq/expect target starting where an irq ref starts. */
function irqNameNode(model: Model, uri: string, r: Range): NameNode | undefined {
  const f = fileOf(model, uri);
  if (!f) return undefined;
  for (const st of f.statements) {
    if (st.type !== 'irq' && st.type !== 'expect') continue;
    if (cmp(st.target.range.start, r.start) > 0) break;
    const n = st.target.name;
    if (n && (cmp(st.target.range.start, r.start) === 0 || cmp(n.range.start, r.start) === 0)) return n;
  }
  return undefined;
}

function deviceOfIrqRef(model: Model, uri: string, r: Range): string | undefined {
  const f = fileOf(model, uri);
  for (const st of f?.statements ?? []) {
    if (st.type !== 'irq' && st.type !== 'expect') continue;
    const n = st.target.name;
    if (cmp(st.target.range.start, r.start) === 0 || (n && cmp(n.range.start, r.start) === 0))
      return st.target.device.value;
  }
  return undefined;
}

export interface Occurrence extends Location {
  declaration: boolean;
}

/** Every place a symbol is declared or used, in one model. */
export function occurrences(model: Model, kind: SymbolKind, name: string): Occurrence[] {
  const out: Occurrence[] = [];
  if (kind === 'irq') {
    const dot = name.lastIndexOf('.');
    const dev = name.slice(0, dot);
    const irq = name.slice(dot + 1);
    for (const f of model.files)
      for (const st of f.statements) {
        if (st.type !== 'irq' && st.type !== 'expect') continue;
        const n = st.target.name;
        if (n && n.value === irq && st.target.device.value === dev)
          out.push({ uri: f.uri, range: n.range, declaration: st.type === 'irq' });
      }
    return out;
  }
  if (kind === 'domain') {
    for (const d of model.domains)
      if (!d.implied && d.name === name) out.push({ uri: d.uri, range: d.nameRange, declaration: true });
  } else {
    for (const d of model.devices)
      if (d.name === name) out.push({ uri: d.uri, range: d.nameRange, declaration: true });
  }
  for (const r of model.refs)
    if (r.kind === kind && r.name === name) out.push({ uri: r.uri, range: r.range, declaration: false });
  return out;
}

/** Where a symbol is declared (implied domains: the device that implies them). */
export function definition(model: Model, s: SymbolAt): Location[] {
  if (s.kind === 'domain') {
    const d = s.domain ?? model.domainsByName.get(s.name);
    if (!d) return [];
    return [{ uri: d.uri, range: d.nameRange }];
  }
  if (s.kind === 'device') {
    const d = s.device ?? model.devicesByName.get(s.name);
    return d ? [{ uri: d.uri, range: d.nameRange }] : [];
  }
  return occurrences(model, 'irq', s.name)
    .filter((o) => o.declaration)
    .map(({ uri, range }) => ({ uri, range }));
}

export function dedupeLocations<T extends Location>(locs: readonly T[]): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const l of locs) {
    const k = `${l.uri}#${l.range.start.line}:${l.range.start.character}-${l.range.end.line}:${l.range.end.character}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(l);
  }
  return out.sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : cmp(a.range.start, b.range.start)));
}

export interface Highlight {
  range: Range;
  /** a declaration (write) or a use (read) */
  write: boolean;
}

export function documentHighlights(model: Model, uri: string, p: Position): Highlight[] {
  const s = symbolAt(model, uri, p);
  if (!s) return [];
  return dedupeLocations(occurrences(model, s.kind, s.name))
    .filter((o) => o.uri === uri)
    .map((o) => ({ range: o.range, write: o.declaration }));
}

export type PrepareRename = { range: Range; placeholder: string } | { error: string };

export function prepareRename(model: Model, uri: string, p: Position): PrepareRename {
  const s = symbolAt(model, uri, p);
  if (!s) return { error: 'Put the cursor on a domain, device or interrupt name to rename it.' };
  if (s.kind === 'domain') {
    const d = s.domain ?? model.domainsByName.get(s.name);
    if (d?.implied)
      return {
        error: `'${d.name}' is the per-device domain the kernel creates for ${d.impliedFor?.name ?? 'a device'}: its name comes from the PCI address and cannot be renamed.`,
      };
    if (!d) return { error: `no domain is named '${s.name}': nothing to rename` };
  }
  if (s.kind === 'device' && !(s.device ?? model.devicesByName.get(s.name)))
    return { error: `no device is named '${s.name}': nothing to rename` };
  if (s.kind === 'irq' && !s.group) return { error: `no interrupt is named '${s.name}': nothing to rename` };
  return { range: s.range, placeholder: s.kind === 'irq' ? s.irqName! : s.name };
}

/** Checks a new name; returns why it cannot be used, or undefined. */
export function checkNewName(models: readonly Model[], s: SymbolAt, newName: string): string | undefined {
  if (newName.length === 0) return 'the new name is empty';
  if (/[\n\r]/.test(newName)) return 'a name cannot span lines';
  if (s.kind === 'irq') {
    if (!isBareName(newName) || newName.includes('.'))
      return `'${newName}' cannot name an interrupt: use letters, digits, '_', '-', '/', '+' (no '.': DEVICE.NAME splits at the last '.')`;
    for (const m of models)
      if (m.devicesByName.get(s.deviceName!)?.groups.some((g) => g.name === newName))
        return `${s.deviceName} already has an interrupt named '${newName}'`;
    return undefined;
  }
  for (const m of models) {
    if (s.kind === 'domain' && m.domainsByName.has(newName) && newName !== s.name)
      return `a domain named '${newName}' exists already`;
    if (s.kind === 'device' && m.devicesByName.has(newName) && newName !== s.name)
      return `a device named '${newName}' exists already`;
  }
  return undefined;
}

/** The rename edits over the given occurrences (from one or several models, deduplicated). */
export function renameEdits(s: SymbolAt, newName: string, occ: readonly Occurrence[]): WorkspaceEdit {
  const text = s.kind === 'irq' ? newName : writeName(newName);
  const edits: WorkspaceEdit = {};
  for (const o of dedupeLocations(occ)) (edits[o.uri] ??= []).push({ range: o.range, newText: text });
  return edits;
}
