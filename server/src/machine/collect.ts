// The Node-side input collector, shared by `irqtopo capture`, `irqtopo import` and the language
// server's `irqtopo/import` request: reads this machine's sources into a capture bundle, or the files
// and folders a user names. Every read has a budget, only regular files are read (stat first, then
// open non-blocking and fstat again: no FIFO, socket or device can block it), and the one device read,
// /dev/kmsg for the kernel log, is opened non-blocking and read until it has no more records.
// Progress is reported through a callback and the work stops at the next file when the signal aborts.

import { constants, promises as fsp } from 'node:fs';
import * as zlib from 'node:zlib';
import {
  BUNDLE_FIRST_LINE,
  CPUINFO,
  CPU_GLOBS,
  DEBUGFS,
  DEBUGFS_GLOBS,
  DEBUGFS_IRQ,
  DMESG_PATTERNS,
  DMESG_SECTION,
  FIXED_FILES,
  PER_DIR,
  REASON,
} from './sources';

export interface Budget {
  /** the largest file read whole (a /proc/interrupts of 8,192 CPUs and 1,000 irqs is about 90 MB) */
  fileBytes: number;
  /** all files together */
  totalBytes: number;
  /** files (and folder listings) read */
  files: number;
  /** folder depth when walking a folder the user names */
  depth: number;
}

export const DEFAULT_BUDGET: Budget = {
  fileBytes: 128 << 20,
  totalBytes: 512 << 20,
  files: 200_000,
  depth: 8,
};

export interface Progress {
  message: string;
  /** sources read so far */
  done: number;
}

export interface CollectHooks {
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  budget?: Partial<Budget>;
  /** a folder holding a copy of the machine's files (tests): read ROOT/proc/... for /proc/...; the bundle keeps the real paths */
  root?: string;
}

export class CollectAborted extends Error {
  constructor() {
    super('cancelled');
  }
}

export interface Section {
  path: string;
  text?: string;
  unreadable?: string;
}

export interface Capture {
  sections: Section[];
  /** explanations the shell script cannot give (they are not in the bundle): e.g. the kernel config */
  notes: string[];
}

class Reading {
  bytes = 0;
  files = 0;
  readonly budget: Budget;
  readonly root: string;
  constructor(readonly hooks: CollectHooks) {
    this.budget = { ...DEFAULT_BUDGET, ...hooks.budget };
    this.root = (hooks.root ?? '').replace(/\/+$/, '');
  }
  check(): void {
    if (this.hooks.signal?.aborted) throw new CollectAborted();
  }
  progress(message: string): void {
    this.hooks.onProgress?.({ message, done: this.files });
  }
}

function reasonOf(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return REASON.noFile;
  if (code === 'EACCES' || code === 'EPERM') return REASON.denied;
  if (code === 'EISDIR') return REASON.notRegular;
  return REASON.readError;
}

const NONBLOCK = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/** Reads a regular file within the budget; never blocks, never reads a device, FIFO or socket. */
export async function readRegular(
  path: string,
  r: Reading,
): Promise<{ text: string } | { unreadable: string }> {
  r.check();
  if (r.files >= r.budget.files)
    return { unreadable: `not read: the budget of ${r.budget.files} files is used up` };
  r.files++;
  let st;
  try {
    st = await fsp.stat(path);
  } catch (e) {
    return { unreadable: reasonOf(e) };
  }
  if (!st.isFile()) return { unreadable: REASON.notRegular };
  let fh;
  try {
    fh = await fsp.open(path, NONBLOCK);
  } catch (e) {
    return { unreadable: reasonOf(e) };
  }
  try {
    if (!(await fh.stat()).isFile()) return { unreadable: REASON.notRegular };
    const limit = Math.min(r.budget.fileBytes, r.budget.totalBytes - r.bytes);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      r.check();
      const buf = Buffer.allocUnsafe(1 << 16);
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > limit)
        return {
          unreadable:
            limit < r.budget.fileBytes
              ? `not read: the capture budget of ${r.budget.totalBytes} bytes is used up`
              : `larger than the budget of ${r.budget.fileBytes} bytes for one file`,
        };
      chunks.push(buf.subarray(0, bytesRead));
    }
    r.bytes += total;
    return { text: Buffer.concat(chunks).toString('utf8') };
  } catch (e) {
    if (e instanceof CollectAborted) throw e;
    return { unreadable: REASON.readError };
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/** The entries of a folder, sorted bytewise (as the shell's globs under LC_ALL=C), without dotfiles. */
async function names(dir: string): Promise<string[] | undefined> {
  try {
    const list = await fsp.readdir(dir);
    return list.filter((n) => !n.startsWith('.')).sort(bytewise);
  } catch {
    return undefined;
  }
}

/** UTF-8 byte order, as `LC_ALL=C` sorts. */
export function bytewise(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await fsp.stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await fsp.stat(path);
    return true;
  } catch {
    return false;
  }
}

