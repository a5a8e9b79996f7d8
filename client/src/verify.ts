// "irqtopo: Verify Against Observations" (issue 12): asks the server for `irqtopo/verify` on a topology
// (its observed pins against a simulation without them) and shows the report in a panel beside the
// editor: the agreement per column, then the differences grouped by cause. A click (or Enter) on a
// difference reveals its irq statement. The page is rendered from the payload (shared/verify.ts); the
// only thing it sends back is the index of a difference (validated), looked up in the host's copy.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { VerifyRequest, type DocumentParams, type VerifyPayload } from '../../server/src/protocol';
import { makeNonce } from './shared/html';
import { validateVerifyMessage } from './shared/messages';
import { verifyHtml } from './shared/verify';
import { isTopology, revealRange, serverUri, type TopologyStore } from './store';

export const VERIFY_COMMAND = 'irqtopo.verify';
export const VERIFY_VIEW_TYPE = 'irqtopo.verify';

export class VerifyPanel implements vscode.Disposable {
  static current: VerifyPanel | undefined;
  private readonly subs: vscode.Disposable[] = [];
  private payload: VerifyPayload | undefined;
  private uri: vscode.Uri | undefined;
  private version = 0;
  private stale = false;

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly run: (uri: vscode.Uri) => Promise<void>,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subs.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (!this.uri || this.stale || e.document.uri.toString() !== this.uri.toString()) return;
        if (e.document.version === this.version || e.contentChanges.length === 0) return;
        this.stale = true;
        void this.panel.webview.postMessage({ type: 'stale' });
      }),
    );
  }

  /** Shows a report in the panel (created beside the editor, or reused). */
  static show(
    uri: vscode.Uri,
    version: number,
    payload: VerifyPayload,
    run: (uri: vscode.Uri) => Promise<void>,
    log: vscode.LogOutputChannel,
  ): VerifyPanel {
    let p = VerifyPanel.current;
    if (!p) {
      const panel = vscode.window.createWebviewPanel(
        VERIFY_VIEW_TYPE,
        'Verify',
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        { enableScripts: true, localResourceRoots: [] },
      );
      p = VerifyPanel.current = new VerifyPanel(panel, run, log);
    } else p.panel.reveal(undefined, true);
    p.render(uri, version, payload);
    return p;
  }

  /** The report shown (tests read it). */
  get report(): VerifyPayload | undefined {
    return this.payload;
  }

  private render(uri: vscode.Uri, version: number, payload: VerifyPayload): void {
    this.uri = uri;
    this.version = version;
    this.payload = payload;
    this.stale = false;
    const name = uri.path.split('/').pop() || uri.toString();
    this.panel.title = `Verify: ${name}`;
    this.panel.webview.html = verifyHtml(payload, {
      cspSource: this.panel.webview.cspSource,
      nonce: makeNonce((n) => randomBytes(n)),
      title: name,
      when: new Date().toLocaleTimeString(),
    });
  }

  private async onMessage(raw: unknown): Promise<void> {
    const m = validateVerifyMessage(raw, this.payload?.differences.length ?? 0);
    if (typeof m === 'string') {
      this.log.warn(`[verify] ignored a message from the page: ${m}`);
      return;
    }
    if (m.type === 'rerun') {
      if (this.uri) await this.run(this.uri);
      return;
    }
    const d = this.payload?.differences[m.index];
    if (!d?.uri || !d.range) {
      void vscode.window.showInformationMessage(
        `irqtopo: ${d?.irq ?? 'this interrupt'} has no route in the topology as it is now; run the verification again.`,
      );
      return;
    }
    await revealRange(serverUri(d.uri), d.range);
  }

  dispose(): void {
    if (VerifyPanel.current === this) VerifyPanel.current = undefined;
    for (const s of this.subs.splice(0)) s.dispose();
    this.panel.dispose();
  }
}

/** The command: verifies the given topology, else the active editor's, else the one the views follow. */
export function registerVerify(
  client: LanguageClient,
  store: TopologyStore,
  log: vscode.LogOutputChannel,
): vscode.Disposable[] {
  const run = async (uri: vscode.Uri): Promise<void> => {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    const version = doc?.version ?? 0;
    const name = uri.path.split('/').pop() || uri.toString();
    let payload: VerifyPayload | null;
    try {
      if (!client.isRunning()) throw new Error('the irqtopo language server is not running');
      payload = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `irqtopo: verifying ${name} against its observations…`,
          cancellable: true,
        },
        // by method name: vscode-languageclient bundles its own protocol package (see store.ts)
        (_, token) =>
          client.sendRequest<VerifyPayload | null>(
            VerifyRequest.method,
            { uri: uri.toString() } satisfies DocumentParams,
            token,
          ),
      );
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (/cancel/i.test(msg)) return;
      log.error(`[verify] ${name}: ${msg}`);
      void vscode.window.showErrorMessage(`irqtopo: verifying ${name} failed: ${msg}`);
      return;
    }
    if (!payload) {
      void vscode.window.showErrorMessage(`irqtopo: the language server has no analysis of ${name}.`);
      return;
    }
    log.info(
      `[verify] ${name}: ${payload.compared} interrupts compared, ${payload.differences.length} differences`,
    );
    VerifyPanel.show(uri, version, payload, run, log);
  };
  return [
    { dispose: () => VerifyPanel.current?.dispose() },
    vscode.commands.registerCommand(VERIFY_COMMAND, async (arg?: unknown) => {
      let uri = arg instanceof vscode.Uri ? arg : undefined;
      const active = vscode.window.activeTextEditor?.document;
      if (!uri && isTopology(active)) uri = active.uri;
      uri ??= store.uri;
      if (!uri) {
        void vscode.window.showInformationMessage(
          'irqtopo: open a .irqtopo file (an imported machine has observed values) to verify it.',
        );
        return;
      }
      await run(uri);
    }),
  ];
}
