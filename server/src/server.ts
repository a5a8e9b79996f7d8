// The irqtopo language server under Node. Runs over stdio (`irqtopo-language-server --stdio`, for any
// LSP editor) or over node IPC (`--node-ipc`, as vscode-languageclient starts it); the transport is
// chosen from the command line by vscode-languageserver. Started by the server bundle's entry
// (server/src/main.ts, dist/server.js) when that file is run as a program.

import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { connectionOptions } from './lsp/activity';
import { registerImport } from './lsp/import';
import { nodeHost } from './lsp/node-host';
import { SERVER_NAME, SERVER_VERSION, startServer } from './lsp/server';

export function run(): void {
  const args = process.argv.slice(2);
  if (args.includes('--version')) {
    process.stdout.write(`${SERVER_VERSION}\n`);
  } else if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(
      `usage: ${SERVER_NAME} --stdio | --node-ipc | --socket=PORT | --pipe=NAME\n` +
        'The irqtopo language server (Language Server Protocol 3.17) for *.irqtopo topology files.\n',
    );
  } else if (
    !args.some(
      (a) =>
        a === '--stdio' ||
        a === '--node-ipc' ||
        a.startsWith('--socket') ||
        a.startsWith('--pipe') ||
        a.startsWith('--clientProcessId'),
    )
  ) {
    process.stderr.write(
      `${SERVER_NAME}: choose a transport: --stdio (editors), --node-ipc (VS Code). See --help.\n`,
    );
    process.exitCode = 2;
  } else {
    startServer(
      createConnection(ProposedFeatures.all, connectionOptions),
      nodeHost,
      ({ connection, config }) => registerImport(connection, config),
    );
  }
}