async function canSearch(path: string): Promise<boolean> {
  try {
    await fsp.access(path, constants.R_OK | constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `DIR/*\/` as the shell expands it: the sub-folders (symlinks to folders included), sorted by `name/`. */
async function globDirs(dir: string, root: string): Promise<string[]> {
  const list = (await names(root + dir)) ?? [];
  const out: string[] = [];
  for (const n of list) if (await isDir(root + dir + n)) out.push(`${dir}${n}/`);
  return out.sort(bytewise);
}

/** Text with its trailing newlines folded into one, as `printf '%s\n' "$(cat FILE)"` writes it. */
export function folded(text: string): string {
  return `${text.replace(/\n+$/, '')}\n`;
}

class Capturer {
  readonly sections: Section[] = [];
  readonly notes: string[] = [];
  constructor(readonly r: Reading) {}

  /** where a machine path is read from (the machine itself, or a test's copy) */
  private at(path: string): string {
    return this.r.root + path;
  }

  async one(path: string, optional: boolean): Promise<void> {
    const res = await readRegular(this.at(path), this.r);
    if ('unreadable' in res) {
      if (optional && res.unreadable === REASON.noFile) return;
      this.sections.push({ path, unreadable: res.unreadable });
    } else this.sections.push({ path, text: folded(res.text) });
  }

  async listing(dir: string): Promise<void> {
    this.r.check();
    if (!(await isDir(this.at(dir)))) return;
    this.r.files++;
    const list = await names(this.at(dir));
    if (list === undefined) this.sections.push({ path: `${dir}/`, unreadable: REASON.denied });
    else this.sections.push({ path: `${dir}/`, text: list.length ? `${list.join('\n')}\n` : '' });
  }

  async run(): Promise<Capture> {
    for (const f of FIXED_FILES) await this.one(f, false);
    this.r.progress('CPUs and nodes');
    for (const g of CPU_GLOBS) {
      const list = ((await names(this.at(g.dir))) ?? []).filter((n) => n.startsWith(g.prefix));
      const paths = list.map((n) => `${g.dir}${n}/${g.file}`).sort(bytewise);
      for (const p of paths) await this.one(p, true);
    }
    await this.cpuinfo();
    for (const d of PER_DIR) {
      this.r.progress(d.dir);
      for (const dir of await globDirs(d.dir, this.r.root)) {
        for (const f of d.files) await this.one(dir + f, true);
        for (const g of d.globs ?? [])
          for (const n of (await names(this.at(dir + g))) ?? []) await this.one(dir + g + n, true);
        for (const l of d.listings ?? []) await this.listing(dir + l);
      }
    }
    this.r.progress(DEBUGFS_IRQ);
    await this.debugfs();
    this.r.progress('the kernel log');
    await this.dmesg();
    return { sections: this.sections, notes: this.notes };
  }

  async cpuinfo(): Promise<void> {
    const res = await readRegular(this.at(CPUINFO.path), this.r);
    if ('unreadable' in res) {
      this.sections.push({ path: CPUINFO.path, unreadable: res.unreadable });
      return;
    }
    const kept = res.text.split('\n').filter((l) => CPUINFO.keep.some((k) => l.startsWith(k)));
    this.sections.push({ path: CPUINFO.path, text: kept.length ? `${kept.join('\n')}\n` : '' });
  }

  /** debugfs irq/: every domains/ and irqs/ file, or the real reason it cannot be read. */
  async debugfs(): Promise<void> {
    const dir = `${DEBUGFS_IRQ}/`;
    if (await isDir(this.at(DEBUGFS_IRQ))) {
      if (!(await canSearch(this.at(`${DEBUGFS_IRQ}/irqs`)))) {
        this.sections.push({ path: dir, unreadable: REASON.debugfsIrqRoot });
        return;
      }
      for (const g of DEBUGFS_GLOBS)
        for (const n of (await names(this.at(dir + g))) ?? []) await this.one(dir + g + n, true);
      return;
    }
    if ((await isDir(this.at(DEBUGFS))) && !(await canSearch(this.at(DEBUGFS)))) {
      this.sections.push({ path: dir, unreadable: REASON.debugfsRoot });
      return;
    }
    const mounts = await readRegular(this.at('/proc/self/mounts'), this.r);
    const mounted =
      'text' in mounts &&
      mounts.text.split('\n').some((l) => {
        const f = l.split(' ');
        return f[1] === DEBUGFS && f[2] === 'debugfs';
      });
    this.sections.push({ path: dir, unreadable: mounted ? REASON.noIrqDebugfs : REASON.debugfsNotMounted });
    if (!mounted) {
      const cfg = await kernelConfig(this.r);
      if (cfg?.irqDebugfs === false)
        this.notes.push(
          `this kernel is built without CONFIG_GENERIC_IRQ_DEBUGFS (${cfg.source}): mounting debugfs will not add /sys/kernel/debug/irq`,
        );
    }
  }

  /** The kernel log lines about the APIC driver and the IR units, from /dev/kmsg (non-blocking). */
  async dmesg(): Promise<void> {
    this.r.check();
    const lines: string[] = [];
    let fh;
    try {
      const st = await fsp.stat(this.at('/dev/kmsg'));
      if (!st.isCharacterDevice()) throw Object.assign(new Error('not a device'), { code: 'ENOENT' });
      fh = await fsp.open(this.at('/dev/kmsg'), NONBLOCK);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      this.sections.push({
        path: DMESG_SECTION,
        unreadable: code === 'EACCES' || code === 'EPERM' ? REASON.dmesgDenied : REASON.noDmesg,
      });
      return;
    }
    try {
      let bytes = 0;
      const buf = Buffer.allocUnsafe(1 << 13);
      for (;;) {
        this.r.check();
        let n: number;
        try {
          n = (await fh.read(buf, 0, buf.length, null)).bytesRead;
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'EPIPE') continue; // records overwritten while reading: go on with the next
          break; // EAGAIN: no more records
        }
        if (n === 0) break;
        bytes += n;
        if (bytes > this.r.budget.fileBytes) break;
        const rec = buf.subarray(0, n).toString('utf8');
        const semi = rec.indexOf(';');
        if (semi < 0) continue;
        const fields = rec.slice(0, semi).split(',');
        const usec = Number(fields[2]);
        const msg = rec.slice(semi + 1).split('\n')[0];
        if (!DMESG_PATTERNS.some((p) => msg.includes(p)) || !Number.isFinite(usec)) continue;
        const sec = Math.floor(usec / 1e6);
        lines.push(`[${String(sec).padStart(5)}.${String(usec % 1e6).padStart(6, '0')}] ${msg}`);
      }
    } finally {
      await fh.close().catch(() => undefined);
    }
    this.sections.push({ path: DMESG_SECTION, text: lines.length ? `${lines.join('\n')}\n` : '' });
  }
}

/** Reads this machine's sources into a capture (Linux). */
export async function captureMachine(hooks: CollectHooks = {}): Promise<Capture> {
  const r = new Reading(hooks);
  return new Capturer(r).run();
}

/** The bundle text of a capture, and the first line (1-based) of each section's body. */
export function formatBundle(c: Capture): { text: string; bodyLine: Map<string, number> } {
  const out: string[] = [BUNDLE_FIRST_LINE];
  const bodyLine = new Map<string, number>();
  for (const s of c.sections) {
    out.push(`==> ${s.path} <==`);
    bodyLine.set(s.path, out.length + 1);
    if (s.unreadable !== undefined) out.push(`!! unreadable: ${s.unreadable}`);
    else if (s.text) out.push(s.text.replace(/\n$/, ''));
  }
  return { text: `${out.join('\n')}\n`, bodyLine };
}

/** Whether the kernel is built with CONFIG_GENERIC_IRQ_DEBUGFS, from /proc/config.gz or /boot/config-<release>. */
export async function kernelConfig(r: Reading): Promise<{ irqDebugfs: boolean; source: string } | undefined> {
  const look = (text: string, source: string): { irqDebugfs: boolean; source: string } | undefined => {
    if (/^CONFIG_GENERIC_IRQ_DEBUGFS=y$/m.test(text)) return { irqDebugfs: true, source };
    if (/^# CONFIG_GENERIC_IRQ_DEBUGFS is not set$/m.test(text)) return { irqDebugfs: false, source };
    return undefined;
  };
  try {
    const st = await fsp.stat(`${r.root}/proc/config.gz`);
    if (st.isFile() && st.size < 4 << 20) {
      const gz = await fsp.readFile(`${r.root}/proc/config.gz`);
      const text = zlib.gunzipSync(gz, { maxOutputLength: 16 << 20 }).toString('utf8');
      const found = look(text, '/proc/config.gz');
      if (found) return found;
    }
  } catch {
    // not there, or not readable: try /boot
  }
  const rel = await readRegular(`${r.root}/proc/sys/kernel/osrelease`, r);
  if ('text' in rel) {
    const p = `/boot/config-${rel.text.trim()}`;
    const cfg = await readRegular(r.root + p, r);
    if ('text' in cfg) return look(cfg.text, p);
  }
  return undefined;
}

export interface Collected {
  inputs: { name: string; text: string }[];
  /** paths that could not be read, with the reason */
  failures: { path: string; reason: string }[];
}

/** Reads the files and folders a user names (folders recursively, within the budget). */
export async function readPaths(paths: readonly string[], hooks: CollectHooks = {}): Promise<Collected> {
  const r = new Reading(hooks);
  const out: Collected = { inputs: [], failures: [] };
  const seen = new Set<string>();
  const walk = async (dir: string, depth: number): Promise<void> => {
    r.check();
    let st;
    try {
      st = await fsp.stat(dir);
    } catch (e) {
      out.failures.push({ path: dir, reason: reasonOf(e) });
      return;
    }
    const key = `${st.dev}:${st.ino}`;
    if (seen.has(key)) return; // a symlink loop, or the same folder named twice
    seen.add(key);
    if (depth > r.budget.depth) {
      out.failures.push({ path: dir, reason: `deeper than ${r.budget.depth} folders: not read` });
      return;
    }
    const list = await names(dir);
    if (list === undefined) {
      out.failures.push({ path: dir, reason: REASON.denied });
      return;
    }
    list.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    r.progress(dir);
    for (const n of list) {
      const p = `${dir.replace(/\/+$/, '')}/${n}`;
      if (await isDir(p)) await walk(p, depth + 1);
      else await file(p, true);
    }
  };
  const file = async (p: string, inFolder: boolean): Promise<void> => {
    const res = await readRegular(p, r);
    if ('text' in res) out.inputs.push({ name: p, text: res.text });
    else if (!(inFolder && res.unreadable === REASON.notRegular))
      out.failures.push({ path: p, reason: res.unreadable });
  };
  for (const p of paths) {
    if (await isDir(p)) await walk(p, 0);
    else await file(p, false);
  }
  return out;
}

export { Reading };

/** Whether this looks like a Linux machine the capture can read. */
export async function isLinux(): Promise<boolean> {
  return exists('/proc/interrupts');
}
