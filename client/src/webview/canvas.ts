// The diagram itself: the laid-out graph as SVG, the view (pan and zoom around a centre, in steps or
// by wheel), the semantic zoom (text hides rather than shrinking below 11 px; the names of the roots,
// MSI parents, clusters and the selected route stay, drawn at a fixed screen size), and the highlight
// of the selected route and of the declaration under the cursor.
import type { VisGraph } from '../shared/graph';
import { findRoute } from '../shared/routes';
import type { RouteInfo } from '../shared/types';
import { clampZoom, detailAt, fixedScreenSize, LABEL_PX, stepZoom } from '../shared/zoom';
import { $, el, SVG } from './dom';
import { textWidth } from './layout';
import { state, type View } from './state';

export const graphSvg = $<SVGSVGElement>('graph');
export const canvas = $<HTMLDivElement>('canvas');

const nodeEls = new Map<string, SVGGElement>();
const edgeEls = new Map<string, SVGGElement>();
let landmarks: SVGGElement | null = null;
const PAD = 24;

/** The node styles whose names stay readable at any zoom. */
const LANDMARK_STYLES = new Set(['root', 'msi-parent', 'group']);

export function renderGraph(g: VisGraph): void {
  while (graphSvg.firstChild) graphSvg.removeChild(graphSvg.firstChild);
  nodeEls.clear();
  edgeEls.clear();
  const defs = el('defs', {}, graphSvg);
  const marker = el(
    'marker',
    {
      id: 'arrow',
      viewBox: '0 0 10 10',
      refX: 9,
      refY: 5,
      markerWidth: 8,
      markerHeight: 8,
      markerUnits: 'userSpaceOnUse',
      orient: 'auto-start-reverse',
    },
    defs,
  );
  el('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow' }, marker);
  // built detached and attached once; tooltips (<title>) are made when the pointer first reaches an item
  const content = el('g', { class: 'content' });
  const edgesG = el('g', { class: 'edges' }, content);
  const nodesG = el('g', { class: 'nodes' }, content);
  landmarks = el('g', { class: 'landmarks' }, content);
  for (const e of g.edges) {
    const pts = state.edgeRoutes.get(e.id);
    if (!pts || pts.length < 2) continue;
    const ge = el('g', { class: `edge type-${e.type}`, 'data-id': e.id }, edgesG);
    el(
      'path',
      {
        d: pts.map((p, i) => `${i ? 'L' : 'M'}${p[0].toFixed(1)} ${p[1].toFixed(1)}`).join(' '),
        'marker-end': 'url(#arrow)',
      },
      ge,
    );
    edgeEls.set(e.id, ge);
  }
  for (const n of g.nodes) {
    const p = state.positions.get(n.id);
    if (!p) continue;
    const cls = ['node', `style-${n.style}`];
    if (n.implied) cls.push('implied');
    const gn = el(
      'g',
      { class: cls.join(' '), 'data-id': n.id, transform: `translate(${p.x},${p.y})`, tabindex: 0 },
      nodesG,
    );
    if (n.style === 'group') {
      // a stack of cards: this node stands for many
      el('rect', { class: 'stack', x: 6, y: -6, width: p.w, height: p.h, rx: 3 }, gn);
      el('rect', { class: 'stack', x: 3, y: -3, width: p.w, height: p.h, rx: 3 }, gn);
    }
    el('rect', { class: 'box', width: p.w, height: p.h, rx: n.style === 'device' ? 10 : 3 }, gn);
    const label = el('text', { class: 'label', x: 10, y: 16 }, gn);
    label.textContent = n.label;
    const detail = el('text', { class: 'detail', x: 10, y: 31 }, gn);
    detail.textContent = n.detail;
    if (n.severity) {
      const m = el('g', { class: `marker sev-${n.severity}`, transform: `translate(${p.w - 2},2)` }, gn);
      el('circle', { r: 9 }, m);
      const t = el('text', { x: 0, y: 4, 'text-anchor': 'middle' }, m);
      t.textContent = n.problems.length > 9 ? '9+' : String(n.problems.length);
    }
    nodeEls.set(n.id, gn);
    const tier = LANDMARK_STYLES.has(n.style) ? 1 : 2;
    if (tier === 1 || g.nodes.length <= MAX_TIER2)
      addLandmark(n.id, n.members ? `${n.members.domains} domains` : n.label, tier);
  }
  graphSvg.appendChild(content);
  updateLandmarks();
}

