// Code actions as plain edits: quick fixes for the layering mistakes the checker explains, a
// "did you mean" for unknown names, and a fix-all that applies every unambiguous fix at once.

import { KINDS } from '../kinds';
import {
  deviceView,
  findDomain,
  GroupView,
  msiParentOfDevice,
  nameRefView,
  remapForId,
  type DeviceView,
  type Domain,
  type Model,
} from '../model';
import type { Property, Range } from '../syntax/ast';
import type { Diagnostic } from '../types';
import { cpuUnknownFix, declareDeviceFix, imsNoSlotsFix, msixIndexFix, type Fix } from './fixes';
import { deviceRefAt, domainWithParentAt, groupWithSourceAt } from './sites';
import {
  cmp,
  fileOf,
  sameRange,
  writeName,
  type AnalysisLike,
  type TextEdit,
  type WorkspaceEdit,
} from './util';

export interface CodeAction {
  title: string;
  kind: 'quickfix' | 'source.fixAll';
  /** the diagnostics it fixes */
  diagnostics: Diagnostic[];
  edit: WorkspaceEdit;
  preferred: boolean;
  /** fixes with the same key are the same change (fix-all applies it once) */
  key: string;
}

/** The codes that have a quick fix. */
export const FIXABLE = [
  'ims-parent-pci-msi',
  'ims-shared',
  'remap-scope-mismatch',
  'dmar-msi-under-remap',
  'virtual-msix',
  'unknown-name',
  'ims-no-slots',
  'msix-index-range',
  'cpu-unknown',
] as const;

function edit(uri: string, range: Range, newText: string): WorkspaceEdit {
  return { [uri]: [{ range, newText }] };
}

function merge(...edits: WorkspaceEdit[]): WorkspaceEdit {
  const out: WorkspaceEdit = {};
  for (const e of edits)
    for (const [uri, list] of Object.entries(e)) {
      const to = (out[uri] ??= []);
      for (const x of list) to.push(x);
    }
  return out;
}

function rootOf(m: Model): Domain | undefined {
  return m.roots[0] ?? m.domains.find((d) => d.kind && KINDS[d.kind].root);
}

function uniqueName(m: Model, base: string, taken: Set<string>): string {
  let name = base;
  for (let i = 2; findDomain(m, name) || taken.has(name); i++) name = `${base}-${i}`;
  taken.add(name);
  return name;
}

function reparent(d: Domain, to: Domain, diag: Diagnostic): CodeAction {
  return {
    title: `Reparent '${d.name}' to '${to.name}'`,
    kind: 'quickfix',
    diagnostics: [diag],
    edit: edit(nameRefView(d.parentRef)!.uri, nameRefView(d.parentRef)!.range, writeName(to.name)),
    preferred: true,
    key: `parent:${d.name}:${to.name}`,
  };
}

/** Quick fixes for one diagnostic of this analysis. */
export function quickFixes(a: AnalysisLike, diag: Diagnostic): CodeAction[] {
  const m = a.model;
  switch (diag.code) {
    case 'ims-parent-pci-msi': {
      const d = domainWithParentAt(m, diag.uri, diag.range);
      const p = d?.parent;
      if (!d || !p) return [];
      const dev = [p.impliedFor, p.device, d.device].find((x) => x >= 0 && m.devices.rid[x] >= 0);
      const to = p.parent ?? (dev !== undefined ? msiParentOfDevice(m, dev) : undefined) ?? rootOf(m);
      return to && to !== d ? [reparent(d, to, diag)] : [];
    }
    case 'dmar-msi-under-remap': {
      const d = domainWithParentAt(m, diag.uri, diag.range);
      const root = m.domains.find((x) => x.kind === 'vector');
      return d && root ? [reparent(d, root, diag)] : [];
    }
    case 'remap-scope-mismatch':
      return remapScopeFix(m, diag);
    case 'ims-shared':
      return imsSharedFix(m, diag);
    case 'virtual-msix':
      return virtualMsixFix(a, diag);
    case 'unknown-name':
      return [...unknownNameFix(m, diag), ...fixActions(declareDeviceFix(m, diag), diag)];
    case 'ims-no-slots':
      return fixActions(imsNoSlotsFix(m, diag), diag);
    case 'msix-index-range':
      return fixActions(msixIndexFix(m, diag), diag);
    case 'cpu-unknown':
      return fixActions(cpuUnknownFix(m, diag), diag);
  }
  return [];
}

function fixActions(fixes: Fix[], diag: Diagnostic): CodeAction[] {
  return fixes.map((f) => {
    const e: WorkspaceEdit = {};
    for (const { uri, range, newText } of f.edits) (e[uri] ??= []).push({ range, newText });
    return {
      title: f.title,
      kind: 'quickfix',
      diagnostics: [diag],
      edit: e,
      preferred: f.preferred,
      key: f.key,
    };
  });
}

