// The diagram panel: a webview beside the editor that draws the server's `irqtopo/diagram` (and the
// routes) for the followed document. The host sends data, the webview renders it as text nodes; every
// message back is validated (shared/messages.ts) and refers to ids the host looks up in its own copy
// of the payload: a URI or range never comes from the webview.
//
// The webview is not kept alive while hidden (no retainContextWhenHidden): it saves its state with
// setState and asks for the model again when shown. After a window reload, the serializer registered in
// extension.ts gives the panel back to `DiagramPanel.revive`, with that saved state.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { RouteFocus } from './focus';
import { offlineInsertion } from './shared/cpus';
import { DEFAULT_CLUSTER_ABOVE, targetAt } from './shared/graph';
import { diagramHtml, makeNonce } from './shared/html';
import { validateWebviewMessage, type HostMessage, type WebviewMessage } from './shared/messages';
import { elementAt, elementsText, findRoute } from './shared/routes';
import type { Range, ShowRouteArgs } from './shared/types';
import { isTopology, revealRange, sameUri, serverUri, type Snapshot, type TopologyStore } from './store';

export const DIAGRAM_VIEW_TYPE = 'irqtopo.diagram';

type Rendered = Extract<WebviewMessage, { type: 'rendered' }>;

/** What the panel needs from the extension. */
export interface DiagramContext {
  context: vscode.ExtensionContext;
  store: TopologyStore;
  log: vscode.OutputChannel;
  focus: RouteFocus;
}

export function panelOptions(
  context: vscode.ExtensionContext,
): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview')],
  };
}

export class DiagramPanel implements vscode.Disposable {
  static current: DiagramPanel | undefined;
  private readonly subs: vscode.Disposable[] = [];
  private ready = false;
  private pending: HostMessage[] = [];
  /** the last focus sent, per document (so that a cursor move that changes nothing sends nothing) */
  private lastFocus = '';
  /** the declaration under the cursor, per document */
  private readonly nodeByDoc = new Map<string, string | null>();
  /** the webview's last `rendered` report (tests and the bench read it) */
  lastRendered: Rendered | undefined;
  private readonly renderedEmitter = new vscode.EventEmitter<Rendered>();
  readonly onDidRender = this.renderedEmitter.event;
  private svgWaiter: ((svg: string) => void) | undefined;

  /**
   * Opens (or reveals) the panel. `irqs`: a code lens's or the picker's interrupts (the first one is
   * shown); none: the interrupt under the cursor of the active editor, if any.
   */
  static show(ctx: DiagramContext, irqs: string[] = []): DiagramPanel {
    let p = DiagramPanel.current;
    if (!p) {
      const panel = vscode.window.createWebviewPanel(
        DIAGRAM_VIEW_TYPE,
        'Interrupt Routes',
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        panelOptions(ctx.context),
      );
      p = new DiagramPanel(panel, ctx);
    } else p.panel.reveal(undefined, true);
    if (irqs.length) p.choose(irqs);
    else {
      const e = vscode.window.activeTextEditor;
      if (e && isTopology(e.document)) p.onSelection(e);
    }
    return p;
  }

