// The VS Code client: starts the irqtopo language server (dist/server.js) for `irqtopo` documents, and
// adds the Domains and Routes views, the diagram, the language status item and the import commands.

import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { SHOW_ROUTE_COMMAND, type InitializationOptions } from '../../server/src/protocol';
import { DiagramPanel, showRouteArgs } from './diagram';
import { registerImportCommands } from './importer';
import { StatusItem } from './status';
import { isTopology, serverUri, TopologyStore } from './store';
import { registerViews, type Views } from './views';

let client: LanguageClient | undefined;

/** What the extension returns from `activate` (tests and other parts of the client use it). */
export interface IrqtopoApi {
  readonly client: LanguageClient;
  readonly store: TopologyStore;
  readonly views: Views;
  readonly status: StatusItem;
  /** the open diagram panel, if any */
  diagram(): DiagramPanel | undefined;
}

export async function activate(context: vscode.ExtensionContext): Promise<IrqtopoApi> {
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
  };
  // The id `irqtopo` makes the client honour the `irqtopo.trace.server` setting.
  client = new LanguageClient('irqtopo', 'irqtopo Language Server', serverOptions, clientOptions);
  const c = client;
  context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(() => void c.restart()));
  await c.start();

  const log = vscode.window.createOutputChannel('irqtopo');
  const store = new TopologyStore(c);
  const views = registerViews(store);
  const status = new StatusItem(c, store);
  const openDiagram = (irqs: string[] = [], uri?: vscode.Uri): DiagramPanel | undefined => {
    if (uri) store.follow(uri);
    else if (isTopology(vscode.window.activeTextEditor?.document))
      store.follow(vscode.window.activeTextEditor.document.uri);
    if (!store.uri) {
      void vscode.window.showInformationMessage('irqtopo: open a .irqtopo file to see its interrupt routes.');
      return undefined;
    }
    return DiagramPanel.show(context, store, log, irqs);
  };
  context.subscriptions.push(
    log,
    store,
    views,
    status,
    { dispose: () => DiagramPanel.current?.dispose() },
    vscode.commands.registerCommand('irqtopo.showRoutes', () => openDiagram()),
    vscode.commands.registerCommand(SHOW_ROUTE_COMMAND, (arg: unknown) => {
      const a = showRouteArgs(arg);
      return openDiagram(a?.irqs ?? [], a ? serverUri(a.uri) : undefined);
    }),
    vscode.commands.registerCommand('irqtopo.refresh', () => store.refresh()),
    vscode.commands.registerCommand('irqtopo.exportDiagramSvg', () => {
      const p = DiagramPanel.current ?? openDiagram();
      if (!p) return;
      p.post({ type: 'requestSvg' });
    }),
    ...registerImportCommands(c, log),
  );
  return { client: c, store, views, status, diagram: () => DiagramPanel.current };
}

export async function deactivate(): Promise<void> {
  const c = client;
  client = undefined;
  if (c) await c.stop();
}
