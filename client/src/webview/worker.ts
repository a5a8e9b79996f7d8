// The layout worker (bundled as dist/webview/layout.js, started by the page from a blob: URL): elkjs's
// own worker (elk-worker.min.js, which answers `{ id, cmd: 'layout', graph }` on self.onmessage) and the
// linear tree layout for large graphs (`{ id, cmd: 'tree', graph, height }`), so that no layout runs
// on the page's thread.
import 'elkjs/lib/elk-worker.min.js';
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
const elkHandler = scope.onmessage;

scope.onmessage = (e: MessageEvent) => {
  const m = e.data as { id?: unknown; cmd?: unknown };
  if (m && m.cmd === 'tree') {
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
    return;
  }
  if (elkHandler) elkHandler.call(self, e);
  else scope.postMessage({ id: m?.id, error: 'elk did not start in the layout worker' });
};
