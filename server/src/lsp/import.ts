// `irqtopo/import`: the VS Code commands "Import from This Machine" and "Import from Files…" run the
// importer here, in the server process, through the same code as `irqtopo import` (server/src/cli/import.ts):
// the importer is already bundled in the server, the server runs where the files are (also in remote
// windows), and the result comes back typed over the protocol.
import type { Connection } from 'vscode-languageserver/node';
import { importCommand, nodeImportIO } from '../cli/import';
import { ImportRequest, type ImportParams, type ImportResultPayload } from '../protocol';

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

export async function runImport(p: unknown): Promise<ImportResultPayload> {
  const args = importArgs(p);
  if (typeof args === 'string') return { text: '', messages: [args], status: 2 };
  const out: string[] = [];
  const messages: string[] = [];
  const io = await nodeImportIO({
    out: (s) => out.push(s),
    err: (s) => messages.push(...s.split('\n').filter((l) => l !== '')),
  });
  let status: number;
  try {
    status = await importCommand(args, io);
  } catch (e) {
    messages.push(`irqtopo import: ${e instanceof Error ? e.message : String(e)}`);
    status = 2;
  }
  const text = out.join('\n');
  return {
    text: text === '' || text.endsWith('\n') ? text : `${text}\n`,
    messages,
    status: status as 0 | 1 | 2,
  };
}

export function registerImport(connection: Connection): void {
  connection.onRequest(ImportRequest.method, (p: unknown) => runImport(p));
}
