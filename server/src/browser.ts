// The irqtopo language server in a web worker (vscode.dev, github.dev): the same adapter and pure
// core as the Node server, over the worker's messages. There is no file system here: included files
// are read by the client (`irqtopo/readFile`), and the import request is not offered. Started by the
// server bundle's entry (server/src/main.ts, dist/server.js) when that file runs in a worker.

import { BrowserMessageReader, BrowserMessageWriter, createConnection } from 'vscode-languageserver/browser';
import { connectionOptions } from './lsp/activity';
import { browserHost } from './lsp/browser-host';
import { startServer } from './lsp/server';

/** the worker's global scope (the DOM library has no WebWorker types here) */
declare const self: ConstructorParameters<typeof BrowserMessageReader>[0];

export function run(): void {
  const connection = createConnection(
    new BrowserMessageReader(self),
    new BrowserMessageWriter(self),
    connectionOptions,
  );
  startServer(connection, browserHost);
}
