// `irqtopo/import`: the VS Code commands "Import from This Machine" and "Import from Files…" run the
// importer here, in the server process, through the same typed path as `irqtopo import`
// (server/src/machine/run.ts: the shared collector, then the pure importer): the server runs where
// the files are (also in remote windows), and the result comes back typed over the protocol, with
// every problem as data (file, line, column) for the Problems panel. The request can be cancelled
// ($/cancelRequest stops the collector at its next file), and reports progress when the client
// gives a work-done token.
import {
  LSPErrorCodes,
  ResponseError,
  type Connection,
  type WorkDoneProgressReporter,
} from 'vscode-languageserver';
import { runImport as run, type ImportRequestData } from '../machine/run';
import type { Progress } from '../machine/collect';
import { ImportRequest, type ImportResultPayload } from '../protocol';
import type { Config } from './config';

/** Validates the parameters (they come from another process): a list of absolute paths and the options. */
export function importRequest(p: unknown): ImportRequestData | string {
  if (typeof p !== 'object' || p === null) return 'irqtopo/import: the parameters must be an object';
  const { paths, kernel, arch, v2 } = p as Record<string, unknown>;
  if (
    !Array.isArray(paths) ||
    paths.length > 10_000 ||
    paths.some((x) => typeof x !== 'string' || x === '' || x.length > 4096)
  )
    return 'irqtopo/import: paths must be a list of file or folder paths';
  if (kernel !== undefined && (typeof kernel !== 'string' || !/^\d{1,3}\.\d{1,3}/.test(kernel)))
    return 'irqtopo/import: kernel must be a version such as 6.8';
  if (arch !== undefined && arch !== 'x86' && arch !== 'arm64' && arch !== 'riscv')
    return 'irqtopo/import: arch must be x86, arm64 or riscv';
  if (v2 !== undefined && typeof v2 !== 'boolean') return 'irqtopo/import: v2 must be true or false';
  // a relative path would be read against the server's working folder
  for (const x of paths as string[])
    if (!x.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(x))
      return `irqtopo/import: '${x.slice(0, 200)}' is not an absolute path`;
  return { paths: paths as string[], kernel: kernel, arch: arch, v2: v2 };
}

export interface ImportHooks {
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
}

export async function runImport(p: unknown, hooks: ImportHooks = {}): Promise<ImportResultPayload> {
  const req = importRequest(p);
  if (typeof req === 'string')
    return {
      text: '',
      messages: [req],
      status: 2,
      problems: [{ file: '', line: 0, column: 1, severity: 'error', message: req }],
    };
  try {
    const r = await run(req, hooks);
    const text = r.text === '' || r.text.endsWith('\n') ? r.text : `${r.text}\n`;
    return { text, messages: r.messages, status: r.status, problems: r.problems };
  } catch (e) {
    const message = `irqtopo import: internal error: ${e instanceof Error ? e.message : String(e)}`;
    return {
      text: '',
      messages: [message],
      status: 2,
      problems: [{ file: '', line: 0, column: 1, severity: 'error', message }],
    };
  }
}

/**
 * Registered by its type. Progress goes to the client's work-done token, or to one the server
 * creates when the client supports server-initiated progress; a cancelled import (`$/cancelRequest`
 * or the progress's cancel button) is answered with RequestCancelled.
 */
export function registerImport(connection: Connection, config: Config): void {
  connection.onRequest(ImportRequest, async (p, token) => {
    const abort = new AbortController();
    const subs = [token.onCancellationRequested(() => abort.abort())];
    const workDone = typeof p === 'object' && p !== null ? p.workDoneToken : undefined;
    let progress: WorkDoneProgressReporter | undefined;
    if (typeof workDone === 'string' || typeof workDone === 'number')
      progress = connection.window.attachWorkDoneProgress(workDone);
    else if (config.workDoneProgress) {
      const created = await connection.window.createWorkDoneProgress();
      subs.push(created.token.onCancellationRequested(() => abort.abort()));
      progress = created;
    }
    progress?.begin('irqtopo: importing', undefined, undefined, true);
    try {
      const r = await runImport(p, {
        signal: abort.signal,
        onProgress: (x) => progress?.report(`${x.message} (${x.done} sources read)`),
      });
      if (abort.signal.aborted)
        return new ResponseError(LSPErrorCodes.RequestCancelled, 'irqtopo/import cancelled');
      return r;
    } finally {
      progress?.done();
      for (const s of subs) s.dispose();
    }
  });
}
