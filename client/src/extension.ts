// The VS Code client: starts the irqtopo language server (dist/server.js) for `irqtopo` documents, and
// adds the Domains and Routes views, the diagram, the language status item, the import commands and
// the verify report.

import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  LanguageClient,
  State,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { SHOW_ROUTE_COMMAND, type InitializationOptions } from '../../server/src/protocol';
import { DIAGRAM_VIEW_TYPE, DiagramPanel, showRouteArgs, type DiagramContext } from './diagram';
import { openDocs, openExample } from './docs';
import { RouteFocus } from './focus';
import { registerImportCommands } from './importer';
import { pickRoute } from './picker';
import { rulesMiddleware } from './rules';
import { findRoute } from './shared/routes';
import { StatusItem } from './status';
import { isTopology, revealRange, serverUri, TopologyStore } from './store';
import { IrqtopoTaskProvider, TASK_TYPE } from './tasks';
import { VerifyPanel, registerVerify } from './verify';
import { registerViews, type Views } from './views';

let client: LanguageClient | undefined;

/** What the extension returns from `activate` (tests and other parts of the client use it). */
export interface IrqtopoApi {
  readonly client: LanguageClient;
  readonly store: TopologyStore;
  readonly views: Views;
  readonly status: StatusItem;
  /** each document's chosen interrupt */
  readonly focus: RouteFocus;
  /** the open diagram panel, if any */
  diagram(): DiagramPanel | undefined;
  /** the open verify report, if any */
  verify(): VerifyPanel | undefined;
}

export async function activate(context: vscode.ExtensionContext): Promise<IrqtopoApi> {
  // One log channel for the client, the server's stderr and logMessage, and the protocol trace
  // (`irqtopo.trace.server`); created first, with the commands that do not need a running server, so a
  // server that fails to start still leaves Show Output and Restart Server.
  const log = vscode.window.createOutputChannel('irqtopo', { log: true });
  context.subscriptions.push(log);

  const module = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'irqtopo' },
      { scheme: 'untitled', language: 'irqtopo' },
    ],
    // (the server registers a watcher for **/*.irqtopo itself: included files changed on disk)
    synchronize: {
      // the server pulls `irqtopo.*` with workspace/configuration; this tells it when to pull again
      configurationSection: 'irqtopo',
    },
    // a function: a restart after trust is granted sends the new value
    initializationOptions: (): InitializationOptions => ({
      // the code lenses run this client-side command; other clients get no lenses
      clientCommands: [SHOW_ROUTE_COMMAND],
      // in Restricted Mode the server reads no include outside the workspace folders
      trustedWorkspace: vscode.workspace.isTrusted,
    }),
    outputChannel: log,
    traceOutputChannel: log,
    // rule links open the rendered rule page. (The code lenses follow the irqtopo.codeLens settings on
    // the server, which pulls them per document and asks for the lenses again when they change.)
    middleware: { ...rulesMiddleware },
  };
  // The id `irqtopo` makes the client honour the `irqtopo.trace.server` setting.
  const c = new LanguageClient('irqtopo', 'irqtopo Language Server', serverOptions, clientOptions);
  client = c;

  // vscode-languageclient cannot start a client again after a failed start (it shows the error with a
  // button to the output itself); Restart Server then restarts the extension host, which starts afresh.
  let startFailed = false;
  const start = async (): Promise<void> => {
    try {
      await c.start();
    } catch (e) {
      startFailed = true;
      log.error(`the language server did not start: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  context.subscriptions.push(
    vscode.commands.registerCommand('irqtopo.showOutput', () => log.show(true)),
    vscode.commands.registerCommand('irqtopo.restartServer', async () => {
      if (startFailed) {
        log.info('the language server failed to start: restarting the extension host');
        await vscode.commands.executeCommand('workbench.action.restartExtensionHost');
        return;
      }
      log.info('restarting the language server');
      if (c.state === State.Starting) await c.start();
      if (c.state === State.Running) await c.restart();
      else await start();
    }),
    vscode.commands.registerCommand('irqtopo.openDocs', (file?: unknown, anchor?: unknown) =>
      openDocs(context, file, anchor),
    ),
    vscode.commands.registerCommand('irqtopo.openExample', (name?: unknown) => openExample(context, name)),
    // trust granted: the server may now read includes outside the workspace folders
    vscode.workspace.onDidGrantWorkspaceTrust(async () => {
      if (c.state === State.Running) await c.restart();
    }),
    vscode.tasks.registerTaskProvider(
      TASK_TYPE,
      new IrqtopoTaskProvider(context.asAbsolutePath(path.join('dist', 'cli.js')), log),
    ),
  );

  const store = new TopologyStore(c);
  const focus = new RouteFocus();
  const views = registerViews(store);
  const status = new StatusItem(c, store);
  const ctx: DiagramContext = { context, store, log, focus };
  const openDiagram = (irqs: string[] = [], uri?: vscode.Uri): DiagramPanel | undefined => {
    if (uri) store.follow(uri);
    else if (isTopology(vscode.window.activeTextEditor?.document))
      store.follow(vscode.window.activeTextEditor.document.uri);
    if (!store.uri) {
      void vscode.window.showInformationMessage('irqtopo: open a .irqtopo file to see its interrupt routes.');
      return undefined;
    }
    return DiagramPanel.show(ctx, irqs);
  };
  context.subscriptions.push(
    store,
    focus,
    views,
    status,
    { dispose: () => DiagramPanel.current?.dispose() },
    // after a window reload VS Code hands the diagram panel back, with the webview's saved state
    vscode.window.registerWebviewPanelSerializer(DIAGRAM_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state: unknown) => {
        await DiagramPanel.revive(ctx, panel, state);
      },
    }),
    vscode.commands.registerCommand('irqtopo.showRoutes', () => openDiagram()),
    vscode.commands.registerCommand(SHOW_ROUTE_COMMAND, (arg: unknown) => {
      const a = showRouteArgs(arg);
      return openDiagram(a?.irqs ?? [], a ? serverUri(a.uri) : undefined);
    }),
    vscode.commands.registerCommand('irqtopo.pickRoute', async () => {
      const picked = await pickRoute(store);
      if (!picked) return;
      const p = openDiagram([picked.irq], picked.uri);
      const r = findRoute(store.current?.routes ?? null, picked.irq);
      if (p && r) await revealRange(serverUri(r.uri), r.range, true);
    }),
    vscode.commands.registerCommand('irqtopo.refresh', () => store.refresh()),
    vscode.commands.registerCommand('irqtopo.exportDiagramSvg', () => {
      const p = DiagramPanel.current ?? openDiagram();
      if (!p) return;
      p.post({ type: 'requestSvg' });
    }),
    ...registerImportCommands(c, log),
    ...registerVerify(c, store, log),
  );
  await start();
  return {
    client: c,
    store,
    views,
    status,
    focus,
    diagram: () => DiagramPanel.current,
    verify: () => VerifyPanel.current,
  };
}

export async function deactivate(): Promise<void> {
  const c = client;
  client = undefined;
  if (c) await c.stop();
}
