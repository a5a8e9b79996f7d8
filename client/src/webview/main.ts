// The diagram webview (bundled for the browser as dist/webview/main.js). It draws only what the server
// computed (`irqtopo/diagram` and `irqtopo/routes`, forwarded by the host): elkjs lays the hierarchy
// out, this file renders it as SVG. Every name goes into the page as a text node (textContent), never
// as markup; no inline handlers (the CSP forbids them anyway).
import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';
import {
  findRoute,
  hopText,
  routeLines,
  visibleGraph,
  hex,
  type VisGraph,
  type VisNode,
} from '../shared/graph';
import { treeLayout, type Box } from '../shared/layout';
import type { HostMessage, WebviewMessage } from '../shared/messages';
import type { CpuUsage, Diagram, RouteInfo, Routes } from '../shared/types';

interface VsCodeApi {
  postMessage(m: WebviewMessage): void;
  getState(): unknown;
  setState(s: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const SVG = 'http://www.w3.org/2000/svg';
const elk = new ELK();

interface SavedState {
  expanded: string[];
  irq: string | null;
}

const saved = (vscode.getState() ?? {}) as Partial<SavedState>;
const state = {
  diagram: null as Diagram | null,
  routes: null as Routes | null,
  maxDomains: 500,
  title: '',
  expanded: new Set<string>(Array.isArray(saved.expanded) ? saved.expanded.map(String) : []),
  irq: typeof saved.irq === 'string' ? saved.irq : (null as string | null),
  focusNode: null as string | null,
  graph: null as VisGraph | null,
  signature: '',
  positions: new Map<string, Box>(),
  bounds: { w: 0, h: 0 },
  view: { x: 0, y: 0, w: 0, h: 0 },
  rendering: Promise.resolve(),
  activeHop: -1,
};

const $ = <T extends HTMLElement | SVGElement>(id: string): T => document.getElementById(id) as unknown as T;
const graphSvg = $<SVGSVGElement>('graph');
const canvas = $<HTMLDivElement>('canvas');
const empty = $<HTMLDivElement>('empty');

function el<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number> = {},
  parent?: Element,
): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (parent) parent.appendChild(e);
  return e;
}

function html<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  cls?: string,
  parent?: Element,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  if (parent) parent.appendChild(e);
  return e;
}

function save(): void {
  vscode.setState({ expanded: [...state.expanded], irq: state.irq } satisfies SavedState);
}

function banner(text: string | null): void {
  const b = $<HTMLDivElement>('banner');
  b.textContent = text ?? '';
  b.classList.toggle('shown', !!text);
}

// ---- text measuring (canvas 2D, the same font the SVG uses) ------------------------------------------

const measureCtx = document.createElement('canvas').getContext('2d');
const fontFamily = getComputedStyle(document.body).fontFamily || 'sans-serif';
const widthCache = new Map<string, number>();
function textWidth(s: string, size: number, bold: boolean): number {
  const key = `${size}${bold ? 'b' : ''}:${s}`;
  let w = widthCache.get(key);
  if (w === undefined) {
    if (measureCtx) {
      measureCtx.font = `${bold ? '600 ' : ''}${size}px ${fontFamily}`;
      w = measureCtx.measureText(s).width;
    } else w = s.length * size * 0.6;
    widthCache.set(key, w);
  }
  return w;
}

const NODE_H = 40;
function nodeWidth(n: VisNode): number {
  return Math.ceil(Math.max(textWidth(n.label, 12, true), textWidth(n.detail, 11, false), 60) + 28);
}

// ---- layout ------------------------------------------------------------------------------------------

function signatureOf(g: VisGraph): string {
  const parts: string[] = [];
  for (const n of g.nodes) parts.push(`${n.id}\u0001${n.label}\u0001${n.detail}`);
  for (const e of g.edges) parts.push(`${e.from}\u0002${e.to}`);
  return parts.join('\u0003');
}

/** Above this many drawn nodes, the linear tree layout replaces elk (elk's layered layout is superlinear). */
const ELK_MAX_NODES = 600;
/** The first view of a graph zooms out at most this much (text stays about readable). */
const INITIAL_MAX_ZOOM_OUT = 3;

