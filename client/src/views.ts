// The Domains and Routes views (activity bar container `irqtopo`): the server's domain tree and routes
// for the document the store follows. Every item reveals its declaration when clicked.
import * as vscode from 'vscode';
import { hex, hopText, messageText, placementText, routeLines } from './shared/routes';
import type { DomainTreeNode, Hop, ProblemCounts, Range, RouteInfo, DeviceRoutes } from './shared/types';
import { revealRange, serverUri, type Snapshot, type TopologyStore } from './store';

export const REVEAL_COMMAND = 'irqtopo.reveal';

function revealCommand(uri: string, range: Range, title = 'Reveal declaration'): vscode.Command {
  return { command: REVEAL_COMMAND, title, arguments: [uri, range] };
}

export function problemText(p: ProblemCounts): string {
  const parts: string[] = [];
  if (p.error) parts.push(`${p.error} error${p.error > 1 ? 's' : ''}`);
  if (p.warning) parts.push(`${p.warning} warning${p.warning > 1 ? 's' : ''}`);
  if (p.information) parts.push(`${p.information} info`);
  if (p.hint) parts.push(`${p.hint} hint${p.hint > 1 ? 's' : ''}`);
  return parts.join(', ');
}

function clsIcon(cls: string | null): string {
  switch (cls) {
    case 'root':
      return 'circuit-board';
    case 'msi-parent':
      return 'type-hierarchy-sub';
    case 'device':
      return 'symbol-interface';
    case 'wired':
      return 'plug';
    default:
      return 'question';
  }
}

/** A per-device domain says which device it serves (`for nvme0`). */
export function servesText(n: DomainTreeNode): string {
  if (n.cls !== 'device' || n.devices.length === 0) return '';
  return `for ${n.devices.slice(0, 3).join(', ')}${n.devices.length > 3 ? ` +${n.devices.length - 3}` : ''}`;
}

function usageText(n: DomainTreeNode): string {
  if (!n.usage) return '';
  return `${n.usage.used}${n.usage.size !== null ? `/${n.usage.size}` : ''} ${n.usage.resource}`;
}

// ---- Domains --------------------------------------------------------------------------------------------

export class DomainsProvider implements vscode.TreeDataProvider<DomainTreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<DomainTreeNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private roots: DomainTreeNode[] = [];
  private readonly parents = new Map<DomainTreeNode, DomainTreeNode>();
  private readonly sub: vscode.Disposable;

  constructor(store: TopologyStore) {
    this.sub = store.onDidChange((s) => this.update(s));
    this.update(store.current);
  }

  private update(s: Snapshot | undefined): void {
    this.roots = s?.tree?.roots ?? [];
    this.parents.clear();
    const walk = (n: DomainTreeNode) => {
      for (const c of n.children) {
        this.parents.set(c, n);
        walk(c);
      }
    };
    this.roots.forEach(walk);
    this.emitter.fire(undefined);
  }

  /** Problems in the whole tree (the view's badge). */
  totals(): ProblemCounts {
    const t: ProblemCounts = { error: 0, warning: 0, information: 0, hint: 0 };
    const walk = (n: DomainTreeNode) => {
      t.error += n.problems.error;
      t.warning += n.problems.warning;
      t.information += n.problems.information;
      t.hint += n.problems.hint;
      n.children.forEach(walk);
    };
    this.roots.forEach(walk);
    return t;
  }

  getChildren(n?: DomainTreeNode): DomainTreeNode[] {
    return n ? n.children : this.roots;
  }

  getParent(n: DomainTreeNode): DomainTreeNode | undefined {
    return this.parents.get(n);
  }

  getTreeItem(n: DomainTreeNode): vscode.TreeItem {
    let depth = 0;
    for (let p = this.parents.get(n); p; p = this.parents.get(p)) depth++;
    const item = new vscode.TreeItem(
      n.name,
      n.children.length === 0
        ? vscode.TreeItemCollapsibleState.None
        : depth < 2
          ? vscode.TreeItemCollapsibleState.Expanded
          : vscode.TreeItemCollapsibleState.Collapsed,
    );
    item.id = `domain:${n.name}`;
    const probs = problemText(n.problems);
    const serves = servesText(n);
    // a per-device domain: its device first (the kind is in its name and the tooltip)
    item.description = (serves ? [serves, usageText(n), probs] : [n.kind, usageText(n), probs])
      .filter(Boolean)
      .join(' · ');
    item.iconPath = n.problems.error
      ? new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'))
      : n.problems.warning
        ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'))
        : new vscode.ThemeIcon(clsIcon(n.cls));
    const tip = new vscode.MarkdownString();
    tip.appendMarkdown('**').appendText(n.name).appendMarkdown('**  \n');
    tip.appendText(`kind ${n.kind}${n.cls ? ` (${n.cls})` : ''}${n.implied ? ', implied' : ''}`);
    if (n.usage) tip.appendMarkdown('  \n').appendText(`uses ${usageText(n)}`);
    if (n.devices.length)
      tip
        .appendMarkdown('  \n')
        .appendText(`devices: ${n.devices.slice(0, 20).join(', ')}${n.devices.length > 20 ? ', …' : ''}`);
    if (probs) tip.appendMarkdown('  \n').appendText(probs);
    item.tooltip = tip;
    item.contextValue = n.implied ? 'irqtopo.domain.implied' : 'irqtopo.domain';
    item.command = revealCommand(n.uri, n.selectionRange);
    return item;
  }

  dispose(): void {
    this.sub.dispose();
    this.emitter.dispose();
  }
}

