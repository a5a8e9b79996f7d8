// Reading topology files from disk, for the CLI and the Node language server (one reader, one set of
// rules): only regular files, at most MAX_TOPOLOGY_BYTES, stat first and never a FIFO, device or socket
// (a read on them can block forever or never end), includes only when named *.irqtopo, and a refusal
// that says why without echoing anything of the file.

import * as fs from 'node:fs';
import * as path from 'node:path';

/** The largest topology file read (an import of a 256-CPU server with counts is a few MB). */
export const MAX_TOPOLOGY_BYTES = 4 * 1024 * 1024;

export const TOPOLOGY_EXTENSION = '.irqtopo';

export interface TopologyText {
  text: string;
  /** changes when the file changes: modification time and size */
  stamp: string;
}

export interface ReadOptions {
  /** a file named on the command line may have any name; an include must be a *.irqtopo file */
  anyName?: boolean;
  maxBytes?: number;
}

/** Why a file of this name and kind is not read, or undefined when it may be read. */
export function refusal(p: string, st: fs.Stats, options: ReadOptions = {}): string | undefined {
  const max = options.maxBytes ?? MAX_TOPOLOGY_BYTES;
  if (st.isDirectory()) return 'is a directory';
  if (st.isFIFO()) return 'is a FIFO (named pipe), not a regular file: not read';
  if (st.isSocket()) return 'is a socket, not a regular file: not read';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'is a device, not a regular file: not read';
  if (!st.isFile()) return 'is not a regular file: not read';
  if (!options.anyName && !p.endsWith(TOPOLOGY_EXTENSION))
    return `is not a topology file: only files named *${TOPOLOGY_EXTENSION} are included`;
  if (st.size > max) return `is ${mib(st.size)}; topology files are read up to ${mib(max)}`;
  return undefined;
}

function mib(n: number): string {
  return n >= 1024 * 1024 ? `${(n / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MiB` : `${n} bytes`;
}

function errnoMessage(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ENOENT') return 'no such file';
  if (err.code === 'EACCES' || err.code === 'EPERM') return 'permission denied';
  if (err.code === 'EISDIR') return 'is a directory';
  if (err.code === 'ELOOP') return 'too many symbolic links';
  return err.code ?? (err.message || String(e));
}

const O_NONBLOCK = fs.constants.O_NONBLOCK ?? 0;

/**
 * Reads a topology file: stat, then open without blocking and check the opened file again (it may
 * have been replaced in between), then read at most maxBytes. Returns an Error whose message says
 * why the file was not read; it never quotes the file's contents.
 */
export function readTopologyFile(p: string, options: ReadOptions = {}): TopologyText | Error {
  const max = options.maxBytes ?? MAX_TOPOLOGY_BYTES;
  let fd: number | undefined;
  try {
    const before = fs.statSync(p);
    const why = refusal(p, before, options);
    if (why) return new Error(why);
    // a link to another kind of file (a key, a credential, /proc/self/environ) is not read either,
    // not even named on the command line: a pull request's files checked in CI may be such links
    // (a file named on the command line may have any name, when it is the file itself)
    if (
      (!options.anyName || fs.lstatSync(p).isSymbolicLink()) &&
      !fs.realpathSync(p).endsWith(TOPOLOGY_EXTENSION)
    )
      return new Error(`is a link to a file not named *${TOPOLOGY_EXTENSION}: not read`);
    fd = fs.openSync(p, fs.constants.O_RDONLY | O_NONBLOCK);
    const st = fs.fstatSync(fd);
    const again = refusal(p, st, options);
    if (again) return new Error(again);
    const buf = Buffer.allocUnsafe(Math.min(st.size, max) + 1);
    let n = 0;
    for (;;) {
      const r = fs.readSync(fd, buf, n, buf.length - n, null);
      if (r === 0) break;
      n += r;
      if (n > max) return new Error(`grew beyond ${mib(max)} while being read; not read`);
      if (n === buf.length) break;
    }
    if (buf.subarray(0, n).includes(0)) return new Error('holds NUL bytes: a binary file, not a topology');
    return { text: buf.toString('utf8', 0, n), stamp: stampOf(st) };
  } catch (e) {
    return new Error(errnoMessage(e));
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** The path with every symbolic link resolved (the path itself when it cannot be resolved). */
export function realPath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}

function stampOf(st: fs.Stats): string {
  return `${st.mtimeMs}:${st.size}:${st.ino}`;
}

/** A stamp that changes when the file changes, disappears or is replaced (no read). */
export function fileStamp(p: string): string {
  try {
    return stampOf(fs.statSync(p));
  } catch (e) {
    return `error:${(e as NodeJS.ErrnoException).code ?? 'unknown'}`;
  }
}

const SKIP = new Set(['node_modules', '.git', 'out', 'dist', '.vscode-test']);

/** The paths of the `*.irqtopo` files under the folders, bounded in number and depth. */
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
      } else if (e.isFile() && e.name.endsWith(TOPOLOGY_EXTENSION)) out.push(path.join(dir, e.name));
    }
  };
  for (const f of folders) walk(f, 0);
  return out;
}
