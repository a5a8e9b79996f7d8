// The diagram panel: a webview beside the editor that draws the server's `irqtopo/diagram` (and the
// routes) for the followed document. The host sends data, the webview renders it as text nodes; every
// message back is validated (shared/messages.ts) and refers to ids the host looks up in its own copy
// of the payload: a URI or range never comes from the webview.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { targetAt, findRoute } from './shared/graph';
import { diagramHtml, makeNonce } from './shared/html';
import { validateWebviewMessage, type HostMessage, type WebviewMessage } from './shared/messages';
import type { ShowRouteArgs } from './shared/types';
import { isTopology, revealRange, sameUri, serverUri, type Snapshot, type TopologyStore } from './store';

export const DIAGRAM_VIEW_TYPE = 'irqtopo.diagram';

type Rendered = Extract<WebviewMessage, { type: 'rendered' }>;

export class DiagramPanel implements vscode.Disposable {
  static current: DiagramPanel | undefined;
  private readonly subs: vscode.Disposable[] = [];
  private ready = false;
  private pending: HostMessage[] = [];
  private lastFocus = '';
  /** the webview's last `rendered` report (tests and the bench read it) */
  lastRendered: Rendered | undefined;
  private readonly renderedEmitter = new vscode.EventEmitter<Rendered>();
  readonly onDidRender = this.renderedEmitter.event;
  private svgWaiter: ((svg: string) => void) | undefined;

