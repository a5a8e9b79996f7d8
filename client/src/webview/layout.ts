// Lays the visible graph out off the page's thread: elkjs (layered, orthogonal edges) for up to
// ELK_MAX_NODES drawn nodes, the linear tree layout (shared/layout.ts) beyond, both in the layout worker
// (worker.ts). The worker's script is fetched from the extension's files and started from a blob: URL
// (see the CSP in shared/html.ts). Without a worker (it failed to start, or elk ran past its budget) the
// tree layout runs here, and the host's log says why.
import type { VisGraph, VisNode } from '../shared/graph';
import type { Box } from '../shared/layout';
import { treeLayout } from '../shared/layout';
import { post } from './dom';

export const NODE_H = 40;
/** Above this many drawn nodes, the linear tree layout replaces elk (elk's layered layout is superlinear). */
export const ELK_MAX_NODES = 600;
/** elk's budget; past it the worker is restarted and the tree layout used */
const ELK_BUDGET_MS = 20_000;

export interface LayoutResult {
  positions: Map<string, Box>;
  edges: Map<string, [number, number][]>;
  width: number;
  height: number;
  engine: 'elk' | 'tree' | 'tree (page thread)';
}

// ---- text measuring (canvas 2D, the same font the SVG uses) ------------------------------------------

const measureCtx = document.createElement('canvas').getContext('2d');
const fontFamily = getComputedStyle(document.body).fontFamily || 'sans-serif';
const widthCache = new Map<string, number>();
export function textWidth(s: string, size: number, bold: boolean): number {
  const key = `${size}${bold ? 'b' : ''}:${s}`;
  let w = widthCache.get(key);
  if (w === undefined) {
    if (measureCtx) {
      measureCtx.font = `${bold ? '600 ' : ''}${size}px ${fontFamily}`;
      w = measureCtx.measureText(s).width;
    } else w = s.length * size * 0.6;
    if (widthCache.size > 50_000) widthCache.clear();
    widthCache.set(key, w);
  }
  return w;
}

export function nodeWidth(n: VisNode): number {
  return Math.ceil(Math.max(textWidth(n.label, 12, true), textWidth(n.detail, 11, false), 60) + 28);
}

// ---- the worker ----------------------------------------------------------------------------------------

const workerUrl = (document.currentScript as HTMLScriptElement | null)?.dataset.worker ?? '';
let worker: Worker | null = null;
let starting: Promise<Worker | null> | null = null;
let seq = 0;
const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
/** why there is no worker (reported once) */
let noWorker: string | null = null;

function startWorker(): Promise<Worker | null> {
  if (worker) return Promise.resolve(worker);
  if (starting) return starting;
  starting = (async () => {
    try {
      if (!workerUrl) throw new Error('the page names no layout worker');
      const res = await fetch(workerUrl);
      if (!res.ok) throw new Error(`fetching the layout worker: HTTP ${res.status}`);
      const blob = new Blob([await res.text()], { type: 'text/javascript' });
      const w = new Worker(URL.createObjectURL(blob));
      w.onmessage = (e: MessageEvent) => {
        const m = e.data as { id: number; data?: unknown; error?: unknown };
        const p = waiting.get(m.id);
        if (!p) return;
        waiting.delete(m.id);
        if (m.error !== undefined) p.reject(new Error(`layout: ${errorText(m.error)}`));
        else p.resolve(m.data);
      };
      w.onerror = (e) => {
        e.preventDefault();
        failAll(new Error(`the layout worker failed: ${e.message}`));
        stopWorker();
      };
      // elk's worker knows no algorithm until told (elk-api's constructor does the same)
      await call(w, { cmd: 'register', algorithms: ['layered'] }, ELK_BUDGET_MS);
      worker = w;
      return w;
    } catch (e) {
      noWorker = e instanceof Error ? e.message : String(e);
      post({ type: 'error', message: `layout worker unavailable, laying out on the page: ${noWorker}` });
      return null;
    } finally {
      starting = null;
    }
  })();
  return starting;
}

function errorText(e: unknown): string {
  if (typeof e === 'string') return e;
  if (e && typeof e === 'object' && 'message' in e) return String(e.message);
  return JSON.stringify(e);
}

function failAll(e: Error): void {
  for (const p of waiting.values()) p.reject(e);
  waiting.clear();
}

function stopWorker(): void {
  worker?.terminate();
  worker = null;
}

