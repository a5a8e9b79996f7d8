// Hovers on the v2 machine and history statements: what an `offline` did CPU by CPU, what a `release`
// freed, a `node` and its CPUs and devices, and the machine facts behind `possible-cpus`, `smt` and
// `apic`. The facts come from ./history.ts (the simulation's routes and findings) and the model.

import { RULES_BY_CODE } from '../checks/registry';
import { messageOf, type Finding } from '../diagnostics';
import { apicModeOf, type Model } from '../model';
import { siblingsOf } from '../model/machine';
import type { Position, Range } from '../syntax/ast';
import { KEYWORDS, Kw } from '../syntax/names';
import { keywordEnd } from '../syntax/view';
import { At, St } from '../syntax/tree';
import type { Severity } from '../types';
import { formatList } from '../values';
import {
  offlineAt,
  offlineReport,
  releaseAt,
  releaseReport,
  type IrqCount,
  type OfflineStep,
} from './history';
import { docMarkdown, keywordDoc } from './keywords';
import { md, mdCode, mdMessage } from './markdown';
import { fileOf, type AnalysisLike } from './util';

export interface HoverResult {
  /** Markdown */
  contents: string;
  range: Range;
}

/** The icon of a diagnostic's severity, as the Problems panel shows it. */
export function severityIcon(s: Severity): string {
  return s === 'error' ? '⛔' : s === 'warning' ? '⚠️' : s === 'information' ? 'ℹ️' : '💡';
}

/** The findings (not hints) whose start lies in [start, end] of a file, as a Markdown list. */
export function problemLines(
  a: AnalysisLike,
  file: Finding['file'],
  start: number,
  end: number,
  max = 5,
): string[] {
  const problems = a.findings.filter(
    (x) => x.file === file && start <= x.start && x.start <= end && x.severity !== 'hint',
  );
  // one line per code and severity, counted
  const byCode = new Map<string, { f: Finding; n: number }>();
  for (const x of problems) {
    const key = `${x.severity}:${x.code}`;
    const e = byCode.get(key);
    if (e) e.n++;
    else byCode.set(key, { f: x, n: 1 });
  }
  const out = [...byCode.values()]
    .slice(0, max)
    .map(
      ({ f, n }) =>
        `- ${severityIcon(f.severity)} \`${f.code}\`${n > 1 ? ` (${n})` : ''}: ${mdMessage(n > 1 ? (RULES_BY_CODE.get(f.code)?.title ?? messageOf(f)) : messageOf(f))}`,
    );
  if (byCode.size > max) out.push(`- … and ${byCode.size - max} more`);
  return out;
}

const icon = (code: string) => severityIcon(RULES_BY_CODE.get(code)?.severity ?? 'warning');
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function names(list: IrqCount[]): string {
  return list
    .map((x) => (x.count > 1 ? `${md(x.irq)} and ${x.count - 1} more of its statement` : md(x.irq)))
    .join(', ');
}

function listed(irqs: string[], max = 4): string {
  return irqs.length <= max
    ? irqs.map(md).join(', ')
    : `${irqs.slice(0, max).map(md).join(', ')} and ${irqs.length - max} more`;
}