function remapScopeFix(m: Model, diag: Diagnostic): CodeAction[] {
  // an IO-APIC or HPET under the wrong unit
  const d = domainWithParentAt(m, diag.uri, diag.range);
  if (d && (d.kind === 'ioapic' || d.kind === 'hpet')) {
    const want = remapForId(m, d.kind, d.id);
    return want && want !== d.parent ? [reparent(d, want, diag)] : [];
  }
  // a device's message domain routed through the wrong unit: reparent that domain
  const named = deviceRefAt(m, diag.uri, diag.range);
  let dev: DeviceView | undefined = named && deviceView(m, named.dev);
  let dom: Domain | undefined = named?.domain;
  if (!dev && d) {
    dom = d;
    const i = d.device >= 0 ? d.device : d.servedDevices.find((x) => m.devices.rid[x] >= 0);
    dev = i !== undefined ? deviceView(m, i) : undefined;
  }
  if (!dev?.pci || !dom?.parentRef) return [];
  const want = msiParentOfDevice(m, dev.index);
  if (!want || (want.kind !== 'remap' && want.kind !== 'its') || want === dom.parent || want === dom)
    return [];
  return [reparent(dom, want, diag)];
}

function imsSharedFix(m: Model, diag: Diagnostic): CodeAction[] {
  const d = m.domains.find(
    (x) => x.kind === 'ims' && x.uri === diag.uri && sameRange(x.nameRange, diag.range),
  );
  if (!d || d.servedDevices.length < 2) return [];
  const keep = d.device >= 0 ? d.device : d.servedDevices[0];
  const others = d.servedDevices
    .filter((x) => x !== keep && m.devices.ims[x] === d.index && m.devices.imsRef[x] >= 0)
    .map((x) => deviceView(m, x));
  if (others.length === 0) return [];
  const taken = new Set<string>();
  const decls: string[] = [];
  const edits: WorkspaceEdit[] = [];
  for (const dev of others) {
    const name = uniqueName(m, `IMS-${dev.name}`, taken);
    const props = [
      d.parentRef ? `parent ${writeName(d.parentRef.name)}` : undefined,
      d.slots !== undefined ? `slots ${d.slots}` : undefined,
      `device ${writeName(dev.name)}`,
    ].filter(Boolean);
    decls.push(`domain ${writeName(name)} : ims { ${props.join('; ')} }\n`);
    edits.push(edit(dev.imsRef!.uri, dev.imsRef!.range, writeName(name)));
  }
  const at = { line: d.range.start.line, character: 0 };
  edits.unshift(edit(d.uri, { start: at, end: at }, decls.join('')));
  return [
    {
      title: `Split '${d.name}' into per-device IMS domains (${others
        .slice(0, 5)
        .map((x) => x.name)
        .join(', ')}${others.length > 5 ? ` and ${others.length - 5} more` : ''} get their own)`,
      kind: 'quickfix',
      diagnostics: [diag],
      edit: merge(...edits),
      preferred: true,
      key: `ims-shared:${d.name}`,
    },
  ];
}

function lastProperty(props: readonly Property[]): Property | undefined {
  return props[props.length - 1];
}

/** The virtual-msix fix of each device (and source kind), made once per model: fix-all asks per diagnostic. */
const virtualFixes = new WeakMap<Model, Map<string, Omit<CodeAction, 'diagnostics'> | null>>();

function virtualMsixFix(a: AnalysisLike, diag: Diagnostic): CodeAction[] {
  const m = a.model;
  const g = groupWithSourceAt(m, diag.uri, diag.range);
  if (g < 0) return [];
  let done = virtualFixes.get(m);
  if (!done) virtualFixes.set(m, (done = new Map<string, Omit<CodeAction, 'diagnostics'> | null>()));
  const key = `${m.groups.device[g]}:${m.groups.source[g]}`;
  let fix = done.get(key);
  if (fix === undefined) done.set(key, (fix = deviceVirtualFix(a, new GroupView(m, g))));
  return fix ? [{ ...fix, diagnostics: [diag] }] : [];
}

