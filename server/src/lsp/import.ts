// `irqtopo/import`: the VS Code commands "Import from This Machine" and "Import from Files…" run the
// importer here, in the server process, through the same code as `irqtopo import` (server/src/cli/import.ts):
// the importer is already bundled in the server, the server runs where the files are (also in remote
// windows), and the result comes back typed over the protocol.
import {
  LSPErrorCodes,
  ResponseError,
  type Connection,
  type WorkDoneProgressReporter,
} from 'vscode-languageserver';
import { importCommand, nodeImportIO, type ImportIO } from '../cli/import';
import { ImportRequest, type ImportParams, type ImportResultPayload } from '../protocol';
import type { Config } from './config';

/** Validates the parameters (they come from another process): a list of absolute paths and two options. */
export function importArgs(p: unknown): string[] | string {
  if (typeof p !== 'object' || p === null) return 'irqtopo/import: the parameters must be an object';
  const { paths, kernel, arch } = p as Partial<Record<keyof ImportParams, unknown>>;
  if (!Array.isArray(paths) || paths.some((x) => typeof x !== 'string' || x === ''))
    return 'irqtopo/import: paths must be a list of file or folder paths';
  const args: string[] = [];
  if (kernel !== undefined) {
    if (typeof kernel !== 'string') return 'irqtopo/import: kernel must be a string such as 6.8';
    args.push('--kernel', kernel);
  }
  if (arch !== undefined) {
    if (typeof arch !== 'string') return 'irqtopo/import: arch must be x86, arm64 or riscv';
    args.push('--arch', arch);
  }
  // a relative path or one starting with '-' would be read as an option or against the server's cwd
  for (const x of paths as string[]) {
    if (!x.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(x))
      return `irqtopo/import: '${x}' is not an absolute path`;
    args.push(x);
  }
  return args;
}

/** Progress and cancellation for an import (the importer may take them too: `ImportIO & ImportHooks`). */
export interface ImportHooks {
  /** a line of progress: what is being read; a percentage when the total is known */
  progress?(message: string, percentage?: number): void;
  signal?: AbortSignal;
}

class Cancelled extends Error {}

export async function runImport(p: unknown, hooks: ImportHooks = {}): Promise<ImportResultPayload> {
  const args = importArgs(p);
  if (typeof args === 'string') return { text: '', messages: [args], status: 2 };
  const out: string[] = [];
  const messages: string[] = [];
  const base = await nodeImportIO({
    out: (s) => out.push(s),
    err: (s) => messages.push(...s.split('\n').filter((l) => l !== '')),
  });
  const check = () => {
    if (hooks.signal?.aborted) throw new Cancelled('cancelled');
  };
  let files = 0;
  // every read reports itself and stops a cancelled import (until the importer reports on its own)
  const io: ImportIO & ImportHooks = {
    ...base,
    ...hooks,
    readFile: async (path) => {
      check();
      hooks.progress?.(`reading ${path} (${++files} file${files === 1 ? '' : 's'})`);
      const text = await base.readFile(path);
      check();
      return text;
    },
    readDir: async (path) => {
      check();
      return base.readDir(path);
    },
  };
  let status: number;
  try {
    status = await importCommand(args, io);
  } catch (e) {
    if (e instanceof Cancelled) throw e;
    messages.push(`irqtopo import: ${e instanceof Error ? e.message : String(e)}`);
    status = 2;
  }
  check();
  const text = out.join('\n');
  return {
    text: text === '' || text.endsWith('\n') ? text : `${text}\n`,
    messages,
    status: status as 0 | 1 | 2,
  };
}

/**
 * `irqtopo/import` with work-done progress (the client's token, or one the server creates when the
 * client supports it) and cancellation (`$/cancelRequest`, or the progress's cancel button).
 */
export function registerImport(connection: Connection, config: Config): void {
  connection.onRequest(ImportRequest, async (p, token) => {
    const controller = new AbortController();
    const subs = [token.onCancellationRequested(() => controller.abort())];
    let reporter: WorkDoneProgressReporter | undefined;
    if (p && typeof p === 'object' && p.workDoneToken !== undefined)
      reporter = connection.window.attachWorkDoneProgress(p.workDoneToken);
    else if (config.workDoneProgress) {
      const created = await connection.window.createWorkDoneProgress();
      subs.push(created.token.onCancellationRequested(() => controller.abort()));
      reporter = created;
    }
    reporter?.begin('irqtopo: importing', undefined, 'starting', true);
    try {
      return await runImport(p, {
        signal: controller.signal,
        progress: (message, percentage) =>
          percentage === undefined ? reporter?.report(message) : reporter?.report(percentage, message),
      });
    } catch (e) {
      if (e instanceof Cancelled || controller.signal.aborted)
        return new ResponseError(LSPErrorCodes.RequestCancelled, 'irqtopo/import cancelled');
      return new ResponseError(
        LSPErrorCodes.RequestFailed,
        `irqtopo/import failed: ${e instanceof Error ? e.message : String(e)}`,
      );
    } finally {
      reporter?.done();
      for (const s of subs) s.dispose();
    }
  });
}