  static show(
    context: vscode.ExtensionContext,
    store: TopologyStore,
    log: vscode.OutputChannel,
    irqs: string[] = [],
  ): DiagramPanel {
    let p = DiagramPanel.current;
    if (!p) {
      const panel = vscode.window.createWebviewPanel(
        DIAGRAM_VIEW_TYPE,
        'Interrupt Routes',
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        {
          enableScripts: true,
          retainContextWhenHidden: true,
          localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview')],
        },
      );
      p = new DiagramPanel(panel, context, store, log);
      DiagramPanel.current = p;
    } else p.panel.reveal(undefined, true);
    if (irqs.length) p.post({ type: 'showIrqs', irqs });
    return p;
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly context: vscode.ExtensionContext,
    private readonly store: TopologyStore,
    private readonly log: vscode.OutputChannel,
  ) {
    this.setHtml();
    this.subs.push(
      this.renderedEmitter,
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw)),
      store.onDidChange((s) => this.sendModel(s)),
      vscode.window.onDidChangeTextEditorSelection((e) => this.onSelection(e.textEditor)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('irqtopo.diagram.maxDomains')) this.sendModel(this.store.current);
      }),
    );
  }

  /** A fresh page with a fresh nonce. */
  private setHtml(): void {
    const w = this.panel.webview;
    const base = vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview');
    this.ready = false;
    w.html = diagramHtml({
      cspSource: w.cspSource,
      nonce: makeNonce((n) => randomBytes(n)),
      scriptUri: w.asWebviewUri(vscode.Uri.joinPath(base, 'main.js')).toString(),
      codiconUri: w.asWebviewUri(vscode.Uri.joinPath(base, 'codicon.css')).toString(),
    });
  }

  post(m: HostMessage): void {
    if (!this.ready) {
      // only the newest model matters
      if (m.type === 'model') this.pending = this.pending.filter((x) => x.type !== 'model');
      this.pending.push(m);
      return;
    }
    void this.panel.webview.postMessage(m);
  }

  private sendModel(s: Snapshot | undefined): void {
    if (!s) {
      this.post({ type: 'stale', reason: 'The topology file was closed.' });
      return;
    }
    const name = s.uri.path.split('/').pop() ?? s.uri.toString();
    // the title stays 'Interrupt Routes' (the webview's toolbar names the file)
    if (!s.diagram) {
      this.post({ type: 'stale', reason: s.error ? `No diagram: ${s.error}` : `No diagram for ${name}.` });
      return;
    }
    const max = vscode.workspace.getConfiguration('irqtopo', s.uri).get<number>('diagram.maxDomains', 500);
    this.post({
      type: 'model',
      diagram: s.diagram,
      routes: s.routes,
      maxDomains: typeof max === 'number' && max >= 1 ? max : 500,
      title: name,
    });
    if (s.error) this.post({ type: 'stale', reason: `Showing the last picture: ${s.error}` });
  }

  private onSelection(editor: vscode.TextEditor): void {
    const s = this.store.current;
    if (!s || !isTopology(editor.document)) return;
    const pos = editor.selection.active;
    const t = targetAt(s.diagram, s.routes, editor.document.uri.toString(), pos.line, pos.character, sameUri);
    const key = `${t.node}\u0000${t.irq}`;
    if (key === this.lastFocus) return;
    this.lastFocus = key;
    this.post({ type: 'focus', node: t.node, irq: t.irq });
  }

  private async onMessage(raw: unknown): Promise<void> {
    const m = validateWebviewMessage(raw);
    if (typeof m === 'string') {
      this.log.appendLine(`[diagram] ignored a message from the webview: ${m}`);
      return;
    }
    switch (m.type) {
      case 'ready':
        this.ready = true;
        for (const p of this.pending.splice(0)) void this.panel.webview.postMessage(p);
        this.sendModel(this.store.current);
        return;
      case 'reveal':
        await this.reveal(m);
        return;
      case 'exportSvg':
        if (this.svgWaiter) {
          const w = this.svgWaiter;
          this.svgWaiter = undefined;
          w(m.svg);
        } else await this.saveSvg(m.svg);
        return;
      case 'rendered':
        this.lastRendered = m;
        this.log.appendLine(
          `[diagram] ${m.nodes} nodes, ${m.edges} edges (${m.collapsed} folded): layout ${m.layoutMs} ms, render ${m.renderMs} ms`,
        );
        this.renderedEmitter.fire(m);
        return;
      case 'error':
        this.log.appendLine(`[diagram] webview error: ${m.message}`);
        return;
    }
  }

  private async reveal(m: Extract<WebviewMessage, { type: 'reveal' }>): Promise<void> {
    const s = this.store.current;
    if (!s) return;
    let target: { uri: string; range: import('./shared/types').Range } | undefined;
    if (m.target === 'node') {
      const n = s.diagram?.nodes.find((x) => x.id === m.id);
      if (n) target = { uri: n.uri, range: n.range };
    } else if (m.target === 'irq') {
      const r = findRoute(s.routes, m.id);
      if (r) target = { uri: r.uri, range: r.range };
    } else {
      const r = findRoute(s.routes, m.irq);
      const hop = r?.hops[m.index];
      const n = hop && s.diagram?.nodes.find((x) => x.id === `domain:${hop.domain}`);
      if (n) target = { uri: n.uri, range: n.range };
    }
    if (!target) {
      this.log.appendLine(`[diagram] nothing to reveal for ${JSON.stringify(m).slice(0, 200)}`);
      return;
    }
    // the cursor moves onto what was clicked: no need to echo it back as a focus
    this.lastFocus = '';
    await revealRange(serverUri(target.uri), target.range);
  }

  /** The diagram as SVG text (from the webview's renderer). */
  requestSvg(): Promise<string> {
    return new Promise((resolve) => {
      this.svgWaiter = resolve;
      this.post({ type: 'requestSvg' });
    });
  }

  private async saveSvg(svg: string): Promise<void> {
    const s = this.store.current;
    const base = s ? s.uri.path.replace(/\.irqtopo$/, '') : 'diagram';
    const defaultUri = s && s.uri.scheme === 'file' ? vscode.Uri.file(`${base}.svg`) : undefined;
    const target = await vscode.window.showSaveDialog({
      defaultUri,
      filters: { SVG: ['svg'] },
      title: 'Export the interrupt diagram as SVG',
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(svg));
    void vscode.window.showInformationMessage(`Saved the diagram to ${target.fsPath || target.toString()}.`);
  }

  dispose(): void {
    if (DiagramPanel.current === this) DiagramPanel.current = undefined;
    for (const s of this.subs.splice(0)) s.dispose();
    this.panel.dispose();
  }
}

/** Validates the code lens's argument (it comes from the server). */
export function showRouteArgs(a: unknown): ShowRouteArgs | undefined {
  if (typeof a !== 'object' || a === null) return undefined;
  const { uri, device, irqs } = a as Record<string, unknown>;
  if (typeof uri !== 'string' || typeof device !== 'string' || !Array.isArray(irqs)) return undefined;
  return { uri, device, irqs: irqs.filter((x): x is string => typeof x === 'string') };
}
