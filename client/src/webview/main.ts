// The diagram webview (bundled for the browser as dist/webview/main.js). It draws only what the server
// computed (`irqtopo/diagram` and `irqtopo/routes`, forwarded by the host): the layout worker places the
// hierarchy (layout.ts, worker.ts), canvas.ts draws it, panels.ts and cpus.ts write the route and the
// per-CPU chart beside it. Every name goes into the page as a text node, never as markup.
import { searchNodes, visibleGraph, type VisGraph } from '../shared/graph';
import type { HostMessage } from '../shared/messages';
import { findRoute, placementText, searchRoutes } from '../shared/routes';
import { wellFormedXml } from '../shared/svg';
import {
  boxOf,
  centerOn,
  deviceOf,
  dragMoved,
  fit,
  graphSvg,
  highlight,
  initialView,
  markFound,
  onZoomChange,
  renderGraph,
  routeNodeIds,
  selectedRoute,
  setView,
  zoomBy,
  zoomTo,
  zoomToBox,
} from './canvas';
import { renderCpus } from './cpus';
import { $, banner, html, post, reportError } from './dom';
import { layoutGraph } from './layout';
import { renderProblems, renderRoutePanel, renderStrip } from './panels';
import { save, saved, state } from './state';

const empty = $<HTMLDivElement>('empty');
const select = $<HTMLSelectElement>('irq-select');
const focusButton = $<HTMLButtonElement>('focus-mode');
const searchBox = $<HTMLInputElement>('search');
const results = $<HTMLUListElement>('results');
let stripHeight = 0;
let engine = '';

// ---- the route and the side panel ---------------------------------------------------------------------

function renderSide(): void {
  const r = selectedRoute();
  const dev = r ? deviceOf(r) : '';
  renderRoutePanel(r, dev, (i) => {
    state.activeHop = i;
    applyHighlight();
  });
  renderCpus(r, (irq) => chooseIrq(irq));
  stripHeight = renderStrip(r, dev);
  focusButton.disabled = !r;
  focusButton.setAttribute('aria-pressed', String(state.focusMode && !!r));
}

function applyHighlight(): void {
  highlight();
  renderSide();
}

/** Zooms to the selected route's nodes, below the focus strip. */
function zoomToRoute(): void {
  const r = selectedRoute();
  if (!r) return;
  const box = boxOf(routeNodeIds(r, deviceOf(r)));
  if (box) zoomToBox(box, 1, state.focusMode ? stripHeight + 16 : 0);
}

/** The user chose an interrupt in the page: the host records it for this document. */
function chooseIrq(irq: string | null): void {
  state.irq = irq;
  state.note = null;
  state.activeHop = -1;
  select.value = irq && findRoute(state.routes, irq) ? irq : '';
  save();
  refocus(true);
  post({ type: 'select', irq });
}

/** After the route or the focus mode changed: draw again if the clusters change, else highlight. */
function refocus(zoom: boolean): void {
  if (state.diagram && focusNeedsLayout()) {
    focusLayout = zoom;
    queue(render);
    return;
  }
  applyHighlight();
  if (zoom && state.focusMode) zoomToRoute();
}
let focusLayout = false;

function fillIrqSelect(): void {
  const frag = document.createDocumentFragment();
  const none = html('option', '(none)');
  none.value = '';
  frag.appendChild(none);
  for (const d of state.routes?.devices ?? []) {
    if (d.irqs.length === 0) continue;
    const og = html('optgroup');
    og.label = d.device;
    for (const i of d.irqs) {
      const o = html('option', i.irq, undefined, og);
      o.value = i.irq;
    }
    frag.appendChild(og);
  }
  select.replaceChildren(frag);
  select.value = state.irq && findRoute(state.routes, state.irq) ? state.irq : '';
}

// ---- the model -----------------------------------------------------------------------------------------

function signatureOf(g: VisGraph): string {
  const parts: string[] = [];
  for (const n of g.nodes) parts.push(`${n.id}\u0001${n.label}\u0001${n.detail}\u0001${n.severity ?? ''}`);
  for (const e of g.edges) parts.push(`${e.from}\u0002${e.to}\u0002${e.type}`);
  return parts.join('\u0003');
}

/** Keeps a node where it is on screen across a new layout (set before expanding or folding). */
let anchor: { id: string; dx: number; dy: number } | null = null;
/** A node to bring into view and mark after the next render (a search result inside a cluster). */
let reveal: string | null = null;

/** In focus mode the selected route's device and domains come out of their clusters. */
function focusKeep(): Set<string> {
  const r = state.focusMode ? selectedRoute() : undefined;
  if (!r) return new Set();
  const ids = new Set([`device:${deviceOf(r)}`]);
  for (const d of r.hops.length ? r.hops.map((h) => h.domain) : r.path) ids.add(`domain:${d}`);
  return ids;
}