  /** The serializer's entry: a panel VS Code restored after a reload, with the webview's saved state. */
  static async revive(
    ctx: DiagramContext,
    panel: vscode.WebviewPanel,
    saved: unknown,
  ): Promise<DiagramPanel> {
    const s = (saved && typeof saved === 'object' ? saved : {}) as { doc?: unknown; irqByDoc?: unknown };
    ctx.focus.seed(s.irqByDoc);
    panel.webview.options = panelOptions(ctx.context);
    DiagramPanel.current?.dispose();
    const p = new DiagramPanel(panel, ctx);
    if (!ctx.store.uri && typeof s.doc === 'string') {
      // the document it showed, if it still exists (opening it lets the language server analyse it)
      try {
        const doc = await vscode.workspace.openTextDocument(serverUri(s.doc));
        if (isTopology(doc)) ctx.store.follow(doc.uri);
      } catch (e) {
        ctx.log.appendLine(
          `[diagram] the restored diagram's file is gone: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
    }
    return p;
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly ctx: DiagramContext,
  ) {
    DiagramPanel.current = this;
    this.setHtml();
    this.subs.push(
      this.renderedEmitter,
      panel.onDidDispose(() => this.dispose()),
      panel.onDidChangeViewState((e) => {
        // hidden: the webview is gone until shown again, when it says `ready`
        if (!e.webviewPanel.visible) this.ready = false;
      }),
      panel.webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw)),
      ctx.store.onDidChange((s) => this.sendModel(s)),
      vscode.window.onDidChangeTextEditorSelection((e) => this.onSelection(e.textEditor)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('irqtopo.diagram.clusterAbove')) this.sendModel(this.ctx.store.current);
      }),
    );
  }

  private get doc(): string | undefined {
    return this.ctx.store.uri?.toString();
  }

  /** A fresh page with a fresh nonce. */
  private setHtml(): void {
    const w = this.panel.webview;
    const base = vscode.Uri.joinPath(this.ctx.context.extensionUri, 'dist', 'webview');
    this.ready = false;
    w.html = diagramHtml({
      cspSource: w.cspSource,
      nonce: makeNonce((n) => randomBytes(n)),
      scriptUri: w.asWebviewUri(vscode.Uri.joinPath(base, 'main.js')).toString(),
      workerUri: w.asWebviewUri(vscode.Uri.joinPath(base, 'layout.js')).toString(),
      codiconUri: w.asWebviewUri(vscode.Uri.joinPath(base, 'codicon.css')).toString(),
    });
  }

  post(m: HostMessage): void {
    if (!this.ready) {
      // only the newest model matters; a model carries the focus too
      if (m.type === 'model' || m.type === 'closed')
        this.pending = this.pending.filter(
          (x) => x.type !== 'model' && x.type !== 'focus' && x.type !== 'closed',
        );
      this.pending.push(m);
      return;
    }
    void this.panel.webview.postMessage(m);
  }

  private clusterAbove(uri: vscode.Uri): number {
    const v = vscode.workspace
      .getConfiguration('irqtopo', uri)
      .get<number>('diagram.clusterAbove', DEFAULT_CLUSTER_ABOVE);
    return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : DEFAULT_CLUSTER_ABOVE;
  }

  private sendModel(s: Snapshot | undefined): void {
    if (!s) {
      this.lastFocus = '';
      this.post({
        type: 'closed',
        reason: 'The topology file was closed. Open a .irqtopo file to see its routes.',
      });
      return;
    }
    const name = s.uri.path.split('/').pop() ?? s.uri.toString();
    // the title stays 'Interrupt Routes' (the webview's toolbar names the file)
    if (!s.diagram) {
      this.post({ type: 'stale', reason: s.error ? `No diagram: ${s.error}` : `No diagram for ${name}.` });
      return;
    }
    const doc = s.uri.toString();
    let f = this.ctx.focus.get(doc);
    // an interrupt that is gone after an edit is no longer chosen
    if (f && s.routes && !findRoute(s.routes, f.irq)) {
      this.ctx.focus.set(doc, null);
      f = undefined;
    }
    // nothing chosen in this file yet: the interrupt under its cursor, if any
    const e = vscode.window.activeTextEditor;
    if (!f && e && e.document.uri.toString() === doc) {
      const pos = e.selection.active;
      const line = pos.line < e.document.lineCount ? e.document.lineAt(pos.line).text : '';
      const el = elementAt(s.routes, doc, { line: pos.line, character: pos.character }, line, null, sameUri);
      if (el) this.ctx.focus.set(doc, el.irq, el.note);
      f = this.ctx.focus.get(doc);
    }
    this.lastFocus = this.focusKey(doc, this.nodeByDoc.get(doc) ?? null, f?.irq ?? null, f?.note ?? null);
    this.post({
      type: 'model',
      doc,
      diagram: s.diagram,
      routes: s.routes,
      clusterAbove: this.clusterAbove(s.uri),
      title: name,
      irq: f?.irq ?? null,
      note: f?.note ?? null,
      node: this.nodeByDoc.get(doc) ?? null,
    });
    if (s.error) this.post({ type: 'stale', reason: `Showing the last picture: ${s.error}` });
  }

  private focusKey(doc: string, node: string | null, irq: string | null, note: string | null): string {
    return [doc, node ?? '', irq ?? '', note ?? ''].join('\u0000');
  }

  /** Sends this document's focus if it changed. */
  private sendFocus(doc: string): void {
    const f = this.ctx.focus.get(doc);
    const node = this.nodeByDoc.get(doc) ?? null;
    const key = this.focusKey(doc, node, f?.irq ?? null, f?.note ?? null);
    if (key === this.lastFocus) return;
    this.lastFocus = key;
    this.post({ type: 'focus', doc, node, irq: f?.irq ?? null, note: f?.note ?? null });
  }

  /** A code lens's or the picker's interrupts: the first is shown; with several, the note says so. */
  choose(irqs: string[], device?: string): void {
    const doc = this.doc;
    // the store may have just switched documents: only that document's payload says anything
    const s = this.ctx.store.current?.uri.toString() === doc ? this.ctx.store.current : undefined;
    if (!doc || irqs.length === 0) return;
    const known = s?.routes ? irqs.filter((i) => findRoute(s.routes, i)) : irqs;
    const list = known.length ? known : irqs;
    let note: string | null = null;
    if (list.length > 1) {
      const els = s?.routes ? list.map((i) => findRoute(s.routes, i)!).filter(Boolean) : [];
      const what = els.length === list.length ? elementsText(els) : `${list.length} interrupts`;
      note = `The first of ${list.length} interrupts${device ? ` of ${device}` : ''} (${what}): choose another in the list.`;
    }
    this.ctx.focus.set(doc, list[0], note);
    this.sendFocus(doc);
  }

  onSelection(editor: vscode.TextEditor): void {
    const s = this.ctx.store.current;
    if (!s || !isTopology(editor.document)) return;
    // a file other than the followed one (the store is about to follow it): its model comes next
    if (editor.document.uri.toString() !== s.uri.toString()) return;
    const doc = s.uri.toString();
    const pos = editor.selection.active;
    const uri = editor.document.uri.toString();
    const t = targetAt(s.diagram, null, uri, pos.line, pos.character, sameUri);
    this.nodeByDoc.set(doc, t.node);
    const line = pos.line < editor.document.lineCount ? editor.document.lineAt(pos.line).text : '';
    const cur = this.ctx.focus.get(doc);
    const el = elementAt(
      s.routes,
      uri,
      { line: pos.line, character: pos.character },
      line,
      cur?.irq ?? null,
      sameUri,
    );
    if (el) this.ctx.focus.set(doc, el.irq, el.note);
    this.sendFocus(doc);
  }

  private async onMessage(raw: unknown): Promise<void> {
    const m = validateWebviewMessage(raw);
    if (typeof m === 'string') {
      this.ctx.log.appendLine(`[diagram] ignored a message from the webview: ${m}`);
      return;
    }
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.pending = this.pending.filter((x) => x.type === 'requestSvg');
        for (const p of this.pending.splice(0)) void this.panel.webview.postMessage(p);
        this.sendModel(this.ctx.store.current);
        return;
      case 'select':
        await this.select(m.irq);
        return;
      case 'pick':
        await vscode.commands.executeCommand('irqtopo.pickRoute');
        return;
      case 'offline':
        await this.takeOffline(m.cpu);
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
        this.ctx.log.appendLine(
          `[diagram] ${m.nodes} nodes, ${m.edges} edges (${m.collapsed} folded): layout ${m.layoutMs} ms, render ${m.renderMs} ms`,
        );
        this.renderedEmitter.fire(m);
        return;
      case 'error':
        this.ctx.log.appendLine(`[diagram] webview: ${m.message}`);
        return;
    }
  }

  /** The user chose an interrupt in the diagram: remember it, and show its line without leaving the diagram. */
  private async select(irq: string | null): Promise<void> {
    const doc = this.doc;
    const s = this.ctx.store.current;
    if (!doc || !s) return;
    const r = irq ? findRoute(s.routes, irq) : undefined;
    this.ctx.focus.set(doc, r ? r.irq : null);
    const f = this.ctx.focus.get(doc);
    this.lastFocus = this.focusKey(doc, this.nodeByDoc.get(doc) ?? null, f?.irq ?? null, f?.note ?? null);
    if (r) await revealRange(serverUri(r.uri), r.range, true);
  }

  /**
   * "Take CPU N offline": adds `offline N` to the followed topology, after its last `offline` (or at the
   * end), as an ordinary edit the user can undo, and shows the new line. Only for a CPU the payload has
   * and that is online.
   */
  async takeOffline(cpu: number): Promise<boolean> {
    const s = this.ctx.store.current;
    const c = s?.diagram?.cpus.find((x) => x.cpu === cpu);
    if (!s || !c) {
      this.ctx.log.appendLine(`[diagram] offline: CPU ${cpu} is not a CPU of the shown topology`);
      return false;
    }
    if (c.online === false) {
      void vscode.window.showInformationMessage(`irqtopo: CPU ${cpu} is already offline.`);
      return false;
    }
    const doc = await vscode.workspace.openTextDocument(s.uri);
    const eol = doc.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
    const ins = offlineInsertion(doc.getText(), cpu, eol);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, doc.positionAt(ins.offset), ins.text, {
      label: `Take CPU ${cpu} offline`,
      needsConfirmation: false,
    });
    if (!(await vscode.workspace.applyEdit(edit))) {
      void vscode.window.showErrorMessage(`irqtopo: could not add \`offline ${cpu}\` to ${doc.fileName}.`);
      return false;
    }
    const line = { line: ins.line, character: 0 };
    await revealRange(s.uri, { start: line, end: line }, true);
    return true;
  }

  private async reveal(m: Extract<WebviewMessage, { type: 'reveal' }>): Promise<void> {
    const s = this.ctx.store.current;
    if (!s) return;
    let target: { uri: string; range: Range } | undefined;
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
      this.ctx.log.appendLine(`[diagram] nothing to reveal for ${JSON.stringify(m).slice(0, 200)}`);
      return;
    }
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
    const s = this.ctx.store.current;
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