/** The hover of a machine or history statement at p, or undefined for other statements. */
export function machineHover(a: AnalysisLike, uri: string, p: Position): HoverResult | undefined {
  const m = a.model;
  const file = fileOf(m, uri);
  if (!file) return undefined;
  const t = file.tree;
  const off = file.offset(p);
  const s = t.statementAt(off);
  if (s < 0) return undefined;
  const range = file.range(t.sStart[s], t.sEnd[s]);
  const onKeyword = off <= keywordEnd(t, s);
  const doc = (w: string) => {
    const d = keywordDoc(w);
    return d ? ['', '---', '', docMarkdown(d)] : [];
  };
  const kind = t.sKind[s] as St;
  if (kind === St.Release) {
    const rel = releaseAt(m, { file, start: t.sStart[s] });
    if (!rel) return undefined;
    return { contents: [...releaseLines(a, rel), ...doc('release')].join('\n'), range };
  }
  if (kind === St.Node) {
    const id = t.sA[s] >= 0 ? t.v1(t.sA[s]) : -1;
    const node = m.nodes.find(
      (n) => n.id === id && n.site.file === file && n.site.start >= t.sStart[s] && n.site.start <= t.sEnd[s],
    );
    if (!node) return undefined;
    return { contents: [...nodeLines(m, node.id, node.cpus), ...doc('node')].join('\n'), range };
  }
  if (kind !== St.Setting) return undefined;
  const kw = t.sKw[s];
  if (kw === Kw.offline) {
    const o = offlineAt(m, { file, start: t.sStart[s] });
    if (!o) return undefined;
    // on one CPU list item: that item's CPUs only
    let only: Set<number> | undefined;
    let hoverRange = range;
    for (let x = t.sArgs[s]; x < t.sArgs[s] + t.sNArgs[s]; x++) {
      if (off < t.aStart[x] || off > t.aEnd(x)) continue;
      const lo = t.v1(x);
      const hi = t.atomKind(x) === At.Range ? t.v2(x) : lo;
      only = new Set(o.cpus.filter((c) => c >= lo && c <= hi));
      hoverRange = file.range(t.aStart[x], t.aEnd(x));
    }
    const head = `**${md(t.text.slice(t.sStart[s], t.sEnd[s]))}**: CPU hotplug, replayed after every interrupt is allocated`;
    return {
      contents: [head, '', ...offlineLines(a, o, only), ...(only ? [] : doc('offline'))].join('\n'),
      range: hoverRange,
    };
  }
  if (!onKeyword) return undefined;
  const facts: string[] = [];
  if (kw === Kw.possibleCpus) {
    const online = new Set(m.cpus);
    const others = m.possibleCpus.filter((c) => !online.has(c));
    facts.push(
      `${plural(m.possibleCpus.length, 'possible CPU')}, ${m.cpus.length} online (${formatList(m.cpus) || 'none'})${others.length ? `; possible, not online: ${formatList(others)} (spread over after the online ones)` : ''}`,
    );
  } else if (kw === Kw.smt && m.smt) {
    const sib = siblingsOf(m);
    // the first two cores: a CPU and its siblings, then the next CPU not among them
    const first = m.possibleCpus[0];
    const a0 = first !== undefined ? sib(first) : [];
    const next = m.possibleCpus.find((c) => !a0.includes(c));
    const sample = [a0, next !== undefined ? sib(next) : undefined].filter((x): x is number[] => !!x?.length);
    facts.push(
      `${m.smt.threads} threads per core; the first cores: ${sample.map((x) => `{${formatList(x)}}`).join(', ')}${m.possibleCpus.length > a0.length * 2 ? ', …' : ''}`,
    );
  } else if (kw === Kw.apic && m.arch === 'x86') {
    facts.push(`In effect: \`${apicModeOf(m)}\`${m.apic ? '' : ' (assumed: no `apic` statement)'}`);
  } else return undefined;
  const word = KEYWORDS[t.sKw[s]];
  return { contents: [`**${word}**`, '', ...facts, ...doc(word)].join('\n'), range };
}

function offlineLines(a: AnalysisLike, o: Parameters<typeof offlineReport>[1], only?: Set<number>): string[] {
  const r = offlineReport(a, o);
  const out: string[] = [];
  let refused = false;
  const steps = r.steps.filter((x) => !only || only.has(x.cpu));
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    if (step.status === 'refused') refused = true;
    // a run of CPUs that went down with nothing to report, in one line
    let j = i;
    while (
      j + 1 < steps.length &&
      quiet(steps[j + 1]) &&
      quiet(step) &&
      steps[j + 1].cpu === steps[j].cpu + 1
    )
      j++;
    if (j > i) {
      const boot = steps.slice(i, j + 1).flatMap((x) => x.heldAtBoot);
      out.push(
        `- CPUs ${step.cpu}-${steps[j].cpu}: taken offline; everything on them moved inside its affinity or mask (${boot.length ? `on them at boot: ${listed(boot)}` : 'no interrupt on them at boot'})`,
      );
      i = j;
      continue;
    }
    out.push(`- ${stepText(step)}`);
  }
  if (refused)
    out.push(
      '',
      `Why a refusal: lapic_can_unplug_cpu() (arch/x86/kernel/apic/vector.c) compares the vectors allocated on the CPU (managed ones not counted from 6.7) with the sum of what the other online CPUs have available (managed reservations already taken out). There is no automatic fix: free vectors first (fewer queues or a \`release\` of a device before this line), take CPUs down in another order, or, before 6.7, note that managed vectors count.`,
    );
  if (!only && r.totals) {
    const x = r.totals;
    const parts = [
      `${plural(x.moved, 'interrupt')} moved${x.broken ? ` (${x.broken} outside ${x.broken === 1 ? 'its' : 'their'} affinity)` : ''}`,
      `${x.shutdown} shut down`,
      x.stuck ? `${x.stuck} stuck on an offline CPU` : 'none stuck',
    ];
    out.push(
      '',
      `After the ${r.several ? 'last `offline` of the file' : 'replay'}: ${parts.join(', ')}. Online CPUs: ${formatList(r.online ?? []) || 'none'}.`,
    );
  }
  if (!a.simulation) out.push('', 'Not simulated: the file has errors that stop the simulation.');
  return out;
}

