// Hover text (Markdown): domains (kind, parent chain, usage, the rule on its parent), devices,
// interrupts (route, each value observed or simulated, what an `offline` did, message), and the
// meaning of keywords, properties, kinds and sources.

import { KINDS, isDomainKind } from '../kinds';
import { chainOf, deviceByName, findDomain, type DeviceView, type Domain, type IrqView } from '../model';
import { GroupFlag } from '../model/types';
import type { NameNode, Position, Range, Statement } from '../syntax/ast';
import type { Route } from '../simulate/types';
import { formatList } from '../values';
import { spreadMaskText } from './history';
import { machineHover, problemLines, type HoverResult } from './hover-machine';
import { APIC_MODE_DOCS, docMarkdown, isApicMode, keywordDoc } from './keywords';
import {
  irqsOfGroupModel,
  hopLines,
  messageText,
  placementText,
  routeOf,
  usageOf,
  usageText,
} from './routes';
import { symbolAt } from './navigation';
import { md, mdCode, mdMessage } from './markdown';
import { contains, fileOf, hex, statementAt, type AnalysisLike } from './util';

export type { HoverResult };

const MAX_ROUTES = 8;

export function hover(a: AnalysisLike, uri: string, p: Position): HoverResult | undefined {
  const m = a.model;
  const machine = machineHover(a, uri, p);
  if (machine) return machine;
  const s = symbolAt(m, uri, p);
  if (s) {
    if (s.kind === 'domain') {
      const d = s.domain ?? findDomain(m, s.name);
      return {
        contents: d ? domainHover(a, d) : `**${md(s.name)}**: no domain has this name`,
        range: s.range,
      };
    }
    if (s.kind === 'device') {
      const d = s.device ?? deviceByName(m, s.name);
      return {
        contents: d ? deviceHover(a, d) : `**${md(s.name)}**: no device has this name`,
        range: s.range,
      };
    }
    const irqs = irqsForHover(a, uri, p, s.deviceName!, s.irqName!);
    return {
      contents: irqs.length ? irqHover(a, s.name, irqs) : `**${md(s.name)}**: no interrupt has this name`,
      range: s.range,
    };
  }
  const word = wordAt(a, uri, p);
  if (!word) return undefined;
  return { contents: word.doc, range: word.range };
}

/** The interrupts the hovered statement means: its own index range, else the whole group. */
function irqsForHover(a: AnalysisLike, uri: string, p: Position, dev: string, name: string): IrqView[] {
  const all = irqsOfGroupModel(a.model, dev, name);
  const f = fileOf(a.model, uri);
  const st = f && statementAt(f, p);
  if (st && (st.type === 'irq' || st.type === 'expect') && st.target.index) {
    const { first, last } = st.target.index;
    const picked = all.filter((i) => i.index !== undefined && i.index >= first && i.index <= last);
    if (picked.length) return picked;
  }
  return all;
}

export function domainHover(a: AnalysisLike, d: Domain): string {
  const lines: string[] = [];
  const kind = d.kind ? KINDS[d.kind] : undefined;
  lines.push(
    `**${md(d.name)}** : ${mdCode(d.kindText || '?')}${kind ? ` (${kind.cls})` : ''}${d.implied ? ` — per-device domain implied by ${mdCode(a.model.devices.name[d.impliedFor])}` : ''}`,
  );
  if (kind) lines.push('', kind.doc);
  const chain = chainOf(d);
  const loops = chain.length > 0 && chain[chain.length - 1].parent !== undefined;
  lines.push('', `Parent chain: ${chain.map((c) => md(c.name)).join(' → ')}${loops ? ' → … (loops)' : ''}`);
  const u = usageOf(a, d);
  if (u) lines.push('', `Usage: ${usageText(u)}`);
  if (kind) lines.push('', `Parent rule: ${kind.parentRule}`);
  if (d.servedDevices.length)
    lines.push('', `Serves: ${d.servedDevices.map((x) => md(a.model.devices.name[x])).join(', ')}`);
  const problems = problemLines(a, d.file, d.start, d.end);
  if (problems.length) lines.push('', 'Problems:', '', ...problems);
  return lines.join('\n');
}