// ---- Routes ---------------------------------------------------------------------------------------------

export type RouteElement =
  | { kind: 'device'; device: DeviceRoutes }
  | { kind: 'irq'; device: DeviceRoutes; irq: RouteInfo }
  | { kind: 'hop'; device: DeviceRoutes; irq: RouteInfo; hop: Hop; index: number };

export class RoutesProvider implements vscode.TreeDataProvider<RouteElement>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<RouteElement | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private snap: Snapshot | undefined;
  private readonly sub: vscode.Disposable;

  constructor(store: TopologyStore) {
    this.sub = store.onDidChange((s) => {
      this.snap = s;
      this.emitter.fire(undefined);
    });
    this.snap = store.current;
  }

  /** the domain declarations, by name (hops reveal them) */
  private domain(name: string): DomainTreeNode | undefined {
    const find = (ns: DomainTreeNode[]): DomainTreeNode | undefined => {
      for (const n of ns) {
        if (n.name === name) return n;
        const c = find(n.children);
        if (c) return c;
      }
      return undefined;
    };
    return find(this.snap?.tree?.roots ?? []);
  }

  getChildren(e?: RouteElement): RouteElement[] {
    const routes = this.snap?.routes;
    if (!routes) return [];
    if (!e) return routes.devices.map((device) => ({ kind: 'device', device }));
    if (e.kind === 'device') return e.device.irqs.map((irq) => ({ kind: 'irq', device: e.device, irq }));
    if (e.kind === 'irq')
      return e.irq.hops.map((hop, index) => ({ kind: 'hop', device: e.device, irq: e.irq, hop, index }));
    return [];
  }

  getParent(e: RouteElement): RouteElement | undefined {
    if (e.kind === 'hop') return { kind: 'irq', device: e.device, irq: e.irq };
    if (e.kind === 'irq') return { kind: 'device', device: e.device };
    return undefined;
  }

  getTreeItem(e: RouteElement): vscode.TreeItem {
    const None = vscode.TreeItemCollapsibleState.None;
    const Collapsed = vscode.TreeItemCollapsibleState.Collapsed;
    if (e.kind === 'device') {
      const item = new vscode.TreeItem(e.device.device, e.device.irqs.length ? Collapsed : None);
      item.id = `device:${e.device.device}`;
      const failed = e.device.irqs.filter((i) => i.failure).length;
      const unlisted = e.device.unlisted ?? 0;
      const all = e.device.irqs.length + unlisted;
      item.description =
        `${all} interrupt${all === 1 ? '' : 's'}${unlisted ? ` (${e.device.irqs.length} listed)` : ''}` +
        `${failed ? ` · ${failed} not routed` : ''}`;
      item.iconPath = failed
        ? new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'))
        : new vscode.ThemeIcon('chip');
      item.contextValue = 'irqtopo.device';
      item.command = revealCommand(e.device.uri, e.device.range);
      return item;
    }
    if (e.kind === 'irq') {
      const r = e.irq;
      const item = new vscode.TreeItem(r.irq, r.hops.length ? Collapsed : None);
      item.id = `irq:${r.irq}`;
      item.description = placementText(r);
      item.iconPath = r.failure
        ? new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'))
        : new vscode.ThemeIcon('zap');
      const tip = new vscode.MarkdownString();
      tip.appendMarkdown('**').appendText(r.irq).appendMarkdown('**');
      for (const l of routeLines(r)) tip.appendMarkdown('  \n').appendText(l);
      item.tooltip = tip;
      item.contextValue = 'irqtopo.irq';
      item.command = revealCommand(r.uri, r.range);
      return item;
    }
    const { hop, irq: r, index } = e;
    const item = new vscode.TreeItem(hop.domain, None);
    item.id = `hop:${r.irq}:${index}`;
    const last = index === r.hops.length - 1;
    // each hop says what its own level took; the destination is the root's (CPU and vector), said once
    item.description = hopText(hop);
    item.iconPath = new vscode.ThemeIcon(last ? 'debug-stackframe-focused' : 'arrow-small-up');
    const tip = new vscode.MarkdownString();
    tip
      .appendMarkdown('**')
      .appendText(`${index + 1}. ${hop.domain}`)
      .appendMarkdown('**  \n')
      .appendText(hopText(hop));
    if (hop.hwirq !== null) tip.appendMarkdown('  \n').appendText(`hwirq ${hop.hwirq} (${hex(hop.hwirq)})`);
    if (last) {
      const place = placementText(r);
      if (place) tip.appendMarkdown('  \n').appendText(`${r.irq}: ${place}`);
      if (r.message) tip.appendMarkdown('  \n').appendText(messageText(r));
    }
    item.tooltip = tip;
    const d = this.domain(hop.domain);
    item.command = d ? revealCommand(d.uri, d.selectionRange) : revealCommand(r.uri, r.range);
    return item;
  }

  dispose(): void {
    this.sub.dispose();
    this.emitter.dispose();
  }
}

