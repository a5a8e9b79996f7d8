// The VS Code client: starts the irqtopo language server (dist/server.js) for `irqtopo` documents.
// Kept small on purpose; views and the diagram are added beside it.

import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';

let client: LanguageClient | undefined;

/** What the extension returns from `activate` (tests and other parts of the client use it). */
export interface IrqtopoApi {
  readonly client: LanguageClient;
}

export async function activate(context: vscode.ExtensionContext): Promise<IrqtopoApi> {
  const module = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const watcher = vscode.workspace.createFileSystemWatcher('**/*.irqtopo');
  context.subscriptions.push(watcher);
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'irqtopo' },
      { scheme: 'untitled', language: 'irqtopo' },
    ],
    synchronize: {
      // included files change on disk: the server re-checks the files that include them
      fileEvents: watcher,
      // the server pulls `irqtopo.*` with workspace/configuration; this tells it when to pull again
      configurationSection: 'irqtopo',
    },
  };
  // The id `irqtopo` makes the client honour the `irqtopo.trace.server` setting.
  client = new LanguageClient('irqtopo', 'irqtopo Language Server', serverOptions, clientOptions);
  await client.start();
  return { client };
}

export async function deactivate(): Promise<void> {
  const c = client;
  client = undefined;
  if (c) await c.stop();
}
