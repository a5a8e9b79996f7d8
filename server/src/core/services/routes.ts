// Reading the simulation for one interrupt or domain, with a model-only fallback when the
// analysis carries no simulation (the route's path from the model, no placement).

import { chainOf, deviceByName, type Domain, type IrqView, type Model } from '../model';
import type { DomainUsage, Route } from '../simulate/types';
import { formatList } from '../values';
import type { AnalysisLike } from './util';
import { hex } from './util';

export function routeOf(a: AnalysisLike, irq: IrqView | number): Route | undefined {
  return a.simulation?.route(typeof irq === 'number' ? irq : irq.k);
}

/** The domains an interrupt walks, endpoint first (from the simulation, else from the model). */
export function pathOf(a: AnalysisLike, irq: IrqView): string[] {
  const r = routeOf(a, irq);
  if (r) return r.path;
  return chainOf(irq.domain).map((d) => d.name);
}

export function usageOf(a: AnalysisLike, d: Domain): DomainUsage | undefined {
  return a.simulation?.domains.find((u) => u.name === d.name);
}

export function usageText(u: DomainUsage): string {
  return `${u.resource} ${u.used}/${u.size ?? '∞'}`;
}

/**
 * `→ CPU 3 · 0x24 · IRTE 17` (x86), `→ CPU 2 · LPI 8193 · event 3` (arm64), with `(observed)` when the
 * values are pins, what an `offline` did, and a failure in plain words.
 */
export function placementText(r: Route, inactive = false): string {
  if (r.failure) return `→ ${failureWords(r.failure)}`;
  if (r.offline === 'shut-down') return '→ shut down by offline (no CPU of its mask online)';
  const parts: string[] = [];
  if (inactive && r.cpu === null) parts.push('inactive: reserved, no vector');
  if (r.cpu !== null) parts.push(`CPU ${r.cpu}`);
  if (r.vector !== null) parts.push(hex(r.vector));
  if (r.lpi !== null) parts.push(`LPI ${r.lpi}`);
  if (r.irte !== null) parts.push(`IRTE ${r.irte}`);
  if (r.event !== null) parts.push(`event ${r.event}`);
  let text = `→ ${parts.join(' · ') || 'routed'}${observedNote([r])}`;
  if (r.offline === 'moved') text += ` · moved by offline${r.affinityBroken ? ', outside its affinity' : ''}`;
  else if (r.offline === 'stuck') text += ` · stuck: CPU ${r.cpu} is offline (set affinity failed)`;
  else if (r.affinityBroken) text += ' · outside its affinity';
  return text;
}

/** What a route shows that a pin can give, and which of those are observed. */
function shownObserved(r: Route): { shown: number; observed: string[] } {
  const out: string[] = [];
  let shown = 0;
  const fields: [keyof Route, 'cpu' | 'vector' | 'irte' | 'lpi', string][] = [
    ['cpu', 'cpu', 'CPU'],
    ['vector', 'vector', 'vector'],
    ['lpi', 'lpi', 'LPI'],
    ['irte', 'irte', 'IRTE'],
  ];
  for (const [field, key, label] of fields) {
    if (r[field] === null) continue;
    shown++;
    if (r.observed.includes(key)) out.push(label);
  }
  return { shown, observed: out };
}

/**
 * ` (observed)` when every value shown is a pin read from a machine, ` (observed: CPU, vector)` when
 * some are, ` (3 of 8 observed)` for a range where only some elements are pinned; '' when none.
 */
export function observedNote(routes: readonly Route[]): string {
  const ok = routes.filter((r) => !r.failure);
  if (ok.length === 0) return '';
  const each = ok.map(shownObserved);
  const any = each.filter((e) => e.observed.length > 0);
  if (any.length === 0) return '';
  if (any.length < ok.length) return ` (${any.length} of ${ok.length} observed)`;
  const all = each.every((e) => e.observed.length === e.shown);
  if (all) return ' (observed)';
  const labels = [...new Set(each.flatMap((e) => e.observed))];
  return ` (observed: ${labels.join(', ')})`;
}

/** Why an interrupt has no placement, in plain words: `not allocated: no free vector`. */
export function failureWords(f: { code: string; message: string }): string {
  if (f.code === 'released') {
    const line = /freed at line (\d+)/.exec(f.message)?.[1];
    return `freed by release${line ? ` (line ${line})` : ''}`;
  }
  return `not allocated: ${FAILURE_WORDS[f.code] ?? (/kernel refuses the layering/.test(f.message) ? 'the kernel refuses its domain layering' : f.code)}`;
}

