// The layout worker (bundled as dist/webview/layout.js, started by the page from a blob: URL): the
// linear tree layout (`{ id, cmd: 'tree', graph, height }`), so that no layout runs on the page's thread.
import { treeLayout, type LayoutGraph } from '../shared/layout';

interface TreeRequest {
  id: number;
  cmd: 'tree';
  graph: { nodes: { id: string; w: number }[]; edges: LayoutGraph['edges'] };
  height: number;
}

const scope = self as unknown as {
  onmessage: ((e: MessageEvent) => void) | null;
  postMessage(m: unknown): void;
};

scope.onmessage = (e: MessageEvent) => {
  const m = e.data as { id?: unknown; cmd?: unknown };
  if (!m || m.cmd !== 'tree') {
    scope.postMessage({ id: m?.id, error: `the layout worker has no command ${String(m?.cmd)}` });
    return;
  }
  const r = m as TreeRequest;
  try {
    const widths = new Map(r.graph.nodes.map((n) => [n.id, n.w]));
    const p = treeLayout(r.graph, (id) => widths.get(id) ?? 100, r.height);
    scope.postMessage({
      id: r.id,
      data: { positions: [...p.positions], edges: [...p.edges], width: p.width, height: p.height },
    });
  } catch (err) {
    scope.postMessage({ id: r.id, error: String(err instanceof Error ? (err.stack ?? err.message) : err) });
  }
};
