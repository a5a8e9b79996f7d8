// Writes an imported topology as irqtopo text (LANGUAGE.md): settings and the machine, domains,
// devices, then the interrupts in Linux irq number order (the kernel's allocation order), each with
// comments citing the dump lines it came from. With v2 off, the v2 statements (possible-cpus, node,
// smt, apic, device node, irq irte and inactive) are written as `# v2:` comments instead.

import type { ImportedIrq, ImportedTopology } from './result';
import type { KeptLine } from './types';
import { BARE_NAME, commentText, formatList, q } from './util';

const quoted = (s: string): string => `"${commentText(s).replace(/[\\"]/g, (ch) => `\\${ch}`)}"`;
const c = (s: string): string => `# ${commentText(s)}`.trimEnd();

/** `dev.name[3]`; both parts quoted when either cannot be bare (the parser splits a bare ref at its last '.') */
export function irqRef(device: string, name: string, index?: number): string {
  const bareOk = BARE_NAME.test(device) && BARE_NAME.test(name) && !name.includes('.');
  const ref = bareOk ? `${device}.${name}` : `${quoted(device)}.${quoted(name)}`;
  return index === undefined ? ref : `${ref}[${index}]`;
}

function irqLine(i: ImportedIrq, v2: boolean): { line: string; v1Only: string[] } {
  const src = i.source === 'msi' ? 'msi' : `${i.source} ${i.sourceArg ?? ''}`.trim();
  const props: string[] = [];
  const later: string[] = [];
  if (i.affinity) props.push(`affinity ${formatList(i.affinity)}`);
  if (i.managed) props.push('managed');
  if (i.cpu !== undefined) props.push(`cpu ${i.cpu}`);
  if (i.vector !== undefined) props.push(`vector ${i.vector}`);
  if (i.lpi !== undefined) props.push(`lpi ${i.lpi}`);
  if (i.irte !== undefined) (v2 ? props : later).push(`irte ${i.irte}`);
  if (i.inactive) (v2 ? props : later).push('inactive');
  if (i.masked) props.push('masked');
  if (i.counts) props.push(`counts ${i.counts.join(' ')}`);
  const block = props.length ? ` { ${props.join('; ')} }` : '';
  return { line: `irq ${irqRef(i.device, i.name, i.index)} : ${src}${block}`, v1Only: later };
}