function call<T>(w: Worker, msg: Record<string, unknown>, budget: number): Promise<T> {
  const id = ++seq;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      if (!waiting.has(id)) return;
      waiting.delete(id);
      // a worker stuck in elk cannot be interrupted: start a new one next time
      stopWorker();
      reject(new Error(`layout took more than ${budget / 1000} s`));
    }, budget);
    waiting.set(id, {
      resolve: (v) => {
        clearTimeout(timer);
        resolve(v as T);
      },
      reject: (e) => {
        clearTimeout(timer);
        reject(e);
      },
    });
    w.postMessage({ id, ...msg });
  });
}

interface ElkOut {
  width?: number;
  height?: number;
  children?: { id: string; x?: number; y?: number; width?: number; height?: number }[];
  edges?: {
    id: string;
    sections?: {
      startPoint: { x: number; y: number };
      endPoint: { x: number; y: number };
      bendPoints?: { x: number; y: number }[];
    }[];
  }[];
}

function elkGraph(g: VisGraph, widths: Map<string, number>): Record<string, unknown> {
  const big = g.nodes.length > 150;
  return {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'LEFT',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.spacing.nodeNode': '16',
      'elk.layered.spacing.nodeNodeBetweenLayers': '36',
      'elk.spacing.componentComponent': '24',
      // edges into one parent share a trunk rather than fanning into one point
      'elk.layered.mergeEdges': 'true',
      'elk.layered.thoroughness': big ? '1' : '7',
      'elk.layered.nodePlacement.strategy': big ? 'SIMPLE' : 'BRANDES_KOEPF',
    },
    children: g.nodes.map((n) => ({ id: n.id, width: widths.get(n.id) ?? 100, height: NODE_H })),
    edges: g.edges.map((e) => ({ id: e.id, sources: [e.from], targets: [e.to] })),
  };
}

function fromElk(out: ElkOut): LayoutResult {
  const positions = new Map<string, Box>();
  for (const c of out.children ?? [])
    positions.set(c.id, { x: c.x ?? 0, y: c.y ?? 0, w: c.width ?? 0, h: c.height ?? 0 });
  const edges = new Map<string, [number, number][]>();
  for (const e of out.edges ?? []) {
    const pts: [number, number][] = [];
    for (const s of e.sections ?? []) {
      pts.push([s.startPoint.x, s.startPoint.y]);
      for (const b of s.bendPoints ?? []) pts.push([b.x, b.y]);
      pts.push([s.endPoint.x, s.endPoint.y]);
    }
    edges.set(e.id, pts);
  }
  return { positions, edges, width: out.width ?? 0, height: out.height ?? 0, engine: 'elk' };
}

function treeHere(g: VisGraph, widths: Map<string, number>): LayoutResult {
  const p = treeLayout(g, (id) => widths.get(id) ?? 100, NODE_H);
  return { ...p, engine: 'tree (page thread)' };
}

/** Lays `g` out: in the worker when there is one. */
export async function layoutGraph(g: VisGraph): Promise<LayoutResult> {
  const widths = new Map(g.nodes.map((n) => [n.id, nodeWidth(n)]));
  const w = await startWorker();
  if (!w) return treeHere(g, widths);
  try {
    if (g.nodes.length <= ELK_MAX_NODES)
      return fromElk(
        await call<ElkOut>(
          w,
          { cmd: 'layout', graph: elkGraph(g, widths), layoutOptions: {}, options: {} },
          ELK_BUDGET_MS,
        ),
      );
    const r = await call<{
      positions: [string, Box][];
      edges: [string, [number, number][]][];
      width: number;
      height: number;
    }>(
      w,
      {
        cmd: 'tree',
        graph: {
          nodes: g.nodes.map((n) => ({ id: n.id, w: widths.get(n.id) ?? 100 })),
          edges: g.edges.map((e) => ({ id: e.id, from: e.from, to: e.to, type: e.type })),
        },
        height: NODE_H,
      },
      ELK_BUDGET_MS,
    );
    return {
      positions: new Map(r.positions),
      edges: new Map(r.edges),
      width: r.width,
      height: r.height,
      engine: 'tree',
    };
  } catch (e) {
    post({
      type: 'error',
      message: `${e instanceof Error ? e.message : String(e)}: laid out with the tree layout on the page`,
    });
    return treeHere(g, widths);
  }
}
