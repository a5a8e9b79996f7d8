// What the v2 history statements did, read from the model, the simulation's routes and its findings
// (pure queries for hovers and hints): an `offline` statement, CPU by CPU (refused with the kernel's
// figures, or taken down and what became of the interrupts), a `release` (which interrupts it freed),
// and the masks a `spread` range got.
//
// The per-CPU outcomes are the simulation's own record (Simulation.offlineSteps, simulate/hotplug.ts);
// the totals come from the routes after the last `offline` (Route.offline, Route.affinityBroken).

import type { Finding } from '../diagnostics';
import { groupOfIrq, irqDead, irqName, type Model, type Offline, type Release, type Site } from '../model';
import type { Route } from '../simulate/types';
import { formatList } from '../values';
import type { AnalysisLike } from './util';

/** Interrupts of one `irq` statement, by name, with how many there were. */
export interface IrqCount {
  /** the first interrupt concerned, e.g. `nvme0.io[0]` */
  irq: string;
  /** how many interrupts of its statement (the first included) */
  count: number;
}

export interface OfflineStep {
  cpu: number;
  /**
   * down: the CPU went offline; refused: the kernel refused (see `refusal`); not-online: not a CPU of
   * `cpus`; already-offline: an earlier `offline` took it down; unknown: no simulation
   */
  status: 'down' | 'refused' | 'not-online' | 'already-offline' | 'unknown';
  /** the refusal as the simulation reported it (the kernel's message and figures) */
  refusal?: string;
  /** the started interrupts on the CPU at boot (their first move was off this CPU) */
  heldAtBoot: string[];
  broken: IrqCount[];
  shutdown: IrqCount[];
  stuck: IrqCount[];
}

export interface OfflineReport {
  offline: Offline;
  steps: OfflineStep[];
  /** after the last `offline` of the file, over every interrupt: how many moved, left their affinity, were shut down, are stuck */
  totals: { moved: number; broken: number; shutdown: number; stuck: number } | undefined;
  /** the online CPUs after the last `offline` */
  online: number[] | undefined;
  /** more than one `offline` statement: the totals are those of all of them */
  several: boolean;
}

const sameSite = (a: Site, file: Finding['file'], start: number) => a.file === file && a.start === start;

/** The `offline` statement that starts at an offset of a file, if the model bound one there. */
export function offlineAt(m: Model, site: { file: Site['file']; start: number }): Offline | undefined {
  return m.offlines.find((o) => sameSite(o.site, site.file, site.start));
}

export function releaseAt(m: Model, site: { file: Site['file']; start: number }): Release | undefined {
  return m.releases.find((r) => sameSite(r.site, site.file, site.start));
}

const bootCache = new WeakMap<object, Route[]>();

function bootRoutes(a: AnalysisLike): Route[] {
  const sim = a.simulation;
  if (!sim) return [];
  let r = bootCache.get(sim);
  if (!r) bootCache.set(sim, (r = sim.routesBeforeOffline() ?? sim.routes));
  return r;
}

export function offlineReport(a: AnalysisLike, off: Offline): OfflineReport {
  const m = a.model;
  const sim = a.simulation;
  const index = m.offlines.indexOf(off);
  // the started interrupts on each CPU at boot
  const held = new Map<number, string[]>();
  for (const r of bootRoutes(a))
    if (r.cpu !== null && !r.failure) {
      let l = held.get(r.cpu);
      if (!l) held.set(r.cpu, (l = []));
      l.push(r.irq);
    }
  const steps: OfflineStep[] = [];
  if (!sim) {
    const online = new Set(m.cpus);
    for (const cpu of off.cpus)
      steps.push({
        cpu,
        status: online.has(cpu) ? 'unknown' : 'not-online',
        heldAtBoot: held.get(cpu) ?? [],
        broken: [],
        shutdown: [],
        stuck: [],
      });
    return { offline: off, steps, totals: undefined, online: undefined, several: m.offlines.length > 1 };
  }
  // the simulation's own record of each CPU (simulate/hotplug.ts)
  for (const st of sim.offlineSteps) {
    if (st.offline !== index) continue;
    steps.push({
      cpu: st.cpu,
      status: st.status,
      refusal: st.refusal,
      heldAtBoot: held.get(st.cpu) ?? [],
      broken: perStatement(m, st.broken),
      shutdown: perStatement(m, st.shutdown),
      stuck: perStatement(m, st.stuck),
    });
  }
  const totals = { moved: 0, broken: 0, shutdown: 0, stuck: 0 };
  for (const r of sim.routes) {
    if (r.offline === 'moved') {
      totals.moved++;
      if (r.affinityBroken) totals.broken++;
    } else if (r.offline === 'shut-down') totals.shutdown++;
    else if (r.offline === 'stuck') totals.stuck++;
  }
  const now = sim.cpus.filter((c) => c.online).map((c) => c.cpu);
  return { offline: off, steps, totals, online: now, several: m.offlines.length > 1 };
}

