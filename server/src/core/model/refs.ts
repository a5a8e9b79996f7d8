// References, computed from the tables when a service asks (the binder keeps no reference rows):
// every use of a domain, device or interrupt name in a statement, with what it names.

import { kwId } from '../syntax/names';
import { St } from '../syntax/tree';
import type { SyntaxFile } from '../syntax/view';
import { findDomain, groupsOfDevice } from './queries';
import type { Domain, Model } from './types';

export type RefKind = 'domain' | 'device' | 'irq';

export interface Ref {
  kind: RefKind;
  /** the name used; for interrupts `device.name` */
  name: string;
  file: SyntaxFile;
  start: number;
  end: number;
}

const DOMAIN_PROPS = new Set([kwId('parent'), kwId('msi-domain'), kwId('ims'), kwId('ntb'), kwId('ioapic')]);
const DEVICE_PROP = kwId('device');
const PATH = kwId('path');

/** Calls `cb` with each reference a statement makes, in text order. */
export function refsOfStatement(file: SyntaxFile, s: number, cb: (r: Ref) => void): void {
  const t = file.tree;
  const ref = (kind: RefKind, a: number, name = t.nameOf(a)) =>
    cb({ kind, name, file, start: t.aStart[a], end: t.aEnd(a) });
  const props = (domainStmt: boolean) => {
    for (let p = t.sProps[s]; p < t.sProps[s] + t.sNProps[s]; p++) {
      const id = t.pName[p];
      if (t.pNAtoms[p] !== 1) continue;
      const a = t.pAtoms[p];
      if (!t.isName(a)) continue;
      if (domainStmt ? id === kwId('parent') : DOMAIN_PROPS.has(id) && id !== kwId('parent'))
        ref('domain', a);
      else if (domainStmt && id === DEVICE_PROP) ref('device', a);
    }
  };
  switch (t.sKind[s] as St) {
    case St.Domain:
      props(true);
      break;
    case St.Device:
      props(false);
      break;
    case St.Irq:
    case St.Expect: {
      const dev = t.sA[s];
      const name = t.sB[s];
      if (dev < 0) break;
      ref('device', dev);
      if (name >= 0) {
        const end = t.sC[s] >= 0 ? t.aEnd(t.sC[s]) : t.aEnd(name);
        const irq = `${t.nameOf(dev)}.${t.nameOf(name)}`;
        // an irq statement's reference spans the whole target; an expect's, the name and index
        cb({
          kind: 'irq',
          name: irq,
          file,
          start: t.sKind[s] === St.Irq ? t.aStart[dev] : t.aStart[name],
          end,
        });
      }
      if (t.sKind[s] === St.Expect)
        for (let p = t.sProps[s]; p < t.sProps[s] + t.sNProps[s]; p++)
          if (t.pName[p] === PATH)
            for (let a = t.pAtoms[p]; a < t.pAtoms[p] + t.pNAtoms[p]; a++) if (t.isName(a)) ref('domain', a);
      break;
    }
    case St.Inject:
      if (t.sC[s] >= 0) ref('device', t.sC[s]);
      break;
    case St.Release:
      if (t.sA[s] >= 0) ref('device', t.sA[s]);
      break;
  }
}

/** Every reference in a file (or in every file), in text order. */
export function refsIn(m: Model, file?: SyntaxFile): Ref[] {
  const out: Ref[] = [];
  for (const f of file ? [file] : m.files)
    for (let s = 0; s < f.tree.sCount; s++) refsOfStatement(f, s, (r) => out.push(r));
  return out;
}

/** What a reference names, if anything: a domain, a device index, or an interrupt group. */
export function targetOf(m: Model, r: Ref): { domain?: Domain; device?: number; group?: number } {
  if (r.kind === 'domain') return { domain: findDomain(m, r.name) };
  if (r.kind === 'device') return { device: m.devicesByName.get(r.name) };
  const dot = r.name.lastIndexOf('.');
  const dev = m.devicesByName.get(r.name.slice(0, dot));
  if (dev === undefined) return {};
  const name = r.name.slice(dot + 1);
  // an irq statement's own group (by its position), else the first group with the name
  let first: number | undefined;
  for (const g of groupsOfDevice(m, dev)) {
    if (m.groups.name[g] !== name) continue;
    first ??= g;
    const gf = m.files[m.groups.file[g]];
    if (
      gf === r.file &&
      gf.tree.sStart[m.groups.stmt[g]] <= r.start &&
      r.start <= gf.tree.sEnd[m.groups.stmt[g]]
    )
      return { group: g };
  }
  return first === undefined ? {} : { group: first };
}