async function layout(g: VisGraph): Promise<void> {
  if (g.nodes.length > ELK_MAX_NODES) {
    const widths = new Map(g.nodes.map((n) => [n.id, nodeWidth(n)]));
    const p = treeLayout(g, (id) => widths.get(id) ?? 100, NODE_H);
    state.positions = p.positions;
    state.bounds = { w: p.width, h: p.height };
    edgeRoutes.clear();
    for (const [id, pts] of p.edges) edgeRoutes.set(id, pts);
    return;
  }
  const big = g.nodes.length > 150;
  const root: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'LEFT',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.spacing.nodeNode': '16',
      'elk.layered.spacing.nodeNodeBetweenLayers': '36',
      'elk.spacing.componentComponent': '24',
      'elk.layered.thoroughness': big ? '1' : '7',
      'elk.layered.nodePlacement.strategy': big ? 'SIMPLE' : 'BRANDES_KOEPF',
    },
    children: g.nodes.map((n) => ({ id: n.id, width: nodeWidth(n), height: NODE_H })),
    edges: g.edges.map((e): ElkExtendedEdge => ({ id: e.id, sources: [e.from], targets: [e.to] })),
  };
  const out = await elk.layout(root);
  state.positions.clear();
  for (const c of out.children ?? [])
    state.positions.set(c.id, { x: c.x ?? 0, y: c.y ?? 0, w: c.width ?? 0, h: c.height ?? 0 });
  state.bounds = { w: out.width ?? 0, h: out.height ?? 0 };
  edgeRoutes.clear();
  for (const e of out.edges ?? []) {
    const pts: [number, number][] = [];
    for (const s of e.sections ?? []) {
      pts.push([s.startPoint.x, s.startPoint.y]);
      for (const b of s.bendPoints ?? []) pts.push([b.x, b.y]);
      pts.push([s.endPoint.x, s.endPoint.y]);
    }
    edgeRoutes.set(e.id, pts);
  }
}
const edgeRoutes = new Map<string, [number, number][]>();

// ---- rendering -----------------------------------------------------------------------------------------

const nodeEls = new Map<string, SVGGElement>();
const edgeEls = new Map<string, SVGGElement>();
let content: SVGGElement | null = null;

function renderGraph(g: VisGraph): void {
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
  content = el('g', { class: 'content' });
  const edgesG = el('g', { class: 'edges' }, content);
  const nodesG = el('g', { class: 'nodes' }, content);
  for (const e of g.edges) {
    const pts = edgeRoutes.get(e.id);
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
    el('rect', { class: 'box', width: p.w, height: p.h, rx: n.style === 'device' ? 10 : 3 }, gn);
    const label = el('text', { class: 'label', x: 10, y: 16 }, gn);
    label.textContent = n.label;
    const detail = el('text', { class: 'detail', x: 10, y: 31 }, gn);
    detail.textContent = n.detail;

    if (n.severity) {
      const m = el('g', { class: `marker sev-${n.severity}`, transform: `translate(${p.w - 2},2)` }, gn);
      el('circle', { r: 8 }, m);
      const t = el('text', { x: 0, y: 3.5, 'text-anchor': 'middle' }, m);
      t.textContent = n.problems.length > 9 ? '9+' : String(n.problems.length);
    }
    nodeEls.set(n.id, gn);
  }
  graphSvg.appendChild(content);
}

