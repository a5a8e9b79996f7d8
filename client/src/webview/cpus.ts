// The per-CPU chart (model: shared/cpus.ts): one stacked bar per CPU, scaled to what is taken (the free
// part is cut at the top of the scale), rows per NUMA node when the payload has nodes, a legend with
// totals, a scale, exhausted CPUs, broken affinity and offline CPUs marked. Clicking a CPU (or Enter on
// it) lists its interrupts; its context menu (right-click, the context-menu key or Shift+F10) offers
// "Take CPU N offline", as does its list: the host adds `offline N` to the topology.
import { cpuChart, cpuListText, interruptsOn, type CpuBar } from '../shared/cpus';
import { hex } from '../shared/routes';
import type { RouteInfo } from '../shared/types';
import { $, el, html, link, post } from './dom';
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
  if (chart.offline.length) item('offline', `offline ${chart.offline.length}`);
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
      const bar = el(
        'g',
        {
          'data-cpu': b.cpu,
          class: b.online ? 'cpu' : 'cpu offline',
          tabindex: 0,
          role: 'button',
          'aria-haspopup': 'menu',
          'aria-label': `CPU ${b.cpu}${b.online ? '' : ' (offline)'}: ${b.taken} ${x86 ? 'vectors taken' : 'interrupts'}`,
        },
        g,
      );
      if (!b.online) el('rect', { class: 'seg-offline', x, y: 0, width: w, height: ROW_H }, bar);
      let acc = 0;
      for (const [key] of SEGMENTS) {
        const v = b[key];
        if (v <= 0) continue;
        const y0 = y(acc);
        const y1 = Math.min(y(acc + v), y0 - 1);
        el('rect', { class: `seg-${key}`, x, y: y1, width: w, height: y0 - y1 }, bar);
        acc += v;
      }
      if (x86 && b.online && b.free > 0 && acc < chart.scaleMax)
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
        const t = el(
          'text',
          { x: x + w / 2, y: ROW_H + 13, 'text-anchor': 'middle', class: b.online ? '' : 'offline-label' },
          g,
        );
        t.textContent = String(b.cpu);
      }
    });
    top += TOP + ROW_H + LABEL_H;
  }
  const bars = chart.groups.flatMap((gr) => gr.bars);
  const barOf = (t: EventTarget | null): { bar: CpuBar; el: Element } | undefined => {
    const e = (t as Element | null)?.closest?.('[data-cpu]');
    const cpu = Number(e?.getAttribute('data-cpu'));
    const bar = bars.find((x) => x.cpu === cpu);
    return e && bar ? { bar, el: e } : undefined;
  };
  const toggle = (cpu: number) => {
    state.cpu = state.cpu === cpu ? null : cpu;
    renderCpus(r, select);
    focusBar(cpu);
  };
  svg.addEventListener('click', (ev) => {
    const hit = barOf(ev.target);
    if (hit) toggle(hit.bar.cpu);
  });
  svg.addEventListener('contextmenu', (ev) => {
    const hit = barOf(ev.target);
    if (!hit) return;
    ev.preventDefault();
    ev.stopPropagation();
    openCpuMenu(hit.bar, ev.clientX, ev.clientY, () => toggle(hit.bar.cpu));
  });
  svg.addEventListener('keydown', (ev) => {
    const hit = barOf(ev.target);
    if (!hit) return;
    if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      toggle(hit.bar.cpu);
    } else if (ev.key === 'ContextMenu' || (ev.key === 'F10' && ev.shiftKey)) {
      ev.preventDefault();
      const box = hit.el.getBoundingClientRect();
      openCpuMenu(hit.bar, box.left + box.width / 2, box.top + box.height / 2, () => toggle(hit.bar.cpu));
    } else if (ev.key === 'ArrowRight' || ev.key === 'ArrowLeft') {
      const i = bars.indexOf(hit.bar) + (ev.key === 'ArrowRight' ? 1 : -1);
      if (i >= 0 && i < bars.length) {
        ev.preventDefault();
        focusBar(bars[i].cpu);
      }
    }
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
  if (chart.offline.length)
    html('div', `Offline (taken down by \`offline\`): CPU ${cpuListText(chart.offline)}`, 'muted', sec);
  if (state.cpu !== null) {
    const b = chart.groups.flatMap((g) => g.bars).find((x) => x.cpu === state.cpu);
    if (b) renderCpuList(sec, b, x86, select);
  } else html('div', 'Click a CPU to list its interrupts; right-click it to take it offline.', 'muted', sec);
}

