// The per-CPU chart (model: shared/cpus.ts): one stacked bar per CPU, scaled to what is taken (the free
// part is cut at the top of the scale), rows per NUMA node when the payload has nodes, a legend with
// totals, a scale, exhausted CPUs and broken affinity marked. Clicking a CPU lists its interrupts.
import { cpuChart, cpuListText, interruptsOn, type CpuBar } from '../shared/cpus';
import { hex } from '../shared/routes';
import type { RouteInfo } from '../shared/types';
import { $, el, html, link } from './dom';
import { state } from './state';

const SEGMENTS = [
  ['nonManaged', 'non-managed'],
  ['managedAllocated', 'managed, allocated'],
  ['inUse', 'in use (imported)'],
  ['managedReserved', 'managed, reserved'],
] as const;

const ROW_H = 72;
const TOP = 10;
const AXIS_W = 34;
const LABEL_H = 16;

export function renderCpus(r: RouteInfo | undefined, select: (irq: string) => void): void {
  const sec = $<HTMLElement>('cpus');
  sec.replaceChildren();
  const cpus = state.diagram?.cpus ?? [];
  if (cpus.length === 0) return;
  const x86 = state.diagram?.nodes.some((n) => n.kind === 'vector') ?? false;
  const problems = (state.diagram?.nodes ?? []).flatMap((n) => n.problems);
  const chart = cpuChart(cpus, state.routes, problems, x86);
  html('h2', x86 ? 'Vectors per CPU' : 'Interrupts per CPU', undefined, sec);

  // legend, with totals
  const legend = html('div', undefined, 'legend', sec);
  const item = (cls: string, text: string) => {
    const s = html('span', undefined, undefined, legend);
    html('span', undefined, `swatch seg-${cls}`, s);
    s.appendChild(document.createTextNode(text));
  };
  if (x86) {
    const t = chart.totals;
    item('nonManaged', `non-managed ${t.nonManaged}`);
    item('managedAllocated', `managed, allocated ${t.managedAllocated}`);
    item('managedReserved', `managed, reserved ${t.managedReserved}`);
    if (chart.inUseKnown) item('inUse', `in use (imported) ${t.inUse}`);
    item('free', `free ${t.free}`);
  } else item('nonManaged', `interrupts ${chart.totals.taken}`);
  html(
    'div',
    x86
      ? `Scale 0–${chart.scaleMax} of ${chart.capacity} vectors per CPU${chart.scaleMax < chart.capacity ? ' (free vectors above it are cut)' : ''}.` +
          (chart.inUseKnown ? '' : ' In-use vectors count as non-managed (not told apart by the server).')
      : `Scale 0–${chart.scaleMax} interrupts per CPU.`,
    'muted',
    sec,
  );
  if (!chart.nodesKnown && cpus.length > 1)
    html('div', 'NUMA nodes: not known (not in the payload).', 'muted', sec);

  // the bars
  const width = Math.max(200, (sec.clientWidth || 320) - 4);
  const room = width - AXIS_W;
  const total = chart.groups.reduce((k, g) => k + g.bars.length, 0);
  const pitch = Math.max(4, Math.min(16, Math.floor(room / Math.max(1, total))));
  const perRow = Math.max(1, Math.floor(room / pitch));
  const rows: { label: string | null; bars: CpuBar[] }[] = [];
  for (const g of chart.groups)
    for (let i = 0; i < g.bars.length; i += perRow)
      rows.push({
        label: i === 0 && chart.groups.length > 1 ? g.label : null,
        bars: g.bars.slice(i, i + perRow),
      });
  const rowH = (row: { label: string | null }) => (row.label ? LABEL_H : 0) + TOP + ROW_H + LABEL_H;
  const height = rows.reduce((k, row) => k + rowH(row), 0);
  const svg = el('svg', {
    width,
    height,
    role: 'img',
    'aria-label': x86 ? 'vectors per CPU' : 'interrupts per CPU',
  });
  sec.appendChild(svg);
  const y = (v: number) => ROW_H - (Math.min(v, chart.scaleMax) / chart.scaleMax) * ROW_H;
  const every = Math.max(1, Math.ceil(26 / pitch));
  let top = 0;
  for (const row of rows) {
    if (row.label) {
      const t = el('text', { x: 0, y: top + 12 }, svg);
      t.textContent = row.label;
      top += LABEL_H;
    }
    const g = el('g', { transform: `translate(${AXIS_W},${top + TOP})` }, svg);
    for (const tick of chart.ticks) {
      el('line', { class: 'grid', x1: 0, x2: row.bars.length * pitch, y1: y(tick), y2: y(tick) }, g);
      const t = el('text', { x: -4, y: y(tick) + 4, 'text-anchor': 'end' }, g);
      t.textContent = String(tick);
    }
    row.bars.forEach((b, i) => {
      const x = i * pitch;
      const w = Math.max(2, pitch - (pitch > 6 ? 2 : 1));
      const bar = el('g', { 'data-cpu': b.cpu }, g);
      let acc = 0;
      for (const [key] of SEGMENTS) {
        const v = b[key];
        if (v <= 0) continue;
        const y0 = y(acc);
        const y1 = Math.min(y(acc + v), y0 - 1);
        el('rect', { class: `seg-${key}`, x, y: y1, width: w, height: y0 - y1 }, bar);
        acc += v;
      }
      if (x86 && b.free > 0 && acc < chart.scaleMax)
        el(
          'rect',
          { class: 'seg-free', x, y: y(acc + b.free), width: w, height: y(acc) - y(acc + b.free) },
          bar,
        );
      if (x86 && b.exhausted) {
        el('rect', { class: 'mark-exhausted', x, y: -TOP + 1, width: w, height: 5 }, bar);
        el('rect', { class: 'exhausted-outline', x: x - 1, y: 0, width: w + 2, height: ROW_H }, bar);
      }
      if (b.broken)
        el(
          'circle',
          { class: 'mark-broken', cx: x + w / 2, cy: -TOP / 2 + (b.exhausted ? -4 : 0), r: 3 },
          bar,
        );
      if (r && r.cpu === b.cpu)
        el('rect', { class: 'route-cpu', x: x - 1, y: 0, width: w + 2, height: ROW_H }, bar);
      if (state.cpu === b.cpu)
        el('rect', { class: 'sel', x: x - 1, y: -1, width: w + 2, height: ROW_H + 2 }, bar);
      const hit = el(
        'rect',
        { class: 'cpu-hit', x, y: -TOP, width: pitch, height: ROW_H + TOP + LABEL_H },
        bar,
      );
      const tip = el('title', {}, hit);
      tip.textContent = barTip(b, x86);
      if (i % every === 0) {
        const t = el('text', { x: x + w / 2, y: ROW_H + 13, 'text-anchor': 'middle' }, g);
        t.textContent = String(b.cpu);
      }
    });
    top += TOP + ROW_H + LABEL_H;
  }
  svg.addEventListener('click', (ev) => {
    const c = (ev.target as Element).closest('[data-cpu]')?.getAttribute('data-cpu');
    if (c === null || c === undefined) return;
    state.cpu = state.cpu === Number(c) ? null : Number(c);
    renderCpus(r, select);
  });
  if (chart.exhausted.length)
    html('div', `Exhausted (no free vector): CPU ${cpuListText(chart.exhausted)}`, 'failure', sec);
  if (chart.broken.length)
    html(
      'div',
      `Affinity broken (an interrupt landed outside its affinity): CPU ${cpuListText(chart.broken)}`,
      'failure',
      sec,
    );
  if (state.cpu !== null) {
    const b = chart.groups.flatMap((g) => g.bars).find((x) => x.cpu === state.cpu);
    if (b) renderCpuList(sec, b, x86, select);
  } else html('div', 'Click a CPU to list its interrupts.', 'muted', sec);
}

