// dist/extension.js: the extension's one bundle, package.json's `main` (the Node extension host: desktop,
// code-server, a remote) and its `browser` (the web worker extension host of vscode.dev and github.dev).
// Each host loads only its own half: ./extension (the full extension, language server over node IPC)
// under Node, ./browser (the language server in a web worker) elsewhere. esbuild turns each `import()`
// below into a module that runs only when reached, so the web host never evaluates a Node module; one
// bundle rather than two ships vscode-languageclient once (the .vsix must stay under 1 MB, issue 15).

import type * as vscode from 'vscode';
import type { IrqtopoApi } from './extension';

/** The Node extension host has Node's `process`; the web worker extension host has none. */
function inNode(): boolean {
  return typeof process === 'object' && typeof process.versions?.node === 'string';
}

export async function activate(context: vscode.ExtensionContext): Promise<IrqtopoApi | undefined> {
  if (inNode()) return (await import('./extension')).activate(context);
  await (await import('./browser')).activate(context);
  return undefined;
}

export async function deactivate(): Promise<void> {
  if (inNode()) await (await import('./extension')).deactivate();
  else await (await import('./browser')).deactivate();
}