function focusBar(cpu: number): void {
  const e = document.querySelector<SVGGElement>(`#cpus [data-cpu="${cpu}"]`);
  e?.focus();
}

/** Asks the host to add `offline N` to the topology. */
function takeOffline(cpu: number): void {
  post({ type: 'offline', cpu });
}

/** The CPU's context menu, at a point of the page: take it offline, or list (hide) its interrupts. */
export function openCpuMenu(b: CpuBar, x: number, y: number, toggleList: () => void): void {
  closeCpuMenu();
  const menu = html('div', undefined, 'menu', document.body);
  menu.id = 'cpu-menu';
  menu.setAttribute('role', 'menu');
  menu.setAttribute('aria-label', `CPU ${b.cpu}`);
  const returnTo = document.activeElement as HTMLElement | null;
  const close = (refocus: boolean) => {
    closeCpuMenu();
    if (refocus) returnTo?.focus?.();
  };
  const item = (text: string, run: (() => void) | null, title?: string) => {
    const e = html('button', text, 'menu-item', menu);
    e.setAttribute('role', 'menuitem');
    if (title) e.title = title;
    if (!run) e.disabled = true;
    e.addEventListener('click', () => {
      close(true);
      run?.();
    });
    return e;
  };
  if (b.online)
    item(
      `Take CPU ${b.cpu} offline`,
      () => takeOffline(b.cpu),
      `Adds \`offline ${b.cpu}\` to the topology (undo with Ctrl+Z)`,
    );
  else item(`CPU ${b.cpu} is offline`, null);
  item(state.cpu === b.cpu ? `Hide CPU ${b.cpu}’s interrupts` : `List CPU ${b.cpu}’s interrupts`, toggleList);
  // at the pointer, opening to the left (or up) where there is no room: the CPU stays in sight
  const r = menu.getBoundingClientRect();
  const left = x + r.width + 4 > window.innerWidth ? x - r.width : x;
  const top = y + r.height + 4 > window.innerHeight ? y - r.height : y;
  menu.style.left = `${Math.max(0, Math.min(left, window.innerWidth - r.width - 4))}px`;
  menu.style.top = `${Math.max(0, Math.min(top, window.innerHeight - r.height - 4))}px`;
  // the CPU it is for, outlined while it is open
  document.querySelector(`#cpus [data-cpu="${b.cpu}"]`)?.classList.add('menu-target');
  const items = [...menu.querySelectorAll<HTMLButtonElement>('.menu-item:not(:disabled)')];
  items[0]?.focus();
  menu.addEventListener('keydown', (ev) => {
    const i = items.indexOf(document.activeElement as HTMLButtonElement);
    if (ev.key === 'Escape' || ev.key === 'Tab') {
      ev.preventDefault();
      close(true);
    } else if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      ev.preventDefault();
      const n = items.length;
      items[(i + (ev.key === 'ArrowDown' ? 1 : n - 1)) % n]?.focus();
    }
    ev.stopPropagation();
  });
  setTimeout(() => {
    document.addEventListener('mousedown', outside, true);
    window.addEventListener('blur', blur);
  });
}

function outside(ev: MouseEvent): void {
  if (!(ev.target as Element | null)?.closest?.('#cpu-menu')) closeCpuMenu();
}

function blur(): void {
  closeCpuMenu();
}

export function closeCpuMenu(): void {
  document.getElementById('cpu-menu')?.remove();
  for (const e of document.querySelectorAll('#cpus .menu-target')) e.classList.remove('menu-target');
  document.removeEventListener('mousedown', outside, true);
  window.removeEventListener('blur', blur);
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
  if (b.online) {
    const off = html('button', `Take CPU ${b.cpu} offline`, 'cpu-offline', box);
    off.title = `Adds \`offline ${b.cpu}\` to the topology: what the kernel does with its interrupts (undo with Ctrl+Z)`;
    off.addEventListener('click', () => takeOffline(b.cpu));
  } else html('div', 'Offline: an `offline` statement took it down.', 'muted', box);
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