function tooltipOf(id: string): string | undefined {
  const g = state.graph;
  const n = g?.nodes.find((x) => x.id === id);
  if (n)
    return [
      n.label,
      n.detail,
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

function setViewBox(): void {
  const v = state.view;
  graphSvg.setAttribute('viewBox', `${v.x} ${v.y} ${Math.max(v.w, 1)} ${Math.max(v.h, 1)}`);
}

/**
 * Fits the diagram into the canvas, never zooming in beyond 1:1. `maxOut` limits the zoom-out (the
 * first view of a huge graph shows its top-left part, readable, rather than all of it as dust).
 */
function fit(maxOut = Infinity): void {
  const pad = 20;
  const w = state.bounds.w + 2 * pad;
  const h = state.bounds.h + 2 * pad;
  const cw = Math.max(canvas.clientWidth, 1);
  const ch = Math.max(canvas.clientHeight, 1);
  const scale = Math.min(Math.max(w / cw, h / ch, 1), maxOut);
  if (w > cw * scale || h > ch * scale) {
    state.view = { x: -pad, y: -pad, w: cw * scale, h: ch * scale };
    setViewBox();
    return;
  }
  state.view = {
    x: -pad - (cw * scale - w) / 2,
    y: -pad - (ch * scale - h) / 2,
    w: cw * scale,
    h: ch * scale,
  };
  setViewBox();
}

// ---- highlighting --------------------------------------------------------------------------------------

function routeNodeIds(r: RouteInfo): string[] {
  const g = state.graph;
  if (!g) return [];
  const ids: string[] = [];
  const dev = `device:${deviceOf(r)}`;
  const push = (id: string | undefined) => {
    if (id && ids[ids.length - 1] !== id) ids.push(id);
  };
  push(g.shownAs.get(dev));
  const names = r.hops.length ? r.hops.map((h) => h.domain) : r.path;
  for (const d of names) push(g.shownAs.get(`domain:${d}`));
  return ids;
}

function deviceOf(r: RouteInfo): string {
  for (const d of state.routes?.devices ?? []) if (d.irqs.includes(r)) return d.device;
  return '';
}

function applyHighlight(): void {
  for (const e of graphSvg.querySelectorAll('.on-route, .focused, .hop-active'))
    e.classList.remove('on-route', 'focused', 'hop-active');
  for (const e of graphSvg.querySelectorAll('.hopnum')) e.remove();
  if (state.focusNode) nodeEls.get(state.graph?.shownAs.get(state.focusNode) ?? '')?.classList.add('focused');
  const r = state.irq ? findRoute(state.routes, state.irq) : undefined;
  renderRoutePanel(r);
  renderCpus(r);
  if (!r || !state.graph) return;
  const ids = routeNodeIds(r);
  const onPath = new Set<string>();
  for (let i = 0; i + 1 < ids.length; i++) onPath.add(`${ids[i]}\u0000${ids[i + 1]}`);
  for (const e of state.graph.edges)
    if (onPath.has(`${e.from}\u0000${e.to}`)) edgeEls.get(e.id)?.classList.add('on-route');
  // hop numbers: the device is 0, the endpoint domain 1, ... the root last
  const hopIds = r.hops.map((h) => state.graph!.shownAs.get(`domain:${h.domain}`));
  ids.forEach((id) => nodeEls.get(id)?.classList.add('on-route'));
  hopIds.forEach((id, i) => {
    const g = id ? nodeEls.get(id) : undefined;
    const p = id ? state.positions.get(id) : undefined;
    if (!g || !p) return;
    if (i === state.activeHop) g.classList.add('hop-active');
    const b = el('g', { class: 'hopnum', transform: `translate(${-4},${p.h / 2})` }, g);
    el('circle', { r: 8 }, b);
    const t = el('text', { x: 0, y: 3.5, 'text-anchor': 'middle' }, b);
    t.textContent = String(i + 1);
  });
}

function reveal(m: WebviewMessage): void {
  vscode.postMessage(m);
}

function renderRoutePanel(r: RouteInfo | undefined): void {
  const sec = $<HTMLElement>('route');
  sec.replaceChildren();
  html('h2', 'Route', undefined, sec);
  if (!r) {
    html(
      'div',
      state.irq ? `${state.irq}: no route computed` : 'Choose an interrupt, or put the cursor on an irq.',
      'muted',
      sec,
    );
    return;
  }
  const head = html('div', undefined, undefined, sec);
  const a = html('a', r.irq, 'irq-link', head);
  a.href = '#';
  a.addEventListener('click', (ev) => {
    ev.preventDefault();
    reveal({ type: 'reveal', target: 'irq', id: r.irq });
  });
  const ol = html('ol', undefined, undefined, sec);
  r.hops.forEach((h, i) => {
    const li = html('li', undefined, i === state.activeHop ? 'active' : undefined, ol);
    html('span', h.domain, 'hop-domain', li);
    li.appendChild(document.createTextNode(' '));
    html('span', hopText(h), 'hop-resource', li);
    li.title = 'Reveal this domain’s declaration';
    li.addEventListener('click', () => {
      state.activeHop = i;
      applyHighlight();
      reveal({ type: 'reveal', target: 'hop', irq: r.irq, index: i });
    });
  });
  // after the hops: the path (when no hop was computed), the placement, the message, the failure
  for (const l of routeLines(r).slice(r.hops.length)) {
    const cls = l.startsWith('message')
      ? 'message'
      : r.failure && l.startsWith(r.failure.code)
        ? 'failure'
        : 'placement';
    html('div', l, cls, sec);
  }
}

function renderProblems(n: VisNode | undefined): void {
  const sec = $<HTMLElement>('problems');
  sec.replaceChildren();
  if (!n || n.problems.length === 0) return;
  html('h2', `Problems: ${n.label}`, undefined, sec);
  const ul = html('ul', undefined, undefined, sec);
  for (const p of n.problems.slice(0, 50)) html('li', `${p.code}: ${p.message}`, `sev-${p.severity}`, ul);
}

function renderCpus(r: RouteInfo | undefined): void {
  const sec = $<HTMLElement>('cpus');
  sec.replaceChildren();
  const cpus: CpuUsage[] = state.diagram?.cpus ?? [];
  if (cpus.length === 0) return;
  const x86 = state.diagram?.nodes.some((n) => n.kind === 'vector') ?? false;
  html('h2', x86 ? 'Vectors per CPU: used / available' : 'Interrupts per CPU', undefined, sec);
  const room = Math.max(120, (sec.clientWidth || 300) - 8);
  const barW = Math.max(3, Math.min(18, Math.floor(room / cpus.length) - 2));
  const H = 90;
  const max = Math.max(1, ...cpus.map((c) => c.used + (x86 ? c.available : 0)));
  const width = cpus.length * (barW + 2) + 4;
  const s = el('svg', { width, height: H + 18, role: 'img', 'aria-label': 'per-CPU vector usage' });
  sec.appendChild(s);
  cpus.forEach((c, i) => {
    const x = 2 + i * (barW + 2);
    const total = c.used + (x86 ? c.available : 0);
    const hAll = (total / max) * H;
    const hUsed = (c.used / max) * H;
    const exhausted = x86 && c.available === 0;
    const g = el('g', {}, s);
    if (x86)
      el('rect', { class: 'avail', x, y: H - hAll, width: barW, height: Math.max(hAll - hUsed, 0) }, g);
    el(
      'rect',
      {
        class: exhausted ? 'used exhausted' : 'used',
        x,
        y: H - hUsed,
        width: barW,
        height: Math.max(hUsed, exhausted || c.used > 0 ? 2 : 0),
      },
      g,
    );
    if (r && r.cpu === c.cpu)
      el('rect', { class: 'route-cpu', x: x - 1, y: 0, width: barW + 2, height: H }, g);
    const t = el('title', {}, g);
    t.textContent =
      `CPU ${c.cpu} (APIC ID ${c.apic_id}): ${c.used} used` +
      (x86
        ? `, ${c.available} available, ${c.managed} managed reserved, ${c.managed_allocated} managed allocated`
        : '') +
      (exhausted ? ' — exhausted' : '') +
      (c.vectors.length
        ? `\nvectors: ${c.vectors.slice(0, 40).map(hex).join(' ')}${c.vectors.length > 40 ? ' …' : ''}`
        : '');
    const every = Math.ceil(cpus.length / 16);
    if (i % every === 0) {
      const lt = el('text', { x: x + barW / 2, y: H + 12, 'text-anchor': 'middle' }, s);
      lt.textContent = String(c.cpu);
    }
  });
  const busiest = cpus.reduce((a, c) => (c.used > a.used ? c : a), cpus[0]);
  const used = cpus.reduce((k, c) => k + c.used, 0);
  html(
    'div',
    `${used} used on ${cpus.length} CPUs; busiest CPU ${busiest.cpu}: ${busiest.used} used` +
      (x86 ? `, ${busiest.available} available` : ''),
    'muted',
    sec,
  );
  const exhausted = cpus.filter((c) => x86 && c.available === 0).map((c) => c.cpu);
  if (exhausted.length) html('div', `Exhausted: CPU ${exhausted.join(', ')}`, 'failure', sec);
}

function fillIrqSelect(): void {
  const sel = $<HTMLSelectElement>('irq-select');
  sel.replaceChildren();
  const none = html('option', '(none)', undefined, sel);
  none.value = '';
  for (const d of state.routes?.devices ?? []) {
    if (d.irqs.length === 0) continue;
    const og = html('optgroup', undefined, undefined, sel);
    og.label = d.device;
    for (const i of d.irqs) {
      const o = html('option', i.irq, undefined, og);
      o.value = i.irq;
    }
  }
  sel.value = state.irq && findRoute(state.routes, state.irq) ? state.irq : '';
}

// ---- the model -----------------------------------------------------------------------------------------

async function render(): Promise<void> {
  const d = state.diagram;
  if (!d) return;
  const t0 = performance.now();
  const g = visibleGraph(d, state.maxDomains, state.expanded);
  const sig = signatureOf(g);
  let layoutMs = 0;
  const relayout = sig !== state.signature;
  if (relayout) {
    await layout(g);
    layoutMs = performance.now() - t0;
  }
  const t1 = performance.now();
  state.graph = g;
  state.signature = sig;
  renderGraph(g);
  if (relayout) fit(INITIAL_MAX_ZOOM_OUT);
  fillIrqSelect();
  applyHighlight();
  empty.textContent = g.nodes.length === 0 ? 'No domains in this topology yet.' : '';
  const domains = d.nodes.filter((n) => n.type === 'domain').length;
  $<HTMLSpanElement>('stats').textContent =
    `${domains} domains · ${d.nodes.length - domains} devices` +
    (g.collapsed ? ` · ${g.collapsed} folded into groups` : '');
  // wait for the browser to lay the SVG out before calling it rendered
  await new Promise<void>((res) => requestAnimationFrame(() => res()));
  vscode.postMessage({
    type: 'rendered',
    nodes: g.nodes.length,
    edges: g.edges.length,
    layoutMs: Math.round(layoutMs),
    renderMs: Math.round(performance.now() - t1),
    collapsed: g.collapsed,
  });
}

function queueRender(): void {
  state.rendering = state.rendering.then(render).catch((e: unknown) => {
    vscode.postMessage({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  });
}

function onHost(m: HostMessage): void {
  switch (m.type) {
    case 'model': {
      state.title = m.title;
      $<HTMLSpanElement>('title').textContent = m.title;
      state.maxDomains = m.maxDomains;
      if (m.diagram.syntaxErrors > 0 && state.diagram) {
        banner(
          `${m.title} has ${m.diagram.syntaxErrors} syntax error${m.diagram.syntaxErrors > 1 ? 's' : ''}: showing the last good picture.`,
        );
        return;
      }
      banner(
        m.diagram.syntaxErrors > 0
          ? `${m.title} has syntax errors: the picture may be incomplete.`
          : m.diagram.simulated
            ? null
            : 'Not simulated (no arch or CPUs given): no placements to show.',
      );
      state.diagram = m.diagram;
      state.routes = m.routes;
      queueRender();
      return;
    }
    case 'stale':
      banner(m.reason);
      return;
    case 'focus':
      state.focusNode = m.node;
      if (m.irq) {
        state.irq = m.irq;
        state.activeHop = -1;
        $<HTMLSelectElement>('irq-select').value = m.irq;
        save();
      }
      state.rendering = state.rendering.then(() => applyHighlight());
      return;
    case 'showIrqs':
      if (m.irqs.length) {
        state.irq = m.irqs[0];
        state.activeHop = -1;
        save();
        state.rendering = state.rendering.then(() => {
          $<HTMLSelectElement>('irq-select').value = state.irq ?? '';
          applyHighlight();
        });
      }
      return;
    case 'requestSvg':
      state.rendering = state.rendering.then(() =>
        vscode.postMessage({ type: 'exportSvg', svg: exportSvg() }),
      );
      return;
  }
}

// ---- export --------------------------------------------------------------------------------------------

const STYLE_PROPS = [
  'fill',
  'stroke',
  'stroke-width',
  'stroke-dasharray',
  'opacity',
  'font-family',
  'font-size',
  'font-weight',
];

/** The diagram as a standalone SVG: theme colours resolved into attributes, the whole graph in view. */
function exportSvg(): string {
  const clone = graphSvg.cloneNode(true) as SVGSVGElement;
  const src = [graphSvg, ...graphSvg.querySelectorAll('*')];
  const dst = [clone, ...clone.querySelectorAll('*')];
  src.forEach((s, i) => {
    const cs = getComputedStyle(s);
    const d = dst[i];
    for (const p of STYLE_PROPS) {
      const v = cs.getPropertyValue(p);
      if (v) d.setAttribute(p, v);
    }
  });
  const pad = 20;
  clone.setAttribute('xmlns', SVG);
  clone.setAttribute('viewBox', `${-pad} ${-pad} ${state.bounds.w + 2 * pad} ${state.bounds.h + 2 * pad}`);
  clone.setAttribute('width', String(Math.ceil(state.bounds.w + 2 * pad)));
  clone.setAttribute('height', String(Math.ceil(state.bounds.h + 2 * pad)));
  const bg = getComputedStyle(document.body).backgroundColor;
  const rect = document.createElementNS(SVG, 'rect');
  for (const [k, v] of Object.entries({ x: -pad, y: -pad, width: '100%', height: '100%', fill: bg }))
    rect.setAttribute(k, String(v));
  rect.setAttribute('width', String(state.bounds.w + 2 * pad));
  rect.setAttribute('height', String(state.bounds.h + 2 * pad));
  clone.insertBefore(rect, clone.firstChild);
  return new XMLSerializer().serializeToString(clone);
}

// ---- input ---------------------------------------------------------------------------------------------

graphSvg.addEventListener('click', (ev) => {
  if (dragMoved) return;
  const g = (ev.target as Element).closest('.node');
  const id = g?.getAttribute('data-id');
  if (!id) return;
  if (id.startsWith('group:')) {
    state.expanded.add(id);
    save();
    queueRender();
    return;
  }
  state.focusNode = id;
  applyHighlight();
  renderProblems(state.graph?.nodes.find((n) => n.id === id));
  reveal({ type: 'reveal', target: 'node', id });
});

graphSvg.addEventListener('keydown', (ev) => {
  if (ev.key !== 'Enter' && ev.key !== ' ') return;
  const id = (ev.target as Element).closest('.node')?.getAttribute('data-id');
  if (id && !id.startsWith('group:')) reveal({ type: 'reveal', target: 'node', id });
});

$<HTMLSelectElement>('irq-select').addEventListener('change', (ev) => {
  const v = (ev.target as HTMLSelectElement).value;
  state.irq = v || null;
  state.activeHop = -1;
  save();
  applyHighlight();
  if (v) reveal({ type: 'reveal', target: 'irq', id: v });
});

$<HTMLButtonElement>('fit').addEventListener('click', () => fit());
$<HTMLButtonElement>('export').addEventListener('click', () =>
  vscode.postMessage({ type: 'exportSvg', svg: exportSvg() }),
);

let drag: { x: number; y: number; vx: number; vy: number } | null = null;
let dragMoved = false;
canvas.addEventListener('pointerdown', (ev) => {
  if (ev.button !== 0) return;
  drag = { x: ev.clientX, y: ev.clientY, vx: state.view.x, vy: state.view.y };
  dragMoved = false;
});
window.addEventListener('pointermove', (ev) => {
  if (!drag) return;
  const dx = ev.clientX - drag.x;
  const dy = ev.clientY - drag.y;
  if (!dragMoved && Math.abs(dx) + Math.abs(dy) < 4) return;
  dragMoved = true;
  canvas.classList.add('dragging');
  const k = state.view.w / Math.max(canvas.clientWidth, 1);
  state.view.x = drag.vx - dx * k;
  state.view.y = drag.vy - dy * k;
  setViewBox();
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
    ev.preventDefault();
    const r = canvas.getBoundingClientRect();
    const k = Math.exp(ev.deltaY * 0.0015);
    const v = state.view;
    const px = v.x + ((ev.clientX - r.left) / r.width) * v.w;
    const py = v.y + ((ev.clientY - r.top) / r.height) * v.h;
    state.view = { x: px - (px - v.x) * k, y: py - (py - v.y) * k, w: v.w * k, h: v.h * k };
    setViewBox();
  },
  { passive: false },
);
window.addEventListener('resize', () => {
  if (state.graph) {
    fit(INITIAL_MAX_ZOOM_OUT);
    applyHighlight();
  }
});

window.addEventListener('message', (ev: MessageEvent) => {
  const m = ev.data as HostMessage;
  if (!m || typeof m !== 'object' || typeof m.type !== 'string') return;
  try {
    onHost(m);
  } catch (e) {
    vscode.postMessage({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});

vscode.postMessage({ type: 'ready' });
