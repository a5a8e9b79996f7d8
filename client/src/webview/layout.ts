// Lays the visible graph out off the page's thread: the linear tree layout (shared/layout.ts) in the
// layout worker (worker.ts), for every graph size. The worker's script is fetched from the extension's
// files and started from a blob: URL (see the CSP in shared/html.ts). Without a worker (it failed to
// start, or ran past its budget) the tree layout runs here, and the host's log says why.
// elkjs's layered layout drew graphs up to 600 nodes until issue 15, when it was 451 kB of a 976 kB .vsix
// that must stay under 1 MB. Compared at 1600x1000 on the two-IR-unit example and the 300-device server,
// the tree layout reads as well: it keeps the file's order (elk shuffled siblings); but a device's second
// link (to its IMS domain) runs along the shared bus across the other devices' links, where elk placed the
// IMS domain beside the device.
import type { VisGraph, VisNode } from '../shared/graph';
import type { Box } from '../shared/layout';
import { treeLayout } from '../shared/layout';
import { post } from './dom';

export const NODE_H = 40;
/** the worker's budget; past it the worker is restarted and the layout runs on the page */
const LAYOUT_BUDGET_MS = 20_000;

export interface LayoutResult {
  positions: Map<string, Box>;
  edges: Map<string, [number, number][]>;
  width: number;
  height: number;
  engine: 'tree' | 'tree (page thread)';
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
      // a stuck worker cannot be interrupted: start a new one next time
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
      LAYOUT_BUDGET_MS,
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