/** Graphs up to this many drawn nodes name every node when zoomed out; larger ones only the landmarks. */
const MAX_TIER2 = 150;
/** Below this zoom only the landmarks (tier 1) keep a name: the rows are too close for every name. */
const TIER2_MIN_ZOOM = 0.3;

function addLandmark(id: string, text: string, tier: 1 | 2): void {
  const p = state.positions.get(id);
  if (!p || !landmarks) return;
  const t = el(
    'text',
    { class: 'landmark', 'data-for': id, 'data-tier': tier, 'text-anchor': 'middle' },
    landmarks,
  );
  t.dataset.text = text;
  t.textContent = text;
}

/**
 * `text` cut in the middle to fit `px` CSS pixels at the landmark size: names differ at their end
 * (`INTEL-IR-3`, `IR-PCI-MSIX-0000:22:00.0`), so a third of what fits is kept from the start.
 */
function fitText(text: string, px: number): string {
  if (textWidth(text, LABEL_PX, true) <= px) return text;
  const cut = (n: number) => {
    const a = Math.floor(n / 3);
    return `${text.slice(0, a)}…${text.slice(text.length - (n - a))}`;
  };
  let lo = 0;
  let hi = text.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (textWidth(cut(mid), LABEL_PX, true) <= px) lo = mid;
    else hi = mid - 1;
  }
  return lo > 1 ? cut(lo) : '';
}

/**
 * Names when node text is hidden: drawn at LABEL_PX on screen whatever the zoom, cut to the box's
 * width on screen; below TIER2_MIN_ZOOM only the roots, MSI parents, clusters and the route keep one.
 */
function updateLandmarks(): void {
  if (!landmarks) return;
  const k = state.view.k;
  if (detailAt(k) !== 'none') return;
  const size = fixedScreenSize(LABEL_PX, k);
  for (const t of landmarks.children as HTMLCollectionOf<SVGTextElement>) {
    const p = state.positions.get(t.getAttribute('data-for') ?? '');
    if (!p) continue;
    const shown =
      t.getAttribute('data-tier') === '1' || t.classList.contains('on-route') || k >= TIER2_MIN_ZOOM;
    t.setAttribute('display', shown ? 'inline' : 'none');
    if (!shown) continue;
    // a name may reach into the gap between columns
    t.textContent = fitText(t.dataset.text ?? '', (p.w + 24) * k);
    t.setAttribute('x', String(p.x + p.w / 2));
    t.setAttribute('y', String(p.y + p.h / 2 + size * 0.35));
    t.setAttribute('font-size', size.toFixed(2));
    t.setAttribute('stroke-width', (3 / k).toFixed(2));
  }
}

export function tooltipOf(id: string): string | undefined {
  const g = state.graph;
  const n = g?.nodes.find((x) => x.id === id);
  if (n)
    return [
      n.label,
      n.detail,
      n.members ? `under ${n.members.parent.replace(/^domain:/, '')}: click to expand` : '',
      ...n.problems.slice(0, 20).map((q) => `${q.severity} ${q.code}: ${q.message}`),
      n.problems.length > 20 ? `… ${n.problems.length - 20} more problems` : '',
    ]
      .filter(Boolean)
      .join('\n');
  const e = g?.edges.find((x) => x.id === id);
  if (e)
    return `${e.from.replace(/^\w+:/, '')} → ${e.to.replace(/^\w+:/, '')} (${e.type}${e.irqs ? `, ${e.irqs} interrupt${e.irqs > 1 ? 's' : ''}` : ''})`;
  return undefined;
}

graphSvg.addEventListener('pointerover', (ev) => {
  const item = (ev.target as Element).closest('.node, .edge');
  if (!item || item.querySelector(':scope > title')) return;
  const text = tooltipOf(item.getAttribute('data-id') ?? '');
  if (text === undefined) return;
  const t = document.createElementNS(SVG, 'title');
  t.textContent = text;
  item.appendChild(t);
});

// ---- the view ------------------------------------------------------------------------------------------

function size(): { w: number; h: number } {
  return { w: Math.max(canvas.clientWidth, 1), h: Math.max(canvas.clientHeight, 1) };
}

let onZoom: (k: number) => void = () => undefined;
export function onZoomChange(f: (k: number) => void): void {
  onZoom = f;
}

