// The model's places found by the range a diagnostic carries, through indexes made once per model:
// quick fixes run per diagnostic, and fix-all over a file's thousand of them, so a scan of every
// domain, device or interrupt statement per diagnostic would make fix-all quadratic.

import { groupsOfDevice, type Domain, type Model } from '../model';
import { sourceSite } from '../model/queries';
import type { Range } from '../syntax/ast';
import type { SyntaxFile } from '../syntax/view';
import { fileOf } from './util';

interface Indexes {
  /** domains by their `parent` value's span (the first declared wins) */
  parentRefs?: Map<SyntaxFile, Map<string, Domain>>;
  /** devices by their `msi-domain`, `ims` or `ntb` value's span (the last wins), with that domain */
  deviceRefs?: Map<SyntaxFile, Map<string, { dev: number; domain: Domain }>>;
  /** interrupt statements (groups with an interrupt left) by their source's span, in device order (the first wins) */
  sources?: Map<SyntaxFile, Map<string, number>>;
}

const cache = new WeakMap<Model, Indexes>();

function indexes(m: Model): Indexes {
  let c = cache.get(m);
  if (!c) cache.set(m, (c = {}));
  return c;
}

/** The file and offsets of a range in a file of the model. */
function spanOf(m: Model, uri: string, range: Range): { file: SyntaxFile; key: string } | undefined {
  const file = fileOf(m, uri);
  return file ? { file, key: `${file.offset(range.start)}:${file.offset(range.end)}` } : undefined;
}

function put<T>(
  map: Map<SyntaxFile, Map<string, T>>,
  file: SyntaxFile,
  key: string,
  v: T,
  last: boolean,
): void {
  let inner = map.get(file);
  if (!inner) map.set(file, (inner = new Map<string, T>()));
  if (last || !inner.has(key)) inner.set(key, v);
}

/** The domain whose `parent` value is at this range. */
export function domainWithParentAt(m: Model, uri: string, range: Range): Domain | undefined {
  const c = indexes(m);
  if (!c.parentRefs) {
    c.parentRefs = new Map();
    for (const d of m.domains) {
      const r = d.parentRef;
      if (r) put(c.parentRefs, r.file, `${r.start}:${r.end}`, d, false);
    }
  }
  const at = spanOf(m, uri, range);
  return at && c.parentRefs.get(at.file)?.get(at.key);
}

/** The device whose `msi-domain`, `ims` or `ntb` value is at this range, and the domain it names. */
export function deviceRefAt(
  m: Model,
  uri: string,
  range: Range,
): { dev: number; domain: Domain } | undefined {
  const c = indexes(m);
  if (!c.deviceRefs) {
    c.deviceRefs = new Map();
    const D = m.devices;
    for (let dev = 0; dev < D.count; dev++) {
      const file = m.files[D.file[dev]];
      const t = file.tree;
      for (const [ref, target] of [
        [D.msiDomainRef[dev], D.msiDomain[dev]],
        [D.imsRef[dev], D.ims[dev]],
        [D.ntbRef[dev], D.ntb[dev]],
      ])
        if (ref >= 0 && target >= 0)
          put(
            c.deviceRefs,
            file,
            `${t.aStart[ref]}:${t.aEnd(ref)}`,
            { dev, domain: m.domains[target] },
            true,
          );
    }
  }
  const at = spanOf(m, uri, range);
  return at && c.deviceRefs.get(at.file)?.get(at.key);
}

/** The interrupt statement (group) whose source is at this range (one with an interrupt left), or -1. */
export function groupWithSourceAt(m: Model, uri: string, range: Range): number {
  const c = indexes(m);
  if (!c.sources) {
    c.sources = new Map();
    const G = m.groups;
    for (let dev = 0; dev < m.devices.count; dev++)
      for (const g of groupsOfDevice(m, dev)) {
        if (!G.source[g] || G.size[g] <= (G.dead.get(g)?.size ?? 0)) continue;
        const s = sourceSite(m, g);
        put(c.sources, s.file, `${s.start}:${s.end}`, g, false);
      }
  }
  const at = spanOf(m, uri, range);
  return (at && c.sources.get(at.file)?.get(at.key)) ?? -1;
}
