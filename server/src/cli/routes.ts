// `irqtopo routes` and `irqtopo inject` output: a table a person can read, and JSON for tools.

import type { Simulation } from '../core';
import type { Route } from '../core/simulate/types';
import { formatMessage } from '../core/simulate/messages';
import type { InjectOutcome } from '../core/simulate/evaluate';

const hex = (n: number) => '0x' + n.toString(16);

/** The JSON of issue 3: routes, cpus, domains. A failed route also carries `failure`. */
export function routesJson(sim: Simulation): string {
  return JSON.stringify(
    {
      routes: sim.routes.map((r) => ({
        irq: r.irq,
        cpu: r.cpu,
        vector: r.vector,
        lpi: r.lpi,
        path: r.path,
        hops: r.hops.map((h) => ({ domain: h.domain, hwirq: h.hwirq })),
        message: r.message
          ? { address_hi: r.message.address_hi, address_lo: r.message.address_lo, data: r.message.data }
          : null,
        ...(r.failure ? { failure: { code: r.failure.code, message: r.failure.message } } : {}),
      })),
      cpus: sim.cpus.map((c) => ({ cpu: c.cpu, apic_id: c.apic_id, used: c.used, available: c.available })),
      domains: sim.domains.map((d) => ({ name: d.name, used: d.used, size: d.size })),
    },
    null,
    2,
  );
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function target(r: Route): string {
  if (r.lpi !== null) return `LPI ${r.lpi}`;
  if (r.vector !== null) return hex(r.vector);
  return '-';
}

function remap(r: Route): string {
  if (r.irte !== null) return r.subhandle ? `IRTE ${r.irte} (${r.handle}+${r.subhandle})` : `IRTE ${r.irte}`;
  if (r.event !== null) return `event ${r.event}`;
  return '-';
}

/** The route table, then each domain's usage. */
export function routesText(sim: Simulation): string {
  const rows: string[][] = [['INTERRUPT', 'CPU', 'VECTOR/LPI', 'IRTE/EVENT', 'MESSAGE', 'PATH']];
  for (const r of sim.routes) {
    if (r.failure) {
      rows.push([r.irq, '-', '-', '-', '-', `not allocated: ${r.failure.code}`]);
      continue;
    }
    rows.push([
      r.irq,
      r.cpu === null ? '-' : String(r.cpu),
      target(r),
      remap(r),
      r.message ? formatMessage(r.message) : '-',
      r.hops
        .map((h, i) => (h.hwirq === null || i === r.hops.length - 1 ? h.domain : `${h.domain}[${h.hwirq}]`))
        .join(' > ') + (r.sharedWith ? ` (shares the line of ${r.sharedWith})` : ''),
    ]);
  }
  const out = [table(rows)];
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