function deviceVirtualFix(a: AnalysisLike, group: GroupView): Omit<CodeAction, 'diagnostics'> | null {
  const m = a.model;
  const dev = group.device;
  const edits: WorkspaceEdit[] = [];
  // every virtual or window-in-pci-msi interrupt of the device moves to windows of its ntb domain
  for (const g of dev.groups) {
    const s = g.irqs[0]?.source;
    const st = g.statement.source;
    if (!s || !st) continue;
    if (s.kind === 'virtual') edits.push(edit(g.uri, st.range, 'window 0'));
  }
  let ntbName = dev.ntb?.name;
  if (!dev.ntb) {
    const parent = dev.msiDomain?.parent ?? msiParentOfDevice(m, dev.index) ?? rootOf(m);
    ntbName = uniqueName(m, `NTB-${dev.name}`, new Set());
    const props = [
      parent ? `parent ${writeName(parent.name)}` : undefined,
      `device ${writeName(dev.name)}`,
    ].filter(Boolean);
    const at = { line: dev.range.start.line, character: 0 };
    edits.push(
      edit(dev.uri, { start: at, end: at }, `domain ${writeName(ntbName)} : ntb { ${props.join('; ')} }\n`),
    );
  }
  if (dev.windows === undefined) edits.push(addDeviceProperty(a, dev, 'windows 1'));
  if (edits.length === 0) return null;
  return {
    title: `Move ${dev.name}'s ${group.irqs[0].source!.kind === 'virtual' ? 'virtual MSI-X' : 'window'} interrupts into the per-device ntb domain '${ntbName}'`,
    kind: 'quickfix',
    edit: merge(...edits),
    preferred: true,
    key: `virtual-msix:${dev.name}`,
  };
}

/** Adds a property to a device's block (creating the block when it has none). */
function addDeviceProperty(a: AnalysisLike, dev: DeviceView, text: string): WorkspaceEdit {
  const f = fileOf(a.model, dev.uri);
  const st = f?.statementAt(dev.nameRange.start);
  if (!st || st.type !== 'device') return {};
  const b = st.block;
  if (!b) return edit(dev.uri, { start: st.range.end, end: st.range.end }, ` { ${text} }`);
  const last = lastProperty(b.properties);
  if (!last) {
    const at = { line: b.range.start.line, character: b.range.start.character + 1 };
    return edit(dev.uri, { start: at, end: at }, ` ${text} `);
  }
  if (b.range.start.line === b.range.end.line)
    return edit(dev.uri, { start: last.range.end, end: last.range.end }, `; ${text}`);
  return edit(
    dev.uri,
    { start: last.range.end, end: last.range.end },
    `\n${' '.repeat(last.range.start.character)}${text}`,
  );
}

function unknownNameFix(m: Model, diag: Diagnostic): CodeAction[] {
  const mm = /did you mean '([^']+)'\?/.exec(diag.message);
  if (!mm) return [];
  const suggestion = mm[1];
  let range = diag.range;
  let text = writeName(suggestion);
  // an interrupt name in an expect: the diagnostic covers name and index; replace the name only
  const st = fileOf(m, diag.uri)?.statementAt(diag.range.start);
  if (st?.type === 'expect' && st.target.name && cmp(st.target.name.range.start, diag.range.start) === 0) {
    range = st.target.name.range;
    text = suggestion;
  }
  return [
    {
      title: `Change to '${suggestion}'`,
      kind: 'quickfix',
      diagnostics: [diag],
      edit: edit(diag.uri, range, text),
      preferred: true,
      key: `name:${diag.uri}:${range.start.line}:${range.start.character}`,
    },
  ];
}

function overlaps(a: TextEdit, b: TextEdit): boolean {
  return cmp(a.range.start, b.range.end) < 0 && cmp(b.range.start, a.range.end) < 0;
}

function sameEdit(a: TextEdit, b: TextEdit): boolean {
  return sameRange(a.range, b.range) && a.newText === b.newText;
}

/** Every unambiguous quick fix for the diagnostics of one file, merged into one edit. */
export function fixAll(a: AnalysisLike, uri: string): CodeAction | undefined {
  const accepted: WorkspaceEdit = {};
  const fixed: Diagnostic[] = [];
  const keys = new Set<string>();
  for (const diag of a.diagnostics) {
    if (diag.uri !== uri) continue;
    const fixes = quickFixes(a, diag);
    if (fixes.length !== 1) continue;
    const fix = fixes[0];
    if (keys.has(fix.key)) {
      fixed.push(diag);
      continue;
    }
    const clash = Object.entries(fix.edit).some(([u, list]) =>
      list.some((e) =>
        (accepted[u] ?? []).some((x) => overlaps(x, e) || (sameRange(x.range, e.range) && !sameEdit(x, e))),
      ),
    );
    if (clash) continue;
    keys.add(fix.key);
    fixed.push(diag);
    for (const [u, list] of Object.entries(fix.edit)) {
      const to = (accepted[u] ??= []);
      for (const x of list) to.push(x);
    }
  }
  if (fixed.length === 0) return undefined;
  return {
    title: `Fix all auto-fixable irqtopo problems (${fixed.length})`,
    kind: 'source.fixAll',
    diagnostics: fixed,
    edit: accepted,
    preferred: false,
    key: 'fix-all',
  };
}