/** A CPU that went down with nothing shut down, stuck or out of its affinity. */
function quiet(x: OfflineStep): boolean {
  return x.status === 'down' && !x.shutdown.length && !x.broken.length && !x.stuck.length;
}

function stepText(step: OfflineStep): string {
  const cpu = `CPU ${step.cpu}`;
  switch (step.status) {
    case 'not-online':
      return `${cpu}: not an online CPU (\`cpus\`): nothing happens (\`cpu-unknown\`)`;
    case 'already-offline':
      return `${cpu}: already offline (an earlier \`offline\` took it down)`;
    case 'unknown':
      return `${cpu}: not simulated`;
    case 'refused':
      return `${cpu}: ${icon('cpu-unplug-refused')} refused: ${mdMessage(step.refusal ?? 'the kernel refuses')}`;
  }
  const what: string[] = [];
  if (step.shutdown.length) what.push(`${icon('irq-shutdown')} shut down: ${names(step.shutdown)}`);
  if (step.broken.length) what.push(`${icon('affinity-broken')} left the affinity: ${names(step.broken)}`);
  if (step.stuck.length)
    what.push(`${icon('set-affinity-failed')} stuck (set affinity failed): ${names(step.stuck)}`);
  what.push(
    what.length
      ? 'the rest moved inside their affinity or mask'
      : 'everything on it moved inside its affinity or mask',
  );
  const boot = step.heldAtBoot.length
    ? ` (on it at boot: ${listed(step.heldAtBoot)})`
    : ' (no interrupt on it at boot)';
  return `${cpu}: taken offline; ${what.join('; ')}${boot}`;
}

function releaseLines(a: AnalysisLike, rel: Parameters<typeof releaseReport>[1]): string[] {
  const r = releaseReport(a, rel);
  const out = [`**release ${md(r.device)}**: history, as a driver unbind or a rebind to vfio-pci`, ''];
  const n = r.freed.reduce((x, f) => x + f.count, 0);
  if (n)
    out.push(
      `${r.simulated ? 'Frees' : 'Would free'} ${plural(n, 'interrupt')}: ${r.freed.map((f) => (f.count > 1 && r.freed.length > 1 ? `${mdCode(f.label)} (${f.count})` : mdCode(f.label))).join(', ')}. Everything they held is freed here: vectors and managed reservations, IRTEs, IMS slots, MSI-X entries, ITS events and LPIs.`,
    );
  else out.push(`${md(r.device)} holds no interrupt at this point: nothing to free.`);
  if (r.notHeld.length)
    out.push(
      '',
      `Held nothing: ${r.notHeld
        .slice(0, 5)
        .map((x) => `${mdCode(x.irq)} (${mdMessage(x.why)})`)
        .join(', ')}${r.notHeld.length > 5 ? ` and ${r.notHeld.length - 5} more` : ''}.`,
    );
  if (r.anew.length) out.push('', `Allocated anew after it: ${r.anew.map(mdCode).join(', ')} (a new batch).`);
  return out;
}

function nodeLines(m: Model, id: number, cpus: number[]): string[] {
  const online = new Set(m.cpus);
  const on = cpus.filter((c) => online.has(c));
  const off = cpus.filter((c) => !online.has(c));
  const out = [
    `**node ${id}**: ${plural(cpus.length, 'CPU')} (${formatList(cpus) || 'none'}); online: ${formatList(on) || 'none'}${off.length ? `; possible, not online: ${formatList(off)}` : ''}`,
  ];
  const D = m.devices;
  const devs: string[] = [];
  for (let d = 0; d < D.count; d++) if (D.node[d] === id) devs.push(D.name[d]);
  const its = m.domains.filter((d) => d.node === id).map((d) => d.name);
  if (devs.length) out.push('', `Devices on it: ${listed(devs, 8)}`);
  if (its.length) out.push('', `ITS on it: ${its.map(md).join(', ')}`);
  return out;
}