export function deviceHover(a: AnalysisLike, d: DeviceView): string {
  const lines = [`**${md(d.name)}** (device)`];
  const facts: string[] = [];
  if (d.pci) facts.push(`PCI ${d.pci.text}`);
  if (d.platform) facts.push('platform device');
  if (d.msix !== undefined) facts.push(`MSI-X table ${d.msix}`);
  if (d.msi !== undefined) facts.push(`MSI ${d.msi}`);
  if (d.assign) facts.push(`assigned (${md(d.assign)})`);
  if (d.node !== undefined) facts.push(`NUMA node ${d.node}`);
  if (facts.length) lines.push('', facts.join(' · '));
  if (d.msiDomain)
    lines.push(
      '',
      `Message domain: ${chainOf(d.msiDomain)
        .map((c) => md(c.name))
        .join(' → ')}`,
    );
  if (d.ims)
    lines.push(
      '',
      `IMS domain: ${chainOf(d.ims)
        .map((c) => md(c.name))
        .join(' → ')}`,
    );
  if (d.ntb)
    lines.push(
      '',
      `NTB domain: ${chainOf(d.ntb)
        .map((c) => md(c.name))
        .join(' → ')}`,
    );
  if (d.ioapic) lines.push('', `IO-APIC: ${md(d.ioapic.name)}`);
  const count = d.irqCount;
  if (count) {
    lines.push('', `Interrupts: ${count}`);
    const shown: IrqView[] = [];
    for (const g of d.groups) {
      for (const irq of g.irqs) {
        if (shown.length >= MAX_ROUTES) break;
        shown.push(irq);
      }
      if (shown.length >= MAX_ROUTES) break;
    }
    for (const irq of shown) {
      const r = routeOf(a, irq);
      lines.push(`- ${mdCode(irq.id)}${r ? ` ${placementText(r, inactiveIrq(irq))}` : ''}`);
    }
    if (count > MAX_ROUTES) lines.push(`- … and ${count - MAX_ROUTES} more`);
  }
  return lines.join('\n');
}

const inactiveIrq = (irq: IrqView) => (irq.m.groups.flags[irq.g] & GroupFlag.Inactive) !== 0;

export function irqHover(a: AnalysisLike, name: string, irqs: IrqView[]): string {
  const lines = [
    `**${md(name)}** (${irqs.length === 1 ? `interrupt ${mdCode(irqs[0].id)}` : `${irqs.length} interrupts`})`,
  ];
  const first = irqs[0];
  const flags = first.m.groups.flags[first.g];
  if (first.source) {
    const facts = [
      `Source: ${first.source.kind}${first.source.arg !== undefined ? ` ${first.source.arg}` : ''}`,
    ];
    if (flags & GroupFlag.Spread) facts.push("spread (managed, masks from the kernel's spreading)");
    else if (first.managed) facts.push('managed');
    if (flags & GroupFlag.Inactive) facts.push('inactive (reserved, never activated)');
    if (first.affinity) facts.push(`affinity ${first.affinity.length} CPUs`);
    lines.push('', facts.join(' · '));
  }
  for (const irq of irqs.slice(0, MAX_ROUTES)) {
    const r = routeOf(a, irq);
    const mask = spreadMaskText(irq.m, irq.k);
    lines.push('', mdCode(irq.id));
    if (!r) {
      const path = chainOf(irq.domain).map((d) => md(d.name));
      lines.push(path.length ? `Route: ${path.join(' → ')} (not simulated)` : 'Route: no endpoint domain');
      if (mask !== undefined) lines.push('', `Mask (spread): ${mask}`);
      continue;
    }
    lines.push(`Route: ${r.path.map(md).join(' → ')}  ${placementText(r, inactiveIrq(irq))}`);
    const values = valuesLine(r);
    if (values) lines.push('', values);
    const offline = offlineLine(a, r);
    if (offline) lines.push('', offline);
    if (r.hops.length) lines.push('', ...hopLines(r, md).map((h) => `- ${h}`));
    if (mask !== undefined) lines.push('', `Mask (spread): ${mask}`);
    const msg = messageText(r);
    if (msg) lines.push('', `Message: ${msg}`);
    if (r.failure) lines.push('', `Failure: \`${r.failure.code}\`: ${mdMessage(r.failure.message)}`);
  }
  if (irqs.length > MAX_ROUTES) lines.push('', `… and ${irqs.length - MAX_ROUTES} more`);
  const m = first.m;
  const file = m.files[m.groups.file[first.g]];
  const t = file.tree;
  const st = m.groups.stmt[first.g];
  const problems = problemLines(a, file, t.sStart[st], t.sEnd[st]);
  if (problems.length) lines.push('', 'Problems:', '', ...problems);
  return lines.join('\n');
}

