// Hover text (Markdown): domains (kind, parent chain, usage, the rule on its parent), devices,
// interrupts (route and message), and the meaning of keywords, properties, kinds and sources.

import { KINDS, isDomainKind } from '../kinds';
import { chainOf, deviceByName, findDomain, type DeviceView, type Domain, type IrqView } from '../model';
import { GroupFlag } from '../model/types';
import type { NameNode, Position, Range, Statement } from '../syntax/ast';
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
import { contains, fileOf, statementAt, type AnalysisLike } from './util';

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
