// What is under the cursor, and where else it occurs: definition, references, document highlight,
// rename and prepareRename. References are computed from the tables when asked (model/refs.ts);
// the language server unions occurrences over every model that contains the declaration.

import {
  deviceByName,
  findDomain,
  groupsOfDevice,
  refsIn,
  refsOfStatement,
  targetOf,
  type DeviceView,
  type Domain,
  type Model,
  type Ref,
} from '../model';
import { GroupView } from '../model/views';
import { St } from '../syntax/tree';
import type { SyntaxFile } from '../syntax/view';
import type { Position, Range } from '../syntax/ast';
import { cmp, fileOf, isBareName, writeName, type Location, type WorkspaceEdit } from './util';

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
  device?: DeviceView;
  group?: GroupView;
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
  const file = fileOf(model, uri);
  if (!file) return undefined;
  const t = file.tree;
  const off = file.offset(p);
  const s = t.statementAt(off);
  if (s < 0) return undefined;
  let best: Ref | undefined;
  refsOfStatement(file, s, (r) => {
    if (r.start <= off && off <= r.end && (!best || r.end - r.start < best.end - best.start)) best = r;
  });
  if (best) {
    const r = best;
    const target = targetOf(model, r);
    if (r.kind === 'irq') {
      const nameAtom = t.sB[s];
      if (nameAtom < 0) return undefined;
      const irqName = t.nameOf(nameAtom);
      const deviceName = t.nameOf(t.sA[s]);
      const g = target.group;
      const group = g !== undefined ? new GroupView(model, g) : undefined;
      const declaration =
        g !== undefined &&
        model.files[model.groups.file[g]] === file &&
        model.groups.stmt[g] === s &&
        t.sKind[s] === St.Irq;
      return {
        kind: 'irq',
        name: `${deviceName}.${irqName}`,
        range: file.range(t.aStart[nameAtom], t.aEnd(nameAtom)),
        declaration,
        group,
        device: group?.device,
        deviceName,
        irqName,
      };
    }
    const range = file.range(r.start, r.end);
    if (r.kind === 'domain')
      return { kind: 'domain', name: r.name, range, declaration: false, domain: target.domain };
    return { kind: 'device', name: r.name, range, declaration: false, device: deviceByName(model, r.name) };
  }
  // a declaration's name
  const a = t.sA[s];
  if (a >= 0 && t.aStart[a] <= off && off <= t.aEnd(a)) {
    const name = t.nameOf(a);
    const range = file.range(t.aStart[a], t.aEnd(a));
    if (t.sKind[s] === St.Domain) {
      const d = model.domains.find((x) => !x.implied && x.file === file && x.stmt === s);
      if (d) return { kind: 'domain', name: d.name, range, declaration: true, domain: d };
    }
    if (t.sKind[s] === St.Device) {
      const dev = deviceByName(model, name);
      if (dev && dev.file === file) return { kind: 'device', name, range, declaration: true, device: dev };
    }
  }
  return undefined;
}

export interface Occurrence extends Location {
  declaration: boolean;
  /** a quoted name written right against a name character (`domain"V"`): a bare new name would merge with it */
  glued?: boolean;
}

const NAME_CHAR = /[A-Za-z0-9_./+-]/;

/** Whether a quoted name at [start, end) touches a name character before or after it. */
function gluedAt(f: SyntaxFile, start: number, end: number): boolean {
  const t = f.text;
  return t[start] === '"' && (NAME_CHAR.test(t[start - 1] ?? '') || NAME_CHAR.test(t[end] ?? ''));
}

/** An occurrence of a name at [start, end) of a file. */
function at(f: SyntaxFile, start: number, end: number, declaration: boolean): Occurrence {
  const o: Occurrence = { uri: f.uri, range: f.range(start, end), declaration };
  if (gluedAt(f, start, end)) o.glued = true;
  return o;
}

/** Every place a symbol is declared or used, in one model. */
export function occurrences(model: Model, kind: SymbolKind, name: string): Occurrence[] {
  const out: Occurrence[] = [];
  if (kind === 'irq') {
    const dot = name.lastIndexOf('.');
    const dev = name.slice(0, dot);
    const irq = name.slice(dot + 1);
    for (const f of model.files) {
      const t = f.tree;
      for (let s = 0; s < t.sCount; s++) {
        const k = t.sKind[s];
        if ((k !== St.Irq && k !== St.Expect) || t.sA[s] < 0 || t.sB[s] < 0) continue;
        const n = t.sB[s];
        if (t.nameOf(n) === irq && t.nameOf(t.sA[s]) === dev)
          out.push(at(f, t.aStart[n], t.aEnd(n), k === St.Irq));
      }
    }
    return out;
  }
  if (kind === 'domain') {
    for (const d of model.domains)
      if (!d.implied && d.name === name) out.push(at(d.file, d.nameStart, d.nameEnd, true));
  } else {
    const D = model.devices;
    for (let i = 0; i < D.count; i++)
      if (D.name[i] === name) {
        out.push(at(model.files[D.file[i]], D.nameStart[i], D.nameEnd[i], true));
      }
  }
  for (const r of refsIn(model))
    if (r.kind === kind && r.name === name) out.push(at(r.file, r.start, r.end, false));
  return out;
}

/** Where a symbol is declared (implied domains: the device that implies them). */
export function definition(model: Model, s: SymbolAt): Location[] {
  if (s.kind === 'domain') {
    const d = s.domain ?? findDomain(model, s.name);
    if (!d) return [];
    return [{ uri: d.uri, range: d.nameRange }];
  }
  if (s.kind === 'device') {
    const d = s.device ?? deviceByName(model, s.name);
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
    const d = s.domain ?? findDomain(model, s.name);
    if (d?.implied)
      return {
        error: `'${d.name}' is the per-device domain the kernel creates for ${d.impliedFor >= 0 ? model.devices.name[d.impliedFor] : 'a device'}: its name comes from the PCI address and cannot be renamed.`,
      };
    if (!d) return { error: `no domain is named '${s.name}': nothing to rename` };
  }
  if (s.kind === 'device' && !(s.device ?? deviceByName(model, s.name)))
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
    for (const m of models) {
      const dev = m.devicesByName.get(s.deviceName!);
      if (dev !== undefined && [...groupsOfDevice(m, dev)].some((g) => m.groups.name[g] === newName))
        return `${s.deviceName} already has an interrupt named '${newName}'`;
    }
    return undefined;
  }
  for (const m of models) {
    if (s.kind === 'domain' && findDomain(m, newName) && newName !== s.name)
      return `a domain named '${newName}' exists already`;
    if (s.kind === 'device' && m.devicesByName.has(newName) && newName !== s.name)
      return `a device named '${newName}' exists already`;
  }
  return undefined;
}

/** The rename edits over the given occurrences (from one or several models, deduplicated). */
export function renameEdits(s: SymbolAt, newName: string, occ: readonly Occurrence[]): WorkspaceEdit {
  const text = s.kind === 'irq' ? newName : writeName(newName);
  // against a keyword or another name (`domain"V"`) the new name stays quoted: `domain"W"`, not `domainW`
  const quoted = s.kind === 'irq' ? newName : `"${newName.replace(/["\\]/g, (c) => '\\' + c)}"`;
  const edits: WorkspaceEdit = {};
  for (const o of dedupeLocations(occ))
    (edits[o.uri] ??= []).push({ range: o.range, newText: o.glued ? quoted : text });
  return edits;
}
