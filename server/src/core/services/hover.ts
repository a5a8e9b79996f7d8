// Hover text (Markdown): domains (kind, parent chain, usage, the rule on its parent), devices,
// interrupts (route and message), and the meaning of keywords, properties, kinds and sources.

import { RULES_BY_CODE } from '../checks/registry';
import { messageOf } from '../diagnostics';
import { KEYWORD_DOCS, KINDS, isDomainKind } from '../kinds';
import { chainOf, deviceByName, findDomain, type DeviceView, type Domain, type IrqView } from '../model';
import type { NameNode, Position, Range, Statement } from '../syntax/ast';
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
import { contains, fileOf, statementAt, type AnalysisLike } from './util';

export interface HoverResult {
  /** Markdown */
  contents: string;
  range: Range;
}

const MAX_ROUTES = 8;

export function hover(a: AnalysisLike, uri: string, p: Position): HoverResult | undefined {
  const m = a.model;
  const s = symbolAt(m, uri, p);
  if (s) {
    if (s.kind === 'domain') {
      const d = s.domain ?? findDomain(m, s.name);
      return { contents: d ? domainHover(a, d) : `**${s.name}**: no domain has this name`, range: s.range };
    }
    if (s.kind === 'device') {
      const d = s.device ?? deviceByName(m, s.name);
      return { contents: d ? deviceHover(a, d) : `**${s.name}**: no device has this name`, range: s.range };
    }
    const irqs = irqsForHover(a, uri, p, s.deviceName!, s.irqName!);
    return {
      contents: irqs.length ? irqHover(a, s.name, irqs) : `**${s.name}**: no interrupt has this name`,
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
    `**${d.name}** : \`${d.kindText || '?'}\`${kind ? ` (${kind.cls})` : ''}${d.implied ? ` — per-device domain implied by \`${a.model.devices.name[d.impliedFor]}\`` : ''}`,
  );
  if (kind) lines.push('', kind.doc);
  const chain = chainOf(d);
  const loops = chain.length > 0 && chain[chain.length - 1].parent !== undefined;
  lines.push('', `Parent chain: ${chain.map((c) => c.name).join(' → ')}${loops ? ' → … (loops)' : ''}`);
  const u = usageOf(a, d);
  if (u) lines.push('', `Usage: ${usageText(u)}`);
  if (kind) lines.push('', `Parent rule: ${kind.parentRule}`);
  if (d.servedDevices.length)
    lines.push('', `Serves: ${d.servedDevices.map((x) => a.model.devices.name[x]).join(', ')}`);
  const problems = a.findings.filter(
    (x) => x.file === d.file && d.start <= x.start && x.start <= d.end && x.severity !== 'hint',
  );
  for (const x of problems.slice(0, 5))
    lines.push('', `⚠ \`${x.code}\`: ${RULES_BY_CODE.get(x.code)?.title ?? messageOf(x)}`);
  return lines.join('\n');
}

export function deviceHover(a: AnalysisLike, d: DeviceView): string {
  const lines = [`**${d.name}** (device)`];
  const facts: string[] = [];
  if (d.pci) facts.push(`PCI ${d.pci.text}`);
  if (d.platform) facts.push('platform device');
  if (d.msix !== undefined) facts.push(`MSI-X table ${d.msix}`);
  if (d.msi !== undefined) facts.push(`MSI ${d.msi}`);
  if (d.assign) facts.push(`assigned (${d.assign})`);
  if (facts.length) lines.push('', facts.join(' · '));
  if (d.msiDomain)
    lines.push(
      '',
      `Message domain: ${chainOf(d.msiDomain)
        .map((c) => c.name)
        .join(' → ')}`,
    );
  if (d.ims)
    lines.push(
      '',
      `IMS domain: ${chainOf(d.ims)
        .map((c) => c.name)
        .join(' → ')}`,
    );
  if (d.ntb)
    lines.push(
      '',
      `NTB domain: ${chainOf(d.ntb)
        .map((c) => c.name)
        .join(' → ')}`,
    );
  if (d.ioapic) lines.push('', `IO-APIC: ${d.ioapic.name}`);
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
      lines.push(`- \`${irq.id}\`${r ? ` ${placementText(r)}` : ''}`);
    }
    if (count > MAX_ROUTES) lines.push(`- … and ${count - MAX_ROUTES} more`);
  }
  return lines.join('\n');
}

export function irqHover(a: AnalysisLike, name: string, irqs: IrqView[]): string {
  const lines = [
    `**${name}** (${irqs.length === 1 ? `interrupt ${irqs[0].id}` : `${irqs.length} interrupts`})`,
  ];
  const first = irqs[0];
  if (first.source)
    lines.push(
      '',
      `Source: ${first.source.kind}${first.source.arg !== undefined ? ` ${first.source.arg}` : ''}${first.managed ? ' · managed' : ''}${first.affinity ? ` · affinity ${first.affinity.length} CPUs` : ''}`,
    );
  for (const irq of irqs.slice(0, MAX_ROUTES)) {
    const r = routeOf(a, irq);
    lines.push('', `\`${irq.id}\``);
    if (!r) {
      const path = chainOf(irq.domain).map((d) => d.name);
      lines.push(path.length ? `Route: ${path.join(' → ')} (not simulated)` : 'Route: no endpoint domain');
      continue;
    }
    lines.push(`Route: ${r.path.join(' → ')}  ${placementText(r)}`);
    for (const h of hopLines(r)) lines.push(`- ${h}`);
    const msg = messageText(r);
    if (msg) lines.push(`Message: ${msg}`);
    if (r.failure) lines.push(`Failure: \`${r.failure.code}\`: ${r.failure.message}`);
  }
  if (irqs.length > MAX_ROUTES) lines.push('', `… and ${irqs.length - MAX_ROUTES} more`);
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

type Role = 'keyword' | 'property' | 'kind' | 'source' | 'clause';

export function vocabularyNodes(st: Statement): { node: NameNode; role: Role }[] {
  const out: { node: NameNode; role: Role }[] = [{ node: st.keyword, role: 'keyword' }];
  if (st.type === 'domain' && st.kind) out.push({ node: st.kind, role: 'kind' });
  if (st.type === 'irq' && st.source) out.push({ node: st.source.kind, role: 'source' });
  if (st.type === 'expect') for (const c of st.clauses) out.push({ node: c.name, role: 'clause' });
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
  const doc = KEYWORD_DOCS[word];
  if (!doc) return undefined;
  const colon = doc.indexOf(': ');
  return colon > 0 ? `\`${doc.slice(0, colon)}\`\n\n${doc.slice(colon + 2)}` : doc;
}