/** Whether the drawn graph must change for the focus (a route in focus mode inside a cluster). */
function focusNeedsLayout(): boolean {
  const g = state.graph;
  if (!g) return false;
  for (const id of focusKeep()) if ((g.shownAs.get(id) ?? id) !== id) return true;
  // leaving focus mode (or another route): nodes kept out of a cluster fold back in
  return (
    visibleGraph(state.diagram!, state.clusterAbove, state.expanded, focusKeep()).nodes.length !==
    g.nodes.length
  );
}

async function render(): Promise<void> {
  const d = state.diagram;
  if (!d) return;
  const t0 = performance.now();
  const g = visibleGraph(d, state.clusterAbove, state.expanded, focusKeep());
  const sig = signatureOf(g);
  let layoutMs = 0;
  const relayout = sig !== state.signature;
  if (relayout) {
    const res = await layoutGraph(g);
    if (d !== state.diagram) return; // a newer model is queued behind this one
    state.positions = res.positions;
    state.edgeRoutes = res.edges;
    state.bounds = { w: res.width, h: res.height };
    engine = res.engine;
    layoutMs = performance.now() - t0;
  }
  const t1 = performance.now();
  state.graph = g;
  state.signature = sig;
  if (relayout) renderGraph(g);
  if (state.freshView) {
    state.freshView = false;
    const v = state.doc ? saved.viewByDoc[state.doc] : undefined;
    if (v && Number.isFinite(v.cx) && Number.isFinite(v.cy) && Number.isFinite(v.k)) setView(v);
    else {
      const r = selectedRoute();
      initialView(r ? routeNodeIds(r, deviceOf(r)) : []);
    }
  } else if (relayout && anchor) {
    const p = state.positions.get(anchor.id);
    if (p) setView({ cx: p.x - anchor.dx, cy: p.y - anchor.dy, k: state.view.k });
  } else setView(state.view);
  const anchorUsed = anchor !== null;
  anchor = null;
  fillIrqSelect();
  applyHighlight();
  if (reveal) {
    const id = g.shownAs.get(reveal) ?? reveal;
    centerOn(id);
    markFound(id);
    reveal = null;
  } else if (relayout && state.focusMode && selectedRoute() && (focusLayout || !anchorUsed)) zoomToRoute();
  focusLayout = false;
  empty.textContent = g.nodes.length === 0 ? 'No domains in this topology yet.' : '';
  const domains = d.nodes.filter((n) => n.type === 'domain').length;
  const clusters = g.nodes.filter((n) => n.style === 'group').length;
  const irqs = (state.routes?.devices ?? []).reduce((k, x) => k + x.irqs.length + (x.unlisted ?? 0), 0);
  $<HTMLSpanElement>('stats').textContent =
    `${domains} domains · ${d.nodes.length - domains} devices · ${irqs} interrupts` +
    (clusters ? ` · ${g.collapsed} in ${clusters} cluster${clusters > 1 ? 's' : ''}` : '');
  $<HTMLSpanElement>('stats').title = `layout: ${engine}`;
  // wait for the browser to lay the SVG out before calling it rendered
  await new Promise<void>((res) => requestAnimationFrame(() => res()));
  post({
    type: 'rendered',
    nodes: g.nodes.length,
    edges: g.edges.length,
    layoutMs: Math.round(layoutMs),
    renderMs: Math.round(performance.now() - t1),
    collapsed: g.collapsed,
  });
}

function queue(f: () => unknown): void {
  state.rendering = state.rendering.then(f).catch(reportError);
}

function clearAll(reason: string): void {
  state.doc = null;
  state.diagram = null;
  state.routes = null;
  state.graph = null;
  state.signature = '';
  state.irq = null;
  state.note = null;
  state.cpu = null;
  state.focusNode = null;
  state.freshView = true;
  while (graphSvg.firstChild) graphSvg.removeChild(graphSvg.firstChild);
  fillIrqSelect();
  renderSide();
  renderProblems(undefined);
  $<HTMLSpanElement>('stats').textContent = '';
  empty.textContent = reason;
  banner(null);
}

