// The diagram's layout, linear in the graph, for every size (elkjs's layered algorithm, which drew graphs
// up to 600 nodes until issue 15, took about 2 s for 2,000 nodes and over 70 s for 10,000 in this
// webview). It runs in the layout worker. The domain hierarchy is a tree
// (each domain has one parent; a device hangs under the first domain it uses), so: one column per depth,
// root on the left, leaves stacked top to bottom, each parent centred
// on its children, and orthogonal edges along a shared vertical bus per parent. Pure: unit-tested.
/** What the layout needs of a graph (the webview's VisGraph, or its copy in the layout worker). */
export interface LayoutGraph {
  nodes: readonly { id: string }[];
  edges: readonly { id: string; from: string; to: string; type: string }[];
}

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Placement {
  positions: Map<string, Box>;
  edges: Map<string, [number, number][]>;
  width: number;
  height: number;
}

export const COLUMN_GAP = 60;
export const ROW_GAP = 12;

export function treeLayout(g: LayoutGraph, widthOf: (id: string) => number, height = 40): Placement {
  const ids = g.nodes.map((n) => n.id);
  const known = new Set(ids);
  // the tree parent: the target of the node's parent edge, else of its first edge
  const parent = new Map<string, string>();
  for (const e of g.edges) {
    if (!known.has(e.from) || !known.has(e.to) || e.from === e.to) continue;
    const had = parent.get(e.from);
    if (
      !had ||
      (e.type === 'parent' && !g.edges.some((x) => x.from === e.from && x.to === had && x.type === 'parent'))
    )
      parent.set(e.from, e.to);
  }
  const children = new Map<string, string[]>();
  for (const id of ids) {
    const p = parent.get(id);
    if (p === undefined) continue;
    const l = children.get(p) ?? [];
    l.push(id);
    children.set(p, l);
  }
  const depth = new Map<string, number>();
  const order: string[] = [];
  const visit = (root: string) => {
    // iterative DFS (a 10,000-node chain must not overflow the stack); a loop is cut where it closes
    const stack: [string, number][] = [[root, 0]];
    while (stack.length) {
      const [id, d] = stack.pop()!;
      if (depth.has(id)) continue;
      depth.set(id, d);
      order.push(id);
      const cs = children.get(id) ?? [];
      for (let i = cs.length - 1; i >= 0; i--) if (!depth.has(cs[i])) stack.push([cs[i], d + 1]);
    }
  };
  for (const id of ids) if (!parent.has(id) || !known.has(parent.get(id)!)) visit(id);
  for (const id of ids) if (!depth.has(id)) visit(id); // nodes on a parent loop
  // column widths and positions
  const colW: number[] = [];
  for (const id of ids) {
    const d = depth.get(id)!;
    colW[d] = Math.max(colW[d] ?? 0, widthOf(id));
  }
  const colX: number[] = [];
  let x = 0;
  for (let d = 0; d < colW.length; d++) {
    colX[d] = x;
    x += (colW[d] ?? 0) + COLUMN_GAP;
  }
  // y: leaves in DFS order, parents centred on their (tree) children, children before parents
  const y = new Map<string, number>();
  let cursor = 0;
  const treeKids = (id: string) =>
    (children.get(id) ?? []).filter((c) => depth.get(c) === depth.get(id)! + 1);
  // a post-order pass: leaves take the next row in pre-order
  const place = (root: string) => {
    const stack: [string, boolean][] = [[root, false]];
    while (stack.length) {
      const [id, done] = stack.pop()!;
      const kids = treeKids(id).filter((k) => !y.has(k));
      if (done || kids.length === 0) {
        if (y.has(id)) continue;
        const placed = treeKids(id).filter((k) => y.has(k));
        if (placed.length === 0) {
          y.set(id, cursor);
          cursor += height + ROW_GAP;
        } else y.set(id, (y.get(placed[0])! + y.get(placed[placed.length - 1])!) / 2);
        continue;
      }
      stack.push([id, true]);
      for (let k = kids.length - 1; k >= 0; k--) stack.push([kids[k], false]);
    }
  };
  for (const id of order) if (depth.get(id) === 0) place(id);
  for (const id of ids) if (!y.has(id)) place(id);
  const positions = new Map<string, Box>();
  for (const id of ids) {
    const d = depth.get(id)!;
    positions.set(id, { x: colX[d], y: y.get(id)!, w: widthOf(id), h: height });
  }
  const edges = new Map<string, [number, number][]>();
  for (const e of g.edges) {
    const a = positions.get(e.from);
    const b = positions.get(e.to);
    if (!a || !b) continue;
    const ay = a.y + a.h / 2;
    const by = b.y + b.h / 2;
    const da = depth.get(e.from)!;
    const db = depth.get(e.to)!;
    if (da > db) {
      // the bus just right of the parent's column
      const bus = colX[db] + colW[db] + COLUMN_GAP / 2;
      edges.set(e.id, [
        [a.x, ay],
        [bus, ay],
        [bus, by],
        [b.x + b.w, by],
      ]);
    } else {
      // same column or backwards (a second link, or a loop): around the left of the source
      const side = Math.min(a.x, b.x) - COLUMN_GAP / 3;
      edges.set(e.id, [
        [a.x, ay],
        [side, ay],
        [side, by],
        [b.x, by],
      ]);
    }
  }
  return { positions, edges, width: Math.max(0, x - COLUMN_GAP), height: Math.max(0, cursor - ROW_GAP) };
}