function barTip(b: CpuBar, x86: boolean): string {
  if (!x86) return `CPU ${b.cpu}: ${b.taken} interrupts`;
  return (
    `CPU ${b.cpu} (APIC ID ${b.apic}${b.node !== null ? `, node ${b.node}` : ''}): ${b.taken} of ${b.capacity} taken, ${b.free} free\n` +
    `non-managed ${b.nonManaged} · managed allocated ${b.managedAllocated} · managed reserved ${b.managedReserved}` +
    (b.inUse ? ` · in use ${b.inUse}` : '') +
    (b.exhausted ? '\nexhausted: no free vector' : '') +
    (b.broken ? '\nan interrupt landed here outside its affinity' : '')
  );
}

function renderCpuList(sec: HTMLElement, b: CpuBar, x86: boolean, select: (irq: string) => void): void {
  const irqs = interruptsOn(state.routes, b.cpu);
  const box = html('div', undefined, 'cpu-detail', sec);
  box.id = 'cpu-detail';
  html(
    'h2',
    `CPU ${b.cpu}${x86 ? ` · APIC ID ${b.apic}` : ''}${b.node !== null ? ` · node ${b.node}` : ''}: ${irqs.length} interrupt${irqs.length === 1 ? '' : 's'} routed here`,
    undefined,
    box,
  );
  if (x86)
    html(
      'div',
      `non-managed ${b.nonManaged} · managed ${b.managedAllocated} (+${b.managedReserved} reserved) · ${b.inUse ? `in use ${b.inUse} · ` : ''}free ${b.free} of ${b.capacity}`,
      'muted',
      box,
    );
  if (irqs.length === 0) return;
  const ul = html('ul', undefined, 'cpu-list', box);
  for (const i of irqs.slice(0, 300)) {
    const li = html('li', undefined, undefined, ul);
    link(i.irq, li, () => select(i.irq), 'Show this route');
    const where = i.vector !== null ? `vector ${hex(i.vector)}` : i.lpi !== null ? `LPI ${i.lpi}` : '';
    html('span', `${where}${i.managed ? ' · managed' : ''}`, 'vec', li);
  }
  if (irqs.length > 300) html('li', `… ${irqs.length - 300} more`, 'muted', ul);
}