export interface Views extends vscode.Disposable {
  domains: DomainsProvider;
  routes: RoutesProvider;
  domainsView: vscode.TreeView<DomainTreeNode>;
  routesView: vscode.TreeView<RouteElement>;
}

export function registerViews(store: TopologyStore): Views {
  const domains = new DomainsProvider(store);
  const routes = new RoutesProvider(store);
  const domainsView = vscode.window.createTreeView('irqtopo.domains', {
    treeDataProvider: domains,
    showCollapseAll: true,
  });
  const routesView = vscode.window.createTreeView('irqtopo.routes', {
    treeDataProvider: routes,
    showCollapseAll: true,
  });
  const label = (s: Snapshot | undefined) => {
    const name = s ? s.uri.path.split('/').pop() : undefined;
    domainsView.description = name;
    routesView.description = name;
    const t = domains.totals();
    const n = t.error + t.warning;
    domainsView.badge = n ? { value: n, tooltip: problemText(t) } : undefined;
    routesView.message = !s?.routes
      ? undefined
      : !s.routes.simulated
        ? 'Not simulated: give arch and cpus to place interrupts.'
        : s.routes.unlisted
          ? `Lists the first ${s.routes.limit.toLocaleString('en-US')} interrupts; ${s.routes.unlisted.toLocaleString('en-US')} more are counted, not listed (the CLI's "irqtopo routes FILE" lists all).`
          : undefined;
  };
  const sub = store.onDidChange(label);
  label(store.current);
  const reveal = vscode.commands.registerCommand(REVEAL_COMMAND, async (uri: unknown, range: unknown) => {
    if (typeof uri !== 'string' || !isRange(range)) return;
    await revealRange(serverUri(uri), range);
  });
  return {
    domains,
    routes,
    domainsView,
    routesView,
    dispose: () => {
      for (const d of [sub, reveal, domainsView, routesView, domains, routes]) d.dispose();
    },
  };
}

function isRange(r: unknown): r is Range {
  const pos = (p: unknown) =>
    typeof p === 'object' &&
    p !== null &&
    Number.isInteger((p as { line: unknown }).line) &&
    Number.isInteger((p as { character: unknown }).character);
  return typeof r === 'object' && r !== null && pos((r as Range).start) && pos((r as Range).end);
}