/** Interrupts (allocation order) as their statements: the first of each, and how many. */
function perStatement(m: Model, ks: readonly number[]): IrqCount[] {
  const out: IrqCount[] = [];
  const byGroup = new Map<number, IrqCount>();
  for (const k of ks) {
    const g = groupOfIrq(m, k);
    const e = byGroup.get(g);
    if (e) e.count++;
    else {
      const c = { irq: irqName(m, k), count: 1 };
      byGroup.set(g, c);
      out.push(c);
    }
  }
  return out;
}

/** `nvme0.q[0..7]`, `nvme0.admin`: a statement's interrupts as written. */
export function groupLabel(m: Model, g: number): string {
  const G = m.groups;
  const dev = m.devices.name[G.device[g]];
  const first = G.first[g];
  if (first < 0) return `${dev}.${G.name[g]}`;
  return `${dev}.${G.name[g]}[${first === G.last[g] ? first : `${first}..${G.last[g]}`}]`;
}

export interface ReleaseReport {
  device: string;
  /** the statements whose interrupts it freed, with how many of each */
  freed: { label: string; count: number }[];
  /** interrupts of those statements that held nothing to free (never allocated), with why */
  notHeld: { irq: string; why: string }[];
  /** the device's statements after it (until its next release): allocated anew */
  anew: string[];
  /** false when the analysis has no simulation: `freed` lists what it would free */
  simulated: boolean;
}

export function releaseReport(a: AnalysisLike, rel: Release): ReleaseReport {
  const m = a.model;
  const G = m.groups;
  // the device's releases in order: this one acts on the statements since the previous one
  const mine = m.releases.filter((r) => r.device === rel.device);
  const at = mine.indexOf(rel);
  const from = at > 0 ? mine[at - 1].before : 0;
  const to = at + 1 < mine.length ? mine[at + 1].before : G.count;
  const sim = a.simulation;
  const freed: ReleaseReport['freed'] = [];
  const notHeld: ReleaseReport['notHeld'] = [];
  const anew: string[] = [];
  for (let g = 0; g < G.count; g++) {
    if (G.device[g] !== rel.device) continue;
    if (g >= rel.before) {
      if (g < to) anew.push(groupLabel(m, g));
      continue;
    }
    if (g < from) continue;
    let n = 0;
    for (let i = 0; i < G.size[g]; i++) {
      const k = G.order[g] + i;
      if (irqDead(m, k)) continue;
      if (!sim) {
        n++;
        continue;
      }
      const f = sim.route(k)?.failure;
      if (f?.code === 'released') n++;
      else notHeld.push({ irq: irqName(m, k), why: f ? f.code : 'not allocated' });
    }
    if (n) freed.push({ label: groupLabel(m, g), count: n });
  }
  return { device: m.devices.name[rel.device], freed, notHeld, anew, simulated: !!sim };
}

/** The mask of each element of a `spread` statement (group g), as the kernel's spreading gives it; undefined when not spread. */
export function spreadMasks(m: Model, g: number): { irq: string; mask: number[] | undefined }[] | undefined {
  const ids = m.elementMasks.get(g);
  if (!ids) return undefined;
  const out: { irq: string; mask: number[] | undefined }[] = [];
  for (let i = 0; i < ids.length; i++) {
    const k = m.groups.order[g] + i;
    if (irqDead(m, k)) continue;
    out.push({ irq: irqName(m, k), mask: ids[i] >= 0 ? m.masks[ids[i]] : undefined });
  }
  return out;
}

/** The spread mask of interrupt k, as a CPU list (`4,12`), or undefined when its statement is not spread. */
export function spreadMaskText(m: Model, k: number): string | undefined {
  const g = groupOfIrq(m, k);
  const ids = m.elementMasks.get(g);
  if (!ids) return undefined;
  const id = ids[k - m.groups.order[g]];
  return id >= 0 ? formatList(m.masks[id]) : 'empty (the kernel leaves it empty: -EINVAL)';
}
