// Reading the simulation for one interrupt or domain, with a model-only fallback when the
// analysis carries no simulation (the route's path from the model, no placement).

import { chainOf, deviceByName, type Domain, type IrqView, type Model } from '../model';
import type { DomainUsage, Route } from '../simulate/types';
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

/** `→ CPU 3 · 0x24 · IRTE 17` (x86), `→ CPU 2 · LPI 8193 · event 3` (arm64), `✗ code` on failure. */
export function placementText(r: Route): string {
  if (r.failure) return `✗ ${r.failure.code}`;
  const parts: string[] = [];
  if (r.cpu !== null) parts.push(`CPU ${r.cpu}`);
  if (r.vector !== null) parts.push(hex(r.vector));
  if (r.lpi !== null) parts.push(`LPI ${r.lpi}`);
  if (r.irte !== null) parts.push(`IRTE ${r.irte}`);
  if (r.event !== null) parts.push(`event ${r.event}`);
  return `→ ${parts.join(' · ') || 'routed'}`;
}

export function messageText(r: Route): string | undefined {
  const m = r.message;
  if (!m) return undefined;
  const addr = m.address_hi
    ? `0x${m.address_hi.toString(16)}${m.address_lo.toString(16).padStart(8, '0')}`
    : hex(m.address_lo);
  return `address ${addr}, data ${hex(m.data)}`;
}

/** One line per hop: `IR-0 — IRTE 17`. */
export function hopLines(r: Route): string[] {
  return r.hops.map(
    (h) => `${h.domain}${h.resource ? ` — ${h.resource}` : h.hwirq !== null ? ` — hwirq ${h.hwirq}` : ''}`,
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