export function setView(v: View): void {
  const { w, h } = size();
  const k = clampZoom(v.k);
  state.view = { cx: v.cx, cy: v.cy, k };
  graphSvg.setAttribute('viewBox', `${v.cx - w / 2 / k} ${v.cy - h / 2 / k} ${w / k} ${h / k}`);
  const d = detailAt(k);
  graphSvg.classList.toggle('d-full', d === 'full');
  graphSvg.classList.toggle('d-name', d === 'name');
  graphSvg.classList.toggle('d-none', d === 'none');
  updateLandmarks();
  onZoom(k);
}

/** The zoom at which `box` (diagram units) fits the canvas, never above 1. */
function fitZoom(bw: number, bh: number): number {
  const { w, h } = size();
  return Math.min(1, w / (bw + 2 * PAD), h / (bh + 2 * PAD));
}

/** Everything in view (text hides when that is smaller than readable). */
export function fit(): void {
  setView({ cx: state.bounds.w / 2, cy: state.bounds.h / 2, k: fitZoom(state.bounds.w, state.bounds.h) });
}

/**
 * The first view of a graph: all of it when every node keeps a readable name that way (full text, or
 * the names drawn at a fixed size down to TIER2_MIN_ZOOM), else 100 % around `around` (the selected
 * route) or the root, at the left edge.
 */
export function initialView(around: string[]): void {
  const k = fitZoom(state.bounds.w, state.bounds.h);
  const named = (state.graph?.nodes.length ?? 0) <= MAX_TIER2;
  if (detailAt(k) !== 'none' || (named && k >= TIER2_MIN_ZOOM)) {
    fit();
    return;
  }
  const box = boxOf(around);
  if (box) {
    zoomToBox(box, 1);
    return;
  }
  const root = state.graph?.nodes.find((n) => n.style === 'root');
  const p = root ? state.positions.get(root.id) : undefined;
  const { w } = size();
  const cx = state.bounds.w + 2 * PAD <= w ? state.bounds.w / 2 : (p?.x ?? 0) - PAD + w / 2;
  setView({ cx, cy: p ? p.y + p.h / 2 : size().h / 2 - PAD, k: 1 });
}

