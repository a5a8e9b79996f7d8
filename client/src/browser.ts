// The extension in the browser (vscode.dev, github.dev): starts the irqtopo language server in a web
// worker (dist/browser/server.js) for `irqtopo` documents and reads included files for it through the
// workspace file system (`irqtopo/readFile`). The views, the diagram and the importer need the Node
// extension (dist/extension.js); here the editor features and diagnostics work.

import * as vscode from 'vscode';
import { LanguageClient, type LanguageClientOptions } from 'vscode-languageclient/browser';
import {
  ReadFileRequest,
  type InitializationOptions,
  type ReadFileParams,
  type ReadFileResult,
} from '../../server/src/protocol';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const main = vscode.Uri.joinPath(context.extensionUri, 'dist', 'browser', 'server.js');
  const options: LanguageClientOptions = {
    documentSelector: [{ language: 'irqtopo' }],
    synchronize: { configurationSection: 'irqtopo' },
    // a function: a restart after trust is granted sends the new value
    initializationOptions: (): InitializationOptions => ({
      readFile: true,
      trustedWorkspace: vscode.workspace.isTrusted,
      rulesDocument: vscode.Uri.joinPath(context.extensionUri, 'docs', 'rules.md').toString(),
    }),
  };
  // a new worker per start (a restart after trust is granted starts a fresh one)
  const worker = () => Promise.resolve(new Worker(main.toString(true)));
  const c = new LanguageClient('irqtopo', 'irqtopo Language Server', worker, options);
  client = c;
  context.subscriptions.push(
    c.onRequest(ReadFileRequest, readFile),
    vscode.workspace.onDidGrantWorkspaceTrust(async () => {
      await c.stop();
      await c.start();
    }),
  );
  await c.start();
}

export async function deactivate(): Promise<void> {
  const c = client;
  client = undefined;
  if (c) await c.stop();
}

/** Reads an included file for the server: a regular file, at most maxBytes, as UTF-8 text. */
export async function readFile(p: ReadFileParams): Promise<ReadFileResult> {
  if (!p || typeof p.uri !== 'string' || typeof p.maxBytes !== 'number') return { error: 'bad request' };
  let uri: vscode.Uri;
  try {
    uri = vscode.Uri.parse(p.uri, true);
  } catch {
    return { error: 'is not a URI' };
  }
  try {
    const st = await vscode.workspace.fs.stat(uri);
    if (st.type & vscode.FileType.Directory) return { error: 'is a directory' };
    if (!(st.type & vscode.FileType.File)) return { error: 'is not a regular file: not read' };
    if (st.size > p.maxBytes)
      return { error: `is ${st.size} bytes; topology files are read up to ${p.maxBytes}` };
    const bytes = await vscode.workspace.fs.readFile(uri);
    if (bytes.length > p.maxBytes) return { error: `is larger than ${p.maxBytes} bytes; not read` };
    return { text: new TextDecoder().decode(bytes), stamp: `${st.mtime}:${st.size}` };
  } catch (e) {
    if (e instanceof vscode.FileSystemError && e.code === 'FileNotFound') return { error: 'no such file' };
    return { error: e instanceof Error ? e.message : String(e) };
  }
}
