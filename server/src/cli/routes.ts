// `irqtopo routes` and `irqtopo inject` output: a table a person can read, and JSON for tools.

import type { Simulation } from '../core';
import type { Route } from '../core/simulate/types';
import { formatMessage } from '../core/simulate/messages';
import type { InjectOutcome } from '../core/simulate/evaluate';

const hex = (n: number) => '0x' + n.toString(16);

/**
 * The JSON of issue 3 (routes, cpus, domains), extended by issue 11: per route the remap index
 * (`irte`: Intel handle + subhandle, or the AMD table index), the ITS `event`, the effective affinity
 * `mask`, the device's `node`, and `observed` (the columns that are pins from the machine). A failed
 * route also carries `failure`; one an `offline` moved or shut down carries `offline`.
 */
export function routesJson(sim: Simulation, routes: readonly Route[] = sim.routes): string {
  return JSON.stringify(
    {
      routes: routes.map((r) => ({
        irq: r.irq,
        cpu: r.cpu,
        vector: r.vector,
        lpi: r.lpi,
        irte: r.irte,
        event: r.event,
        ...(r.handle !== undefined ? { handle: r.handle, subhandle: r.subhandle } : {}),
        managed: r.managed,
        mask: r.mask,
        node: r.node,
        observed: r.observed,
        path: r.path,
        hops: r.hops.map((h) => ({ domain: h.domain, hwirq: h.hwirq })),
        message: r.message
          ? { address_hi: r.message.address_hi, address_lo: r.message.address_lo, data: r.message.data }
          : null,
        ...(r.affinityBroken ? { affinityBroken: true } : {}),
        ...(r.offline ? { offline: r.offline } : {}),
        ...(r.sharedWith ? { sharedWith: r.sharedWith } : {}),
        ...(r.failure ? { failure: { code: r.failure.code, message: r.failure.message } } : {}),
      })),
      cpus: sim.cpus.map((c) => ({
        cpu: c.cpu,
        apic_id: c.apic_id,
        online: c.online,
        node: c.node,
        used: c.used,
        available: c.available,
        managed: c.managed,
        managed_allocated: c.managed_allocated,
      })),
      domains: sim.domains.map((d) => ({ name: d.name, used: d.used, size: d.size })),
    },
    null,
    2,
  );
}

function table(rows: string[][]): string {
  // (a loop, not Math.max(...): a topology may have 2^20 routes, beyond the arguments a call takes)
  const widths = rows[0].map(() => 0);
  for (const r of rows) for (let i = 0; i < r.length; i++) widths[i] = Math.max(widths[i], r[i].length);
  return rows
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** A value with its mark: `*` when it is observed (a pin from the machine), not simulated. */
function mark(v: string, observed: boolean): string {
  return observed ? `${v}*` : v;
}

function target(r: Route): string {
  if (r.lpi !== null) return mark(`LPI ${r.lpi}`, r.observed.includes('lpi'));
  if (r.vector !== null) return mark(hex(r.vector), r.observed.includes('vector'));
  return '-';
}

function remap(r: Route): string {
  const o = r.observed.includes('irte');
  if (r.irte !== null)
    return mark(r.subhandle ? `IRTE ${r.irte} (${r.handle}+${r.subhandle})` : `IRTE ${r.irte}`, o);
  if (r.event !== null) return `event ${r.event}`;
  return '-';
}

const OFFLINE: Record<NonNullable<Route['offline']>, string> = {
  moved: 'moved by offline',
  'shut-down': 'shut down by offline: managed, no CPU of its mask online',
  stuck: 'set affinity failed: still on the offline CPU',
};

/** The route table (`*` marks observed values), then each domain's usage. */
export function routesText(sim: Simulation, routes: readonly Route[] = sim.routes): string {
  const rows: string[][] = [['INTERRUPT', 'CPU', 'VECTOR/LPI', 'IRTE/EVENT', 'MESSAGE', 'PATH']];
  let observed = false;
  for (const r of routes) {
    if (r.failure) {
      rows.push([r.irq, '-', '-', '-', '-', `not allocated: ${r.failure.code}`]);
      continue;
    }
    if (r.observed.length) observed = true;
    const notes = [
      r.sharedWith ? `shares the line of ${r.sharedWith}` : '',
      r.offline ? OFFLINE[r.offline] : '',
      r.affinityBroken ? 'affinity broken' : '',
    ].filter((x) => x);
    rows.push([
      r.irq,
      r.cpu === null ? '-' : mark(String(r.cpu), r.observed.includes('cpu')),
      target(r),
      remap(r),
      r.message ? formatMessage(r.message) : '-',
      r.hops
        .map((h, i) => (h.hwirq === null || i === r.hops.length - 1 ? h.domain : `${h.domain}[${h.hwirq}]`))
        .join(' > ') + (notes.length ? ` (${notes.join('; ')})` : ''),
    ]);
  }
  const out = [table(rows)];
  if (observed) out.push('* observed: a pin read from the machine; every other value is simulated');
  const used = sim.domains.filter((d) => d.used > 0 || d.size !== null);
  if (used.length) {
    out.push('');
    const drows: string[][] = [['DOMAIN', 'USED', 'RESOURCE']];
    for (const d of used)
      drows.push([d.name, d.size === null ? String(d.used) : `${d.used}/${d.size}`, d.resource]);
    out.push(table(drows));
  }
  return out.join('\n');
}

export function injectJson(r: InjectOutcome): string {
  if (r.irq === null) return JSON.stringify({ irq: null, reason: r.reason });
  return JSON.stringify({
    irq: r.irq,
    cpu: r.cpu,
    vector: r.vector,
    ...(r.lpi !== null ? { lpi: r.lpi } : {}),
  });
}

export function injectText(r: InjectOutcome): string {
  return r.landed ? r.text : `no interrupt fires: ${r.text}`;
}