type Pinnable = Route['observed'][number];

/** Whether the message is made of observed values alone (the IRTE when remapped, else the CPU and vector). */
function messageObserved(r: Route): boolean {
  if (r.irte !== null) return r.observed.includes('irte');
  if (r.vector !== null) return r.observed.includes('cpu') && r.observed.includes('vector');
  return false;
}

/**
 * Each value of the placement with where it comes from: `observed` (a pin: read from the machine by an
 * import, or written by the user) or `simulated` (computed as the kernel would allocate it).
 */
export function valuesLine(r: Route): string | undefined {
  if (r.failure || r.offline === 'shut-down') return undefined;
  const parts: string[] = [];
  const mark = (label: string, key?: Pinnable) =>
    parts.push(`${label} (${key && r.observed.includes(key) ? 'observed' : 'simulated'})`);
  if (r.cpu !== null) mark(`CPU ${r.cpu}`, 'cpu');
  if (r.vector !== null) mark(`vector ${hex(r.vector)}`, 'vector');
  if (r.lpi !== null) mark(`LPI ${r.lpi}`, 'lpi');
  if (r.irte !== null) mark(`IRTE ${r.irte}`, 'irte');
  if (r.event !== null) mark(`event ${r.event}`);
  if (r.message) parts.push(`message (${messageObserved(r) ? 'made of observed values' : 'simulated'})`);
  return parts.length ? `Values: ${parts.join(' · ')}` : undefined;
}

const bootCache = new WeakMap<object, Map<number, Route>>();

/** The route of interrupt k as allocated, before the first `offline`. */
function bootRoute(a: AnalysisLike, k: number): Route | undefined {
  const sim = a.simulation;
  if (!sim) return undefined;
  let byK = bootCache.get(sim);
  if (!byK) {
    byK = new Map();
    for (const r of sim.routesBeforeOffline() ?? []) byK.set(r.k, r);
    bootCache.set(sim, byK);
  }
  return byK.get(k);
}

/** The `offline` statement whose CPU-down moved, shut down or stranded interrupt k (the last one that did). */
function offlineOf(a: AnalysisLike, k: number): { text: string; line: number } | undefined {
  const sim = a.simulation;
  if (!sim) return undefined;
  let found = -1;
  for (const st of sim.offlineSteps)
    if (st.moved.includes(k) || st.shutdown.includes(k) || st.stuck.includes(k)) found = st.offline;
  const off = found >= 0 ? a.model.offlines[found] : undefined;
  if (!off) return undefined;
  const { file, start, end } = off.site;
  return { text: file.text.slice(start, end).trim(), line: file.position(start).line + 1 };
}

function shortPlacement(r: Route): string {
  const parts: string[] = [];
  if (r.cpu !== null) parts.push(`CPU ${r.cpu}`);
  if (r.vector !== null) parts.push(hex(r.vector));
  if (r.lpi !== null) parts.push(`LPI ${r.lpi}`);
  const pinned = r.observed.filter((o) => o === 'cpu' || o === 'vector' || o === 'lpi');
  return `${parts.join(' · ') || 'no CPU'}${pinned.length ? ` (observed: ${pinned.map((o) => (o === 'cpu' ? 'CPU' : o === 'lpi' ? 'LPI' : o)).join(', ')})` : ''}`;
}

