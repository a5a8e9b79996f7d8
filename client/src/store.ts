// The topology the client shows: the server's payloads (`irqtopo/domainTree`, `irqtopo/routes`,
// `irqtopo/diagram`) for the irqtopo document the user works on. One fetch feeds the two views, the
// diagram and the status item. It follows the active editor (and keeps the last irqtopo document while
// another kind of editor or the diagram has the focus), and refetches after edits, debounced.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  DiagramRequest,
  DomainTreeRequest,
  RoutesRequest,
  type Diagram,
  type DocumentParams,
  type DomainTree,
  type Routes,
} from '../../server/src/protocol';

export interface Snapshot {
  uri: vscode.Uri;
  /** the document version the payloads were asked for */
  version: number;
  tree: DomainTree | null;
  routes: Routes | null;
  diagram: Diagram | null;
  /** why nothing came back (the server failed or is not running) */
  error: string | null;
}

export function isTopology(doc: vscode.TextDocument | undefined): doc is vscode.TextDocument {
  return !!doc && doc.languageId === 'irqtopo';
}

export class TopologyStore implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<Snapshot | undefined>();
  /** fires after every fetch, and with undefined when the followed document is closed */
  readonly onDidChange = this.emitter.event;
  private readonly subs: vscode.Disposable[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private seq = 0;
  private followed: vscode.Uri | undefined;
  current: Snapshot | undefined;

  constructor(private readonly client: LanguageClient) {
    this.subs.push(
      this.emitter,
      vscode.window.onDidChangeActiveTextEditor((e) => {
        if (isTopology(e?.document)) this.follow(e.document.uri);
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (
          this.followed &&
          e.document.uri.toString() === this.followed.toString() &&
          e.contentChanges.length
        )
          this.schedule(this.delay());
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (this.followed && d.uri.toString() === this.followed.toString()) {
          const next = vscode.window.visibleTextEditors.find((x) => isTopology(x.document));
          if (next) this.follow(next.document.uri);
          else {
            this.followed = undefined;
            this.current = undefined;
            this.seq++;
            this.emitter.fire(undefined);
          }
        }
      }),
      // an included file changed, or the server finished checking: the analysis may be newer
      vscode.languages.onDidChangeDiagnostics((e) => {
        if (this.followed && e.uris.some((u) => u.toString() === this.followed!.toString()))
          this.schedule(this.delay());
      }),
    );
    const e = vscode.window.activeTextEditor;
    if (isTopology(e?.document)) this.follow(e.document.uri);
    else {
      const v = vscode.window.visibleTextEditors.find((x) => isTopology(x.document));
      if (v) this.follow(v.document.uri);
    }
  }

  get uri(): vscode.Uri | undefined {
    return this.followed;
  }

  private delay(): number {
    const v = vscode.workspace.getConfiguration('irqtopo').get<number>('diagram.updateDelay', 300);
    return typeof v === 'number' && v >= 0 ? v : 300;
  }

  follow(uri: vscode.Uri): void {
    if (this.followed?.toString() === uri.toString() && this.current) return;
    this.followed = uri;
    this.schedule(0);
  }

  /** Fetches now (returns when the snapshot is there). */
  refresh(): Promise<Snapshot | undefined> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    return this.fetch();
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.fetch();
    }, ms);
  }

  private async fetch(): Promise<Snapshot | undefined> {
    const uri = this.followed;
    if (!uri) return undefined;
    const seq = ++this.seq;
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    const version = doc?.version ?? 0;
    const params: DocumentParams = { uri: uri.toString() };
    let snap: Snapshot;
    try {
      if (!this.client.isRunning()) throw new Error('the irqtopo language server is not running');
      // by method name: vscode-languageclient bundles its own protocol package (see server/src/lsp/server.ts)
      const [tree, routes, diagram] = await Promise.all([
        this.client.sendRequest<DomainTree | null>(DomainTreeRequest.method, params),
        this.client.sendRequest<Routes | null>(RoutesRequest.method, params),
        this.client.sendRequest<Diagram | null>(DiagramRequest.method, params),
      ]);
      snap = { uri, version, tree, routes, diagram, error: null };
    } catch (e) {
      snap = {
        uri,
        version,
        tree: this.current?.tree ?? null,
        routes: this.current?.routes ?? null,
        diagram: this.current?.diagram ?? null,
        error: e instanceof Error ? e.message : String(e),
      };
    }
    if (seq !== this.seq) return this.current; // a newer fetch is on its way
    this.current = snap;
    this.emitter.fire(snap);
    return snap;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const s of this.subs) s.dispose();
  }
}

/** Opens `uri` at `range` in the editor column that already shows it (not in the diagram's column). */
export async function revealRange(
  uri: vscode.Uri,
  range: { start: { line: number; character: number }; end: { line: number; character: number } },
  preserveFocus = false,
): Promise<vscode.TextEditor> {
  const r = new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
  const shown = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
  const column =
    shown?.viewColumn ??
    vscode.window.visibleTextEditors.find((e) => isTopology(e.document))?.viewColumn ??
    vscode.ViewColumn.One;
  const doc = await vscode.workspace.openTextDocument(uri);
  const editor = await vscode.window.showTextDocument(doc, {
    viewColumn: column,
    selection: new vscode.Range(r.start, r.start),
    preserveFocus,
  });
  editor.revealRange(r, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  return editor;
}

/** A URI the server wrote (its own spelling) as a vscode.Uri. */
export function serverUri(s: string): vscode.Uri {
  return /^[a-z][a-z0-9+.-]*:/i.test(s) && !/^[A-Za-z]:[\\/]/.test(s)
    ? vscode.Uri.parse(s)
    : vscode.Uri.file(s);
}

export function sameUri(a: string, b: string): boolean {
  return a === b || serverUri(a).toString() === serverUri(b).toString();
}
