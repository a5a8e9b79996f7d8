// File access for the language server: URIs <-> paths, reading files from disk, and finding the
// topology files of the workspace folders.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** One spelling per file URI (`file:///a%20b.irqtopo` and `file:///a b.irqtopo` are one file). */
export function canonical(uri: string): string {
  if (!uri.startsWith('file://')) return uri;
  try {
    return pathToFileURL(fileURLToPath(uri)).href;
  } catch {
    return uri;
  }
}

export function toPath(uri: string): string | undefined {
  if (uri.startsWith('file://')) {
    try {
      return fileURLToPath(uri);
    } catch {
      return undefined;
    }
  }
  return uri.startsWith('/') ? uri : undefined;
}

export interface DiskFile {
  text: string;
  mtime: number;
  size: number;
}

export function readDisk(uri: string): DiskFile | Error {
  const p = toPath(uri);
  if (!p) return new Error(`cannot read ${uri}: not a file`);
  try {
    const st = fs.statSync(p);
    if (st.isDirectory()) return new Error('is a directory');
    return { text: fs.readFileSync(p, 'utf8'), mtime: st.mtimeMs, size: st.size };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return new Error(err.code === 'ENOENT' ? 'no such file' : (err.message ?? String(e)));
  }
}

/** A stamp that changes when the file changes (or disappears). */
export function diskStamp(uri: string): string {
  const p = toPath(uri);
  if (!p) return 'none';
  try {
    const st = fs.statSync(p);
    return `${st.mtimeMs}:${st.size}`;
  } catch {
    return 'missing';
  }
}

const SKIP = new Set(['node_modules', '.git', 'out', 'dist', '.vscode-test']);

/** The `*.irqtopo` files under the folders, bounded. */
export function findTopologyFiles(folders: readonly string[], max = 5000): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (out.length >= max || depth > 20) return;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (out.length >= max) return;
      if (e.isDirectory()) {
        if (!SKIP.has(e.name) && !e.name.startsWith('.')) walk(path.join(dir, e.name), depth + 1);
      } else if (e.isFile() && e.name.endsWith('.irqtopo'))
        out.push(pathToFileURL(path.join(dir, e.name)).href);
    }
  };
  for (const f of folders) {
    const p = toPath(f);
    if (p) walk(p, 0);
  }
  return out;
}