function onHost(m: HostMessage): void {
  switch (m.type) {
    case 'model': {
      const docChanged = m.doc !== state.doc;
      state.title = m.title;
      $<HTMLSpanElement>('title').textContent = m.title;
      state.clusterAbove = m.clusterAbove;
      if (!docChanged && m.diagram.syntaxErrors > 0 && state.diagram) {
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
      if (docChanged) {
        // nothing of the previous document stays: its route, its CPU, its clusters, its view
        state.doc = m.doc;
        state.expanded = new Set((saved.expandedByDoc[m.doc] ?? []).map(String));
        state.cpu = null;
        state.freshView = true;
        state.signature = '';
        renderProblems(undefined);
        markFound(null);
      }
      state.irq = m.irq;
      state.note = m.note;
      state.focusNode = m.node;
      state.activeHop = -1;
      state.diagram = m.diagram;
      state.routes = m.routes;
      save();
      queue(render);
      return;
    }
    case 'stale':
      banner(m.reason);
      return;
    case 'closed':
      queue(() => clearAll(m.reason));
      return;
    case 'focus': {
      if (m.doc !== state.doc) return;
      const changed = m.irq !== state.irq;
      state.focusNode = m.node;
      state.irq = m.irq;
      state.note = m.note;
      if (changed) state.activeHop = -1;
      save();
      queue(() => {
        select.value = state.irq && findRoute(state.routes, state.irq) ? state.irq : '';
        refocus(changed);
      });
      return;
    }
    case 'requestSvg':
      queue(() => post({ type: 'exportSvg', svg: exportSvg() }));
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
  'display',
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
  // the export shows every name (the landmarks are for zoomed-out screens)
  for (const t of clone.querySelectorAll('.landmarks')) t.remove();
  for (const t of clone.querySelectorAll('text'))
    if (t.getAttribute('display') === 'none') t.removeAttribute('display');
  const pad = 20;
  const SVGNS = 'http://www.w3.org/2000/svg';
  clone.setAttribute('xmlns', SVGNS);
  clone.setAttribute('viewBox', `${-pad} ${-pad} ${state.bounds.w + 2 * pad} ${state.bounds.h + 2 * pad}`);
  clone.setAttribute('width', String(Math.ceil(state.bounds.w + 2 * pad)));
  clone.setAttribute('height', String(Math.ceil(state.bounds.h + 2 * pad)));
  const bg = getComputedStyle(document.body).backgroundColor;
  const rect = document.createElementNS(SVGNS, 'rect');
  for (const [k, v] of Object.entries({ x: -pad, y: -pad, fill: bg })) rect.setAttribute(k, String(v));
  rect.setAttribute('width', String(state.bounds.w + 2 * pad));
  rect.setAttribute('height', String(state.bounds.h + 2 * pad));
  clone.insertBefore(rect, clone.firstChild);
  // a name may hold characters XML forbids (U+0001): replaced, so the file is well-formed XML
  return wellFormedXml(new XMLSerializer().serializeToString(clone));
}

// ---- input ---------------------------------------------------------------------------------------------

function expandCluster(gid: string): void {
  const g = state.graph?.nodes.find((n) => n.id === gid);
  const parent = g?.members?.parent;
  const p = parent ? state.positions.get(parent) : undefined;
  if (parent && p) anchor = { id: parent, dx: p.x - state.view.cx, dy: p.y - state.view.cy };
  state.expanded.add(gid);
  save();
  queue(render);
}

graphSvg.addEventListener('click', (ev) => {
  if (dragMoved) return;
  const g = (ev.target as Element).closest('.node');
  const id = g?.getAttribute('data-id');
  if (!id) return;
  if (id.startsWith('group:')) {
    expandCluster(id);
    return;
  }
  state.focusNode = id;
  markFound(null);
  applyHighlight();
  renderProblems(state.graph?.nodes.find((n) => n.id === id));
  post({ type: 'reveal', target: 'node', id });
});

graphSvg.addEventListener('keydown', (ev) => {
  if (ev.key !== 'Enter' && ev.key !== ' ') return;
  const id = (ev.target as Element).closest('.node')?.getAttribute('data-id');
  if (!id) return;
  if (id.startsWith('group:')) expandCluster(id);
  else post({ type: 'reveal', target: 'node', id });
});

select.addEventListener('change', () => chooseIrq(select.value || null));
$<HTMLButtonElement>('pick').addEventListener('click', () => post({ type: 'pick' }));
focusButton.addEventListener('click', () => {
  state.focusMode = !state.focusMode;
  save();
  refocus(state.focusMode);
});
$<HTMLButtonElement>('fit').addEventListener('click', () => fit());
$<HTMLButtonElement>('zoom-in').addEventListener('click', () => zoomBy(1));
$<HTMLButtonElement>('zoom-out').addEventListener('click', () => zoomBy(-1));
$<HTMLButtonElement>('zoom-reset').addEventListener('click', () => zoomTo(1));
$<HTMLButtonElement>('collapse').addEventListener('click', () => {
  if (state.expanded.size === 0) return;
  state.expanded.clear();
  save();
  queue(render);
});
$<HTMLButtonElement>('export').addEventListener('click', () => post({ type: 'exportSvg', svg: exportSvg() }));

let saveTimer: ReturnType<typeof setTimeout> | undefined;
onZoomChange((k) => {
  $<HTMLSpanElement>('zoom-level').textContent = `${Math.round(k * 100)}%`;
  if (saveTimer) clearTimeout(saveTimer);
  saveTimer = setTimeout(save, 300);
});

document.addEventListener('keydown', (ev) => {
  const t = ev.target as HTMLElement;
  if (t.closest('input, select, textarea')) return;
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const k = ev.key;
  if (k === '+' || k === '=') zoomBy(1);
  else if (k === '-') zoomBy(-1);
  else if (k === '0') zoomTo(1);
  else if (k === 'f' || k === 'F') fit();
  else if (k === 'Escape' && state.focusMode) {
    state.focusMode = false;
    save();
    refocus(false);
  } else if (k.startsWith('Arrow')) {
    const step = 80 / state.view.k;
    const v = state.view;
    setView({
      ...v,
      cx: v.cx + (k === 'ArrowLeft' ? -step : k === 'ArrowRight' ? step : 0),
      cy: v.cy + (k === 'ArrowUp' ? -step : k === 'ArrowDown' ? step : 0),
    });
  } else return;
  ev.preventDefault();
});

// search: domains and devices by name, interrupts by id, CPU, IRTE, vector
interface Result {
  kind: 'node' | 'route';
  id: string;
  text: string;
  detail: string;
}
let found: Result[] = [];
let active = 0;

function showResults(): void {
  results.replaceChildren();
  found.forEach((r, i) => {
    const li = html('li', r.text, i === active ? 'active' : undefined, results);
    li.setAttribute('role', 'option');
    li.dataset.index = String(i);
    html('span', r.detail, 'kind', li);
  });
  if (found.length === 0 && searchBox.value.trim()) html('li', 'Nothing matches.', 'muted', results);
  results.classList.toggle('shown', searchBox.value.trim() !== '');
}

function runSearch(): void {
  const q = searchBox.value;
  found = [];
  active = 0;
  if (q.trim()) {
    const routes = searchRoutes(state.routes, q, 20);
    const exact = routes.matches.filter((m) => m.route.irq.toLowerCase() === q.trim().toLowerCase());
    const nodes = searchNodes(state.diagram, q, 12);
    const asRoute = (m: (typeof routes.matches)[number]): Result => ({
      kind: 'route',
      id: m.route.irq,
      text: m.route.irq,
      detail: placementText(m.route) || 'interrupt',
    });
    found = [
      ...exact.map(asRoute),
      ...nodes.map((n): Result => ({ kind: 'node', id: n.id, text: n.label, detail: n.detail })),
      ...routes.matches.filter((m) => !exact.includes(m)).map(asRoute),
    ];
    if (routes.total > routes.matches.length)
      found.push({
        kind: 'route',
        id: '',
        text: `… ${routes.total - routes.matches.length} more interrupts`,
        detail: 'refine the search',
      });
  }
  showResults();
}

function pickResult(i: number): void {
  const r = found[i];
  if (!r || !r.id) return;
  results.classList.remove('shown');
  if (r.kind === 'route') {
    chooseIrq(r.id);
    zoomToRoute();
    return;
  }
  const shown = state.graph?.shownAs.get(r.id);
  if (shown && shown !== r.id && shown.startsWith('group:')) {
    // inside a cluster: open it, then show the node
    reveal = r.id;
    expandCluster(shown);
    return;
  }
  const id = shown ?? r.id;
  centerOn(id);
  markFound(id);
  state.focusNode = r.id;
  applyHighlight();
  renderProblems(state.graph?.nodes.find((n) => n.id === id));
}

searchBox.addEventListener('input', runSearch);
searchBox.addEventListener('focus', () => {
  if (searchBox.value.trim()) runSearch();
});
searchBox.addEventListener('keydown', (ev) => {
  if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
    if (found.length) active = (active + (ev.key === 'ArrowDown' ? 1 : found.length - 1)) % found.length;
    showResults();
    ev.preventDefault();
  } else if (ev.key === 'Enter') {
    pickResult(active);
    ev.preventDefault();
  } else if (ev.key === 'Escape') {
    results.classList.remove('shown');
  }
});
results.addEventListener('mousedown', (ev) => {
  const li = (ev.target as Element).closest('li');
  if (!li?.dataset.index) return;
  ev.preventDefault();
  pickResult(Number(li.dataset.index));
});
searchBox.addEventListener('blur', () => setTimeout(() => results.classList.remove('shown'), 150));

window.addEventListener('resize', () => {
  if (state.graph) setView(state.view);
});

window.addEventListener('message', (ev: MessageEvent) => {
  const m = ev.data as HostMessage;
  if (!m || typeof m !== 'object' || typeof m.type !== 'string') return;
  try {
    onHost(m);
  } catch (e) {
    reportError(e);
  }
});

post({ type: 'ready' });
