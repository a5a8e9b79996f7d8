// The searchable route picker (`irqtopo.pickRoute`, also the diagram's Find… button): a quick pick over
// every interrupt of the followed document. Type an id (`nvme0.q[5]`), `CPU 12`, `IRTE 40`,
// `vector 0x24`, `LPI 8193` or `event 3` (combinable with words of the id); the query language is
// shared/routes.ts's, so the list shows exactly the routes that match, in the diagram's order.
import * as vscode from 'vscode';
import { placementText, searchRoutes } from './shared/routes';
import type { TopologyStore } from './store';

const LIMIT = 500;

interface Item extends vscode.QuickPickItem {
  irq?: string;
}

/** Shows the picker; resolves with the chosen interrupt, or undefined. */
export async function pickRoute(store: TopologyStore): Promise<{ irq: string; uri: vscode.Uri } | undefined> {
  const s = store.current;
  if (!s?.routes) {
    void vscode.window.showInformationMessage('irqtopo: open a .irqtopo file to pick one of its interrupts.');
    return undefined;
  }
  const routes = s.routes;
  const qp = vscode.window.createQuickPick<Item>();
  qp.title = `Interrupt routes of ${s.uri.path.split('/').pop()}`;
  qp.placeholder = 'nvme0.q[5], CPU 12, IRTE 40, vector 0x24 …';
  qp.matchOnDescription = true;
  qp.matchOnDetail = true;
  const fill = () => {
    const { matches, total } = searchRoutes(routes, qp.value, LIMIT);
    const items: Item[] = matches.map((m) => ({
      label: m.route.irq,
      description: placementText(m.route) || (routes.simulated ? 'not routed' : 'not simulated'),
      detail: (m.route.hops.length ? m.route.hops.map((h) => h.domain) : m.route.path).join(' → '),
      irq: m.route.irq,
      // the query decides what is listed, not the quick pick's own fuzzy filter
      alwaysShow: true,
    }));
    if (total > matches.length)
      items.push({
        label: `… ${total - LIMIT} more: type more of the name, or a CPU, IRTE or vector`,
        alwaysShow: true,
      });
    if (total === 0) items.push({ label: 'No interrupt matches.', alwaysShow: true });
    qp.items = items;
  };
  fill();
  const picked = await new Promise<string | undefined>((resolve) => {
    const subs = [
      qp.onDidChangeValue(fill),
      qp.onDidAccept(() => {
        resolve(qp.selectedItems[0]?.irq);
        qp.hide();
      }),
      qp.onDidHide(() => {
        resolve(undefined);
        for (const d of subs) d.dispose();
        qp.dispose();
      }),
    ];
    qp.show();
  });
  return picked ? { irq: picked, uri: s.uri } : undefined;
}