const FAILURE_WORDS: Readonly<Record<string, string>> = {
  root: 'its domains reach no root',
  'vector-exhausted': 'no free vector',
  'irte-exhausted': 'remap table full',
  'ims-slots-exhausted': 'no free IMS slot',
  'its-events-exhausted': 'ITS event space full',
  'msix-index-range': 'MSI-X entry beyond the table',
  'cpu-unknown': 'no online CPU',
  'missing-property': 'the statement is incomplete',
  'bad-value': 'a value is invalid',
  'apic-id-unreachable': 'the APIC ID is unreachable without remapping',
  'vector-conflict': 'its pinned vector is taken',
  'ims-parent-pci-msi': 'the kernel refuses its domain layering',
  'parent-not-msi-parent': 'the kernel refuses its domain layering',
  'ims-parent-vector': 'the kernel refuses its domain layering',
  'platform-msi-x86': 'the kernel refuses its domain layering',
  'ims-kernel': 'no PCI/IMS in this kernel',
  internal: 'internal error (please report it)',
};

/** `0x20-0x21,0x24`: values in hex, runs joined. */
export function hexList(values: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < values.length;) {
    let j = i;
    while (j + 1 < values.length && values[j + 1] === values[j] + 1) j++;
    parts.push(i === j ? hex(values[i]) : `${hex(values[i])}-${hex(values[j])}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** A list cut to about `max` characters at a comma: `0,2,4,6,…`. */
export function cut(list: string, max = 24): string {
  if (list.length <= max) return list;
  const at = list.lastIndexOf(',', max);
  return `${list.slice(0, at > 0 ? at : max)},…`;
}

function distinct(values: (number | null)[]): number[] {
  return [...new Set(values.filter((v): v is number => v !== null))].sort((a, b) => a - b);
}

/**
 * The placement of several interrupts (a range statement) in one short line:
 * `→ CPUs 0-7 · 0x20-0x21 · IRTE 1-8`, then what did not go as planned, counted.
 */
export function rangeText(routes: readonly Route[], inactive = false): string {
  if (routes.length === 1) return placementText(routes[0], inactive);
  const ok = routes.filter((r) => !r.failure && r.offline !== 'shut-down');
  const parts: string[] = [];
  const cpus = distinct(ok.map((r) => r.cpu));
  if (cpus.length) parts.push(`${cpus.length > 1 ? 'CPUs' : 'CPU'} ${cut(formatList(cpus))}`);
  const vectors = distinct(ok.map((r) => r.vector));
  if (vectors.length) parts.push(cut(hexList(vectors)));
  const lpis = distinct(ok.map((r) => r.lpi));
  if (lpis.length) parts.push(`LPI ${cut(formatList(lpis))}`);
  const irtes = distinct(ok.map((r) => r.irte));
  if (irtes.length) parts.push(`IRTE ${cut(formatList(irtes))}`);
  const events = distinct(ok.map((r) => r.event));
  if (events.length) parts.push(`${events.length > 1 ? 'events' : 'event'} ${cut(formatList(events))}`);
  if (inactive && ok.length && cpus.length === 0) parts.unshift('inactive: reserved, no vector');
  let text = parts.length ? parts.join(' · ') + observedNote(ok) : '';
  const tail: string[] = [];
  const count = (n: number, what: string) => n && tail.push(`${n} ${what}`);
  count(routes.filter((r) => r.offline === 'moved').length, 'moved by offline');
  count(routes.filter((r) => r.offline === 'shut-down').length, 'shut down by offline');
  count(routes.filter((r) => r.offline === 'stuck').length, 'stuck on an offline CPU');
  count(routes.filter((r) => !r.failure && r.affinityBroken).length, 'outside their affinity');
  const failed = routes.filter((r) => r.failure);
  if (failed.length) {
    const words = [...new Set(failed.map((r) => failureWords(r.failure!)))];
    const all = failed.length === routes.length;
    tail.push(
      `${all ? (failed.length === 2 ? 'both' : `all ${failed.length}`) : failed.length} ${words.length === 1 ? words[0] : `${words[0]} (and other reasons)`}`,
    );
  }
  if (tail.length) text = text ? `${text} · ${tail.join(' · ')}` : tail.join(' · ');
  return `→ ${text || 'routed'}`;
}

export function messageText(r: Route): string | undefined {
  const m = r.message;
  if (!m) return undefined;
  const addr = m.address_hi
    ? `0x${m.address_hi.toString(16)}${m.address_lo.toString(16).padStart(8, '0')}`
    : hex(m.address_lo);
  return `address ${addr}, data ${hex(m.data)}`;
}

/** One line per hop: `IR-0 — IRTE 17` (`name` writes a domain's name: Markdown escapes it). */
export function hopLines(r: Route, name: (s: string) => string = (s) => s): string[] {
  return r.hops.map(
    (h) =>
      `${name(h.domain)}${h.resource ? ` — ${h.resource}` : h.hwirq !== null ? ` — hwirq ${h.hwirq}` : ''}`,
  );
}

export function hasSimulation(a: AnalysisLike): boolean {
  return !!a.simulation;
}

export function irqsOfGroupModel(m: Model, deviceName: string, irqName: string): IrqView[] {
  const dev = deviceByName(m, deviceName);
  if (!dev) return [];
  return dev.groups.filter((g) => g.name === irqName).flatMap((g) => g.irqs);
}