export function boxOf(ids: string[]): { x: number; y: number; w: number; h: number } | undefined {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const id of ids) {
    const p = state.positions.get(id);
    if (!p) continue;
    x0 = Math.min(x0, p.x);
    y0 = Math.min(y0, p.y);
    x1 = Math.max(x1, p.x + p.w);
    y1 = Math.max(y1, p.y + p.h);
  }
  return x0 === Infinity ? undefined : { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

/** Centres `box`, at the zoom that fits it (at most `maxK`); `topInset` keeps room for the focus strip. */
export function zoomToBox(box: { x: number; y: number; w: number; h: number }, maxK = 1, topInset = 0): void {
  const { w, h } = size();
  const k = Math.min(maxK, w / (box.w + 2 * PAD), (h - topInset) / (box.h + 2 * PAD));
  setView({ cx: box.x + box.w / 2, cy: box.y + box.h / 2 - topInset / 2 / k, k });
}

export function centerOn(id: string): void {
  const p = state.positions.get(id);
  if (p) setView({ cx: p.x + p.w / 2, cy: p.y + p.h / 2, k: Math.max(state.view.k, 1) });
}

export function zoomBy(dir: 1 | -1): void {
  setView({ ...state.view, k: stepZoom(state.view.k, dir) });
}

export function zoomTo(k: number): void {
  setView({ ...state.view, k });
}

// pan by dragging, zoom by wheel around the pointer
let drag: { x: number; y: number; cx: number; cy: number } | null = null;
export let dragMoved = false;
canvas.addEventListener('pointerdown', (ev) => {
  if (ev.button !== 0 || (ev.target as Element).closest('#strip')) return;
  drag = { x: ev.clientX, y: ev.clientY, cx: state.view.cx, cy: state.view.cy };
  dragMoved = false;
});
window.addEventListener('pointermove', (ev) => {
  if (!drag) return;
  const dx = ev.clientX - drag.x;
  const dy = ev.clientY - drag.y;
  if (!dragMoved && Math.abs(dx) + Math.abs(dy) < 4) return;
  dragMoved = true;
  canvas.classList.add('dragging');
  setView({ cx: drag.cx - dx / state.view.k, cy: drag.cy - dy / state.view.k, k: state.view.k });
});
window.addEventListener('pointerup', () => {
  drag = null;
  canvas.classList.remove('dragging');
  // the click that ends a drag is not a click on a node
  setTimeout(() => (dragMoved = false), 0);
});
canvas.addEventListener(
  'wheel',
  (ev) => {
    if ((ev.target as Element).closest('#strip')) return;
    ev.preventDefault();
    const r = canvas.getBoundingClientRect();
    const v = state.view;
    // about 16 % per notch of a mouse wheel (deltaY 100), smooth on a touchpad
    const k = clampZoom(v.k * Math.exp(-Math.max(-300, Math.min(300, ev.deltaY)) * 0.0015));
    const mx = ev.clientX - r.left - r.width / 2;
    const my = ev.clientY - r.top - r.height / 2;
    const px = v.cx + mx / v.k;
    const py = v.cy + my / v.k;
    setView({ cx: px - mx / k, cy: py - my / k, k });
  },
  { passive: false },
);

// ---- highlighting --------------------------------------------------------------------------------------

/** The drawn nodes of a route: its device, then each hop's domain (or the cluster standing for it). */
export function routeNodeIds(r: RouteInfo, device: string): string[] {
  const g = state.graph;
  if (!g) return [];
  const ids: string[] = [];
  const push = (id: string | undefined) => {
    if (id && !ids.includes(id)) ids.push(id);
  };
  push(g.shownAs.get(`device:${device}`));
  const names = r.hops.length ? r.hops.map((h) => h.domain) : r.path;
  for (const d of names) push(g.shownAs.get(`domain:${d}`));
  return ids;
}

export function deviceOf(r: RouteInfo): string {
  for (const d of state.routes?.devices ?? []) if (d.irqs.includes(r)) return d.device;
  return '';
}

export function selectedRoute(): RouteInfo | undefined {
  return state.irq ? findRoute(state.routes, state.irq) : undefined;
}

export function highlight(): void {
  for (const e of graphSvg.querySelectorAll('.on-route, .focused, .hop-active'))
    e.classList.remove('on-route', 'focused', 'hop-active');
  for (const e of graphSvg.querySelectorAll('.hopnum, .landmark.extra')) e.remove();
  if (state.focusNode) nodeEls.get(state.graph?.shownAs.get(state.focusNode) ?? '')?.classList.add('focused');
  const r = selectedRoute();
  graphSvg.classList.toggle('focus-mode', state.focusMode && !!r);
  if (!r || !state.graph) return;
  const ids = routeNodeIds(r, deviceOf(r));
  const onPath = new Set<string>();
  for (let i = 0; i + 1 < ids.length; i++) onPath.add(`${ids[i]}\u0000${ids[i + 1]}`);
  for (const e of state.graph.edges)
    if (onPath.has(`${e.from}\u0000${e.to}`)) edgeEls.get(e.id)?.classList.add('on-route');
  ids.forEach((id) => nodeEls.get(id)?.classList.add('on-route'));
  // the route's names stay readable when zoomed out
  for (const id of ids) {
    const had = landmarks?.querySelector(`[data-for="${CSS.escape(id)}"]`);
    if (had) had.classList.add('on-route');
    else {
      const n = state.graph.nodes.find((x) => x.id === id);
      if (n) addLandmark(id, n.label, 1);
      landmarks?.lastElementChild?.classList.add('on-route', 'extra');
    }
  }
  updateLandmarks();
  // hop numbers: the endpoint domain 1, ... the root last
  const hopIds = r.hops.map((h) => state.graph!.shownAs.get(`domain:${h.domain}`));
  hopIds.forEach((id, i) => {
    const g = id ? nodeEls.get(id) : undefined;
    const p = id ? state.positions.get(id) : undefined;
    if (!g || !p) return;
    if (i === state.activeHop) g.classList.add('hop-active');
    const b = el('g', { class: 'hopnum', transform: `translate(${-4},${p.h / 2})` }, g);
    el('circle', { r: 9 }, b);
    const t = el('text', { x: 0, y: 4, 'text-anchor': 'middle' }, b);
    t.textContent = String(i + 1);
  });
}

/** Marks the node found by a search. */
export function markFound(id: string | null): void {
  for (const e of graphSvg.querySelectorAll('.found')) e.classList.remove('found');
  if (id) nodeEls.get(id)?.classList.add('found');
}

export function nodeElement(id: string): SVGGElement | undefined {
  return nodeEls.get(id);
}
