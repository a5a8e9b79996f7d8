// The binder: files (includes resolved), declarations, the implied per-device domains, interrupt
// groups and every reference, into the model's objects and columns. Building it reports the
// Language findings (unknown names, bad values...); the Layering and Capability checks run on the
// finished model (../checks).

import { KINDS } from '../kinds';
import { parseTree } from '../syntax/parser';
import { St } from '../syntax/tree';
import { SyntaxFile } from '../syntax/view';
import type { FileReader } from '../types';
import { BindContext } from './context';
import { bindDomain, declareDevice, declareDomain } from './declare';
import { FileLoader } from './includes';
import { linkDomains } from './links';
import { bindSpread } from './machine';
import { Settings } from './settings';
import { DeviceTable, GroupTable, type Model } from './types';
import { DeviceNames, prescanSources, UseBinder } from './uses';

export interface BuildOptions {
  /** reads included files; without it, every include is an `include-error` */
  reader?: FileReader;
  /** already-parsed files by URI (the language server's cache); parsed on demand otherwise */
  parsed?: (uri: string, text: string) => SyntaxFile;
}

export function parse(text: string, uri = ''): SyntaxFile {
  return new SyntaxFile(uri, parseTree(text));
}

export function emptyModel(rootUri: string): Model {
  return {
    rootUri,
    files: [],
    fileByUri: new Map(),
    cpus: [],
    apicIds: new Map(),
    possibleCpus: [],
    nodes: [],
    nodesGiven: false,
    offlines: [],
    releases: [],
    domains: [],
    domainsByName: new Map(),
    devices: new DeviceTable(),
    devicesByName: new Map(),
    groups: new GroupTable(),
    groupsByDevice: new Int32Array(0),
    masks: [],
    elementMasks: new Map(),
    releasedBefore: new Map(),
    irqCount: 0,
    roots: [],
    expects: [],
    injects: [],
    findings: [],
  };
}

export function buildModel(rootUri: string, rootText: string, options: BuildOptions = {}): Model {
  const m = emptyModel(rootUri);
  const ctx = new BindContext(m);
  const parseFile = options.parsed ?? ((uri: string, text: string) => parse(text, uri));
  new FileLoader(ctx, parseFile, options.reader).load(rootUri, rootText, []);
  // declarations first (all files), then references, then interrupts in allocation order
  const settings = new Settings(ctx);
  m.files.forEach((file, fi) => {
    const t = file.tree;
    for (let s = 0; s < t.sCount; s++) {
      switch (t.sKind[s] as St) {
        case St.Setting:
          settings.setting(file, s);
          break;
        case St.Node:
          settings.node(file, s);
          break;
        case St.Domain:
          declareDomain(ctx, file, s);
          break;
        case St.Device:
          declareDevice(ctx, file, fi, s);
          break;
      }
    }
  });
  settings.applyApicIds();
  const root = m.files[m.files.length - 1];
  if (!m.arch)
    ctx.report(
      'missing-property',
      root,
      0,
      0,
      'the topology has no `arch` statement: add `arch x86`, `arch arm64` or `arch riscv` (it selects the domain kinds, limits and message formats)',
    );
  if (!m.cpusSite)
    ctx.report(
      'missing-property',
      root,
      0,
      0,
      'the topology has no `cpus` statement: add the online CPUs, e.g. `cpus 0-7`',
    );
  machineDefaults(m);
  for (const d of m.domains) bindDomain(ctx, d);
  const names = new DeviceNames(m);
  linkDomains(ctx, prescanSources(m, names));
  const uses = new UseBinder(ctx, names);
  m.files.forEach((file, fi) => uses.bindIrqs(file, fi));
  m.groups.trim();
  indexGroups(m);
  bindSpread(ctx, (cpus) => uses.mask(cpus));
  for (const file of m.files) uses.bindChecks(file);
  for (const d of m.domains) if (d.kind && KINDS[d.kind].root) m.roots.push(d);
  return m;
}

/** The machine model's defaults: every online CPU possible, one node 0 holding them. */
function machineDefaults(m: Model): void {
  if (m.possibleCpus.length === 0) m.possibleCpus = m.cpus;
  if (m.nodes.length === 0 && m.possibleCpus.length > 0) {
    const root = m.files[m.files.length - 1];
    m.nodes.push({ id: 0, cpus: m.possibleCpus, site: { file: root, start: 0, end: 0 } });
  }
}

/** Each device's groups, device by device (a counting sort: groups stay in allocation order). */
function indexGroups(m: Model): void {
  const D = m.devices;
  const G = m.groups;
  const counts = new Int32Array(D.count + 1);
  for (let g = 0; g < G.count; g++) counts[G.device[g] + 1]++;
  for (let d = 0; d < D.count; d++) {
    D.gStart[d] = counts[d];
    D.gCount[d] = counts[d + 1];
    counts[d + 1] += counts[d];
  }
  const out = new Int32Array(G.count);
  const fill = new Int32Array(D.count);
  for (let g = 0; g < G.count; g++) {
    const d = G.device[g];
    out[D.gStart[d] + fill[d]++] = g;
  }
  m.groupsByDevice = out;
}