/** What an `offline` did to the interrupt: moved (from where), shut down, or stuck on the offline CPU. */
export function offlineLine(a: AnalysisLike, r: Route): string | undefined {
  if (!r.offline) return undefined;
  const off = offlineOf(a, r.k);
  const by = off ? `${mdCode(off.text)} (line ${off.line})` : 'an `offline`';
  const boot = bootRoute(a, r.k);
  const before = boot && !boot.failure ? shortPlacement(boot) : undefined;
  switch (r.offline) {
    case 'moved':
      return (
        `Offline: moved by ${by}${before ? ` from ${before}` : ''} to CPU ${r.cpu}` +
        `${r.affinityBroken ? ', outside its affinity (the kernel broke it: no CPU of the affinity online, or no free vector there)' : ''}` +
        ' (migrate_one_irq(), kernel/irq/cpuhotplug.c). Its CPU and vector are simulated from here on.'
      );
    case 'shut-down':
      return (
        `Offline: shut down by ${by}${before ? ` (it was on ${before})` : ''}: a managed interrupt with no CPU of its mask` +
        `${r.mask ? ` (${formatList(r.mask)})` : ''} online is shut down, its reservations kept, and started again when one comes back (migrate_one_irq() -> irq_shutdown_and_deactivate(), kernel/irq/cpuhotplug.c).`
      );
    case 'stuck':
      return (
        `Offline: ${by} could not move it ("IRQn: set affinity failed(-28)": no free vector where the kernel looked, its affinity and from 6.10 every online CPU; migrate_one_irq(), kernel/irq/cpuhotplug.c): ` +
        `it still targets CPU ${r.cpu}, which is offline.`
      );
  }
}

/** A keyword, property, kind, source or clause under the cursor, with its doc. */
function wordAt(a: AnalysisLike, uri: string, p: Position): { doc: string; range: Range } | undefined {
  const f = fileOf(a.model, uri);
  if (!f) return undefined;
  const st = statementAt(f, p);
  if (!st) return undefined;
  for (const n of vocabularyNodes(st)) {
    if (!contains(n.node.range, p)) continue;
    const doc = docFor(n.node.value, n.role);
    if (doc) return { doc, range: n.node.range };
  }
  return undefined;
}

type Role = 'keyword' | 'property' | 'kind' | 'source' | 'clause' | 'value';

export function vocabularyNodes(st: Statement): { node: NameNode; role: Role }[] {
  const out: { node: NameNode; role: Role }[] = [{ node: st.keyword, role: 'keyword' }];
  if (st.type === 'domain' && st.kind) out.push({ node: st.kind, role: 'kind' });
  if (st.type === 'irq' && st.source) out.push({ node: st.source.kind, role: 'source' });
  if (st.type === 'expect') for (const c of st.clauses) out.push({ node: c.name, role: 'clause' });
  if (st.type === 'setting')
    for (const g of st.groups)
      for (const v of g)
        if (v.kind === 'name' && !v.quoted)
          out.push({ node: v, role: isApicMode(v.value) ? 'value' : 'keyword' });
  if ((st.type === 'domain' || st.type === 'device' || st.type === 'irq') && st.block)
    for (const prop of st.block.properties) out.push({ node: prop.name, role: 'property' });
  return out;
}

export function docFor(word: string, role: Role): string | undefined {
  if (role === 'kind') {
    if (!isDomainKind(word)) return undefined;
    const k = KINDS[word];
    return `**${word}** (domain kind: ${k.cls}; ${k.arches.join(', ')})\n\n${k.doc}\n\nParent rule: ${k.parentRule}`;
  }
  if (role === 'value') return isApicMode(word) ? docMarkdown(APIC_MODE_DOCS[word]) : undefined;
  const doc = keywordDoc(word);
  return doc ? docMarkdown(doc) : undefined;
}