export function generate(
  t: ImportedTopology,
  kept: readonly KeptLine[],
  unknownFiles: readonly string[],
): string {
  const out: string[] = [];
  const v2 = t.v2;
  /** a v2 statement: written, or kept as a comment for v1 parsers */
  const stmt = (s: string, comment?: string): void => {
    const tail = comment ? `  ${c(comment)}` : '';
    out.push(v2 ? `${s}${tail}` : c(`v2: ${s}${comment ? `  (${comment})` : ''}`));
  };
  out.push(c('Topology imported by `irqtopo import` from:'));
  for (const s of t.sources) out.push(c(`  ${s}`));
  out.push(
    c(
      'Comments cite each fact as file:line. Pinned cpu/vector/lpi/irte values are the placement the dumps observed.',
    ),
  );
  if (t.inferred.length > 0) {
    out.push('#');
    out.push(c('Inferred (not read directly from the dumps):'));
    for (const s of t.inferred) out.push(c(`  - ${s}`));
  }
  if (t.notes.length > 0) {
    out.push('#');
    out.push(c('About the sources:'));
    for (const s of t.notes) out.push(c(`  - ${s}`));
  }
  out.push('');
  out.push(`arch ${t.arch}`);
  if (t.kernel) out.push(`kernel ${t.kernel.major}.${t.kernel.minor}  ${c(t.kernelComment ?? '')}`);
  out.push(`cpus ${t.cpus.length ? formatList(t.cpus) : '0'}  ${c(t.cpusComment)}`);
  const m = t.machine;
  if (m.apicIds)
    out.push(
      `apic-ids ${formatList(m.apicIds.ids.slice().sort((a, b) => a - b)) === formatList(m.apicIds.ids) ? formatList(m.apicIds.ids) : m.apicIds.ids.join(',')}  ${c(m.apicIds.comment)}`,
    );
  if (m.possibleCpus) stmt(`possible-cpus ${formatList(m.possibleCpus.cpus)}`, m.possibleCpus.comment);
  for (const n of m.nodes) stmt(`node ${n.node} cpus ${formatList(n.cpus)}`, n.comment);
  if (m.smt) stmt(`smt ${m.smt.threads}${m.smt.adjacent ? ' adjacent' : ''}`, m.smt.comment);
  if (m.apic) stmt(`apic ${m.apic.driver}`, m.apic.comment);

  if (t.domains.length > 0) {
    out.push('');
    out.push(c('---- domains ----'));
    for (const d of t.domains) {
      for (const s of d.comments) out.push(c(`${d.name}: ${s}`));
      if (!v2) for (const p of d.v2Props) out.push(c(`${d.name}: v2: ${p}`));
      const props = [...(d.parent ? [`parent ${q(d.parent)}`] : []), ...d.props, ...(v2 ? d.v2Props : [])];
      const head = `domain ${q(d.name)} : ${d.kind}`;
      if (props.length === 0) out.push(head);
      else if (props.length <= 3 && props.join('; ').length < 80) out.push(`${head} { ${props.join('; ')} }`);
      else {
        out.push(`${head} {`);
        for (const p of props) out.push(`  ${p}`);
        out.push('}');
      }
    }
  }

  if (t.devices.length > 0) {
    out.push('');
    out.push(c('---- devices ----'));
    for (const d of t.devices) {
      for (const s of d.comments) out.push(c(`${d.name}: ${s}`));
      const props: string[] = [];
      if (d.pci) props.push(`pci ${d.pci}`);
      if (d.platform) props.push('platform');
      if (d.msix !== undefined) props.push(`msix ${d.msix}`);
      if (d.msi !== undefined) props.push(`msi ${d.msi}`);
      if (d.msiDomain) props.push(`msi-domain ${q(d.msiDomain)}`);
      if (d.ioapic) props.push(`ioapic ${q(d.ioapic)}`);
      if (d.assign) props.push(`assign ${d.assign}`);
      if (d.node !== undefined) {
        if (v2) props.push(`node ${d.node}`);
        else out.push(c(`${d.name}: v2: node ${d.node}`));
      }
      out.push(`device ${q(d.name)}${props.length ? ` { ${props.join('; ')} }` : ''}`);
    }
  }

  if (t.irqs.length > 0) {
    out.push('');
    out.push(c('---- interrupts, in Linux irq number order (the order the kernel allocated them) ----'));
    for (const i of t.irqs) {
      for (const s of i.comments) out.push(c(s));
      const { line, v1Only } = irqLine(i, v2);
      if (v1Only.length > 0) out.push(c(`v2: ${v1Only.join('; ')}`));
      out.push(line);
    }
  }

  if (t.notModelled.length > 0) {
    out.push('');
    out.push(c('---- seen in the dumps but not modelled by the language ----'));
    for (const s of t.notModelled) out.push(c(s));
  }
  if (t.perCpu.length > 0) {
    out.push('');
    out.push(c('---- per-CPU system interrupts (counts in cpus order; not modelled) ----'));
    for (const s of t.perCpu) out.push(c(s));
  }
  const shown = kept.filter((k) => !unknownFiles.includes(k.src.file));
  if (shown.length > 0 || unknownFiles.length > 0) {
    out.push('');
    out.push(c('---- lines kept from the dumps without importing them ----'));
    for (const f of unknownFiles) out.push(c(`${f}: not a known dump format; nothing was imported from it`));
    const max = 2000;
    for (const k of shown.slice(0, max))
      out.push(
        c(
          `${k.src.file}:${k.src.line}: ${k.severity}: ${k.why}: ${k.text.length > 300 ? `${k.text.slice(0, 300)}…` : k.text}`,
        ),
      );
    if (shown.length > max) out.push(c(`... and ${shown.length - max} more lines (see the problems)`));
  }
  return out.join('\n') + '\n';
}
