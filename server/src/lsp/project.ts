// The server's analyses: one per root file, cached with the stamp of every file it read (open
// documents by revision, files on disk by their host stamp), and the context of each open file (an
// open file that another open file includes is analysed in that file's context, so its diagnostics
// and names are those of the whole topology). Includes are read through the host, after the trust
// and name checks; a host without synchronous reads (the web worker) has the include graph fetched
// before the analysis, which then reads from memory.

import { parse, resolveInclude, type Analysis, type SyntaxFile } from '../core';
import { runAnalysis } from './analysis';
import type { Config } from './config';
import type { Documents } from './documents';
import { TOPOLOGY_EXTENSION, type FileResult, type Host } from './host';
import { isInside, uriBasename, uriDirname, uriKey } from './uri';

export interface Entry {
  root: string;
  analysis: Analysis;
  /** key -> the stamp of what was analysed (every file of the analysis, and files it failed to read) */
  stamps: Map<string, string>;
  /** key -> the URI the model spells the file with */
  modelUris: Map<string, string>;
  generation: number;
  /** how long the analysis took (ms) */
  ms: number;
}

/** Files read while fetching one include graph (the core has its own, smaller, budget). */
const MAX_PREFETCH = 256;
const MAX_CACHED = 1000;
/** Analyses of files that are not open kept for references and rename across the workspace. */
const MAX_CLOSED_ENTRIES = 64;

export class Project {
  private readonly entries = new Map<string, Entry>();
  private readonly parsed = new Map<string, { text: string; file: SyntaxFile }>();
  private readonly disk = new Map<string, FileResult>();
  private readonly inflight = new Map<string, Promise<Entry | undefined>>();
  private workspaceFiles: string[] | undefined;
  /** analyses run, and how the last one was made (incremental by edit kind, or full) */
  analysesRun = 0;
  lastRun = '';

  constructor(
    private readonly docs: Documents,
    private readonly config: Config,
    private readonly host: Host & { sync: boolean },
    /** open files whose context (the analysis they are published from) changed */
    private readonly onContextChanged: (keys: string[]) => void,
  ) {}

  // ---- contexts -----------------------------------------------------------------------------------

  /** The root an open file is analysed under: an open file that includes it, else itself. */
  contextRoot(key: string, skip?: ReadonlySet<string>): string {
    let best: string | undefined;
    for (const [root, e] of this.entries) {
      if (root === key || skip?.has(root) || !this.docs.has(root) || !e.stamps.has(key)) continue;
      if (this.entries.get(key)?.stamps.has(root)) continue; // they include each other: a cycle
      if (best === undefined || root < best) best = root;
    }
    return best ?? key;
  }

  /**
   * The fresh analysis that holds a file, in its context. The context is checked after the analysis
   * is brought up to date: a root that no longer includes the file is skipped (its include was
   * dropped, perhaps in the same debounce window as an edit of the file).
   */
  async analysisFor(key: string): Promise<Entry | undefined> {
    const skip = new Set<string>();
    for (;;) {
      const root = this.contextRoot(key, skip);
      const e = await this.ensure(root);
      if (root === key || (e && e.stamps.has(key))) return e;
      skip.add(root);
    }
  }

  /** The last analysis of a root, fresh or not. */
  peek(root: string): Entry | undefined {
    return this.entries.get(root);
  }

  /** Open files whose last analysis involves one of these files (they, or files including them). */
  affectedBy(keys: readonly string[]): string[] {
    const out = new Set<string>();
    for (const k of keys) if (this.docs.has(k)) out.add(k);
    for (const k of keys)
      for (const [root, e] of this.entries) {
        if (!e.stamps.has(k) || !this.docs.has(root)) continue;
        for (const u of e.stamps.keys()) if (this.docs.has(u)) out.add(u);
      }
    return [...out];
  }

  // ---- analyses -----------------------------------------------------------------------------------

  /** A fresh analysis rooted at a file (open, or read through the host). */
  ensure(root: string): Promise<Entry | undefined> {
    const cached = this.entries.get(root);
    if (cached && this.isFresh(cached)) return Promise.resolve(cached);
    if (this.host.sync) return Promise.resolve(this.analyzeNow(root));
    let p = this.inflight.get(root);
    if (!p) {
      p = this.prefetch(root)
        .then(() => this.analyzeNow(root))
        .finally(() => this.inflight.delete(root));
      this.inflight.set(root, p);
    }
    return p;
  }

  isFresh(e: Entry): boolean {
    if (e.generation !== this.config.generation) return false;
    for (const [key, stamp] of e.stamps) if (this.currentStamp(key, e.root) !== stamp) return false;
    return true;
  }

  private currentStamp(key: string, root: string): string {
    const d = this.docs.get(key);
    if (d) return d.stamp;
    if (key !== root && this.refusal(key, root)) return 'refused';
    if (this.host.stamp) return this.host.stamp(key);
    return this.disk.get(key)?.stamp ?? 'unread';
  }

  private analyzeNow(root: string): Entry | undefined {
    const doc = this.docs.get(root);
    const stamps = new Map<string, string>();
    const modelUris = new Map<string, string>([[root, root]]);
    let text: string;
    if (doc) {
      text = doc.text;
      stamps.set(root, doc.stamp);
    } else {
      if (!uriBasename(root).endsWith(TOPOLOGY_EXTENSION)) return undefined;
      const r = this.readNow(root);
      if (!r || r instanceof Error) return undefined;
      text = r.text;
      stamps.set(root, r.stamp);
    }
    const reader = (uri: string): string | Error => {
      const key = uriKey(uri);
      modelUris.set(key, uri);
      const d = this.docs.get(key);
      if (d) {
        stamps.set(key, d.stamp);
        return d.text;
      }
      const why = this.refusal(key, root);
      if (why) {
        stamps.set(key, 'refused');
        return new Error(why);
      }
      const r = this.readNow(key);
      if (!r) {
        stamps.set(key, 'unread');
        return new Error('not read (the editor did not provide it)');
      }
      stamps.set(key, r.stamp);
      return r instanceof Error ? r : r.text;
    };
    const prev = this.entries.get(root);
    const rules = this.config.rulesFor(root);
    const t0 = this.host.clock.now();
    const previous = this.editSince(prev);
    const { analysis, how } = runAnalysis({
      root,
      text,
      options: { reader, rules, parsed: (uri, t) => this.parse(uriKey(uri), uri, t) },
      previous,
    });
    const ms = this.host.clock.now() - t0;
    this.analysesRun++;
    this.lastRun = how;
    if (prev && previous && analysis.model === prev.analysis.model) {
      // the model was kept (a trivia edit): nothing was read, every other file is as it was
      const key = uriKey(previous.file);
      for (const [k, st] of prev.stamps)
        if (!stamps.has(k)) stamps.set(k, k === key ? this.docs.get(k)!.stamp : st);
      for (const [k, u] of prev.modelUris) modelUris.set(k, u);
    }
    // the edited file as the new model holds it (a trivia edit updates the previous file object in
    // place): the parse cache hands out that object for that text from now on
    if (previous) {
      const f = analysis.model.fileByUri.get(previous.file);
      if (f) this.parsed.set(uriKey(previous.file), { text: f.text, file: f });
    }
    const e: Entry = { root, analysis, stamps, modelUris, generation: this.config.generation, ms };
    this.entries.delete(root); // (re)inserted last: the oldest closed-file analyses go first
    this.entries.set(root, e);
    if (doc) this.noteContext(prev, e);
    else this.evictClosed();
    return e;
  }

  /** The previous analysis and the changes of its one edited open file, when only one changed. */
  private editSince(prev: Entry | undefined) {
    if (!prev || prev.generation !== this.config.generation) return undefined;
    let edited: string | undefined;
    for (const [key, stamp] of prev.stamps) {
      if (this.currentStamp(key, prev.root) === stamp) continue;
      if (edited !== undefined || !this.docs.has(key)) return undefined;
      edited = key;
    }
    if (edited === undefined) return undefined;
    const doc = this.docs.get(edited)!;
    const changes = doc.changesSince(prev.stamps.get(edited)!);
    const file = prev.modelUris.get(edited);
    return changes && file ? { analysis: prev.analysis, file, text: doc.text, changes } : undefined;
  }

  /** Keeps at most MAX_CLOSED_ENTRIES analyses of files that are not open (references, rename). */
  private evictClosed(): void {
    let closed = 0;
    for (const k of this.entries.keys()) if (!this.docs.has(k)) closed++;
    for (const k of [...this.entries.keys()]) {
      if (closed <= MAX_CLOSED_ENTRIES) break;
      if (this.docs.has(k)) continue;
      this.entries.delete(k);
      closed--;
    }
  }

  /** Open files that joined or left the analysis of an open root get their diagnostics again. */
  private noteContext(prev: Entry | undefined, e: Entry): void {
    const members = (x: Entry | undefined) =>
      new Set(x ? [...x.stamps.keys()].filter((k) => k !== x.root && this.docs.has(k)) : []);
    const before = members(prev);
    const after = members(e);
    const moved = [...before, ...after].filter((k) => before.has(k) !== after.has(k));
    if (moved.length) this.onContextChanged(moved);
  }

  private parse(key: string, uri: string, text: string): SyntaxFile {
    const hit = this.parsed.get(key);
    if (hit && hit.text === text && hit.file.uri === uri) return hit.file;
    const file = parse(text, uri);
    if (this.parsed.size >= MAX_CACHED) this.parsed.clear();
    this.parsed.set(key, { text, file });
    return file;
  }

  // ---- files --------------------------------------------------------------------------------------

  /** Why an included file is not read, or undefined. Open documents are always read. */
  refusal(key: string, root: string): string | undefined {
    if (this.docs.has(key)) return undefined;
    if (!uriBasename(key).endsWith(TOPOLOGY_EXTENSION))
      return `is not a topology file: only files named *${TOPOLOGY_EXTENSION} are included`;
    if (this.config.trusted) return undefined;
    const folders = this.config.folders.length ? this.config.folders : [uriDirname(root)];
    const real = this.host.realKey ? this.host.realKey(key) : key;
    const inside = folders.some((f) => isInside(real, this.host.realKey ? this.host.realKey(f) : f));
    return inside
      ? undefined
      : 'is outside the workspace folders: in an untrusted workspace (Restricted Mode) includes are read only inside them';
  }

  /** A file's text from the cache when its stamp is current, else read (synchronous hosts only). */
  private readNow(key: string): FileResult | undefined {
    const hit = this.disk.get(key);
    if (hit && (!this.host.stamp || this.host.stamp(key) === hit.stamp)) return hit;
    if (!this.host.sync) return hit;
    const r = this.host.read(key, true) as FileResult;
    this.remember(key, r);
    return r;
  }

  private remember(key: string, r: FileResult): void {
    if (this.disk.size >= MAX_CACHED) this.disk.clear();
    this.disk.set(key, r);
  }

  /** Reads the include graph of a root into the cache (hosts that read asynchronously). */
  private async prefetch(root: string): Promise<void> {
    const seen = new Set<string>();
    const queue: [string, string][] = [[root, root]];
    while (queue.length && seen.size < MAX_PREFETCH) {
      const [key, uri] = queue.shift()!;
      if (seen.has(key)) continue;
      seen.add(key);
      let text: string;
      const d = this.docs.get(key);
      if (d) text = d.text;
      else {
        if (key === root ? !uriBasename(key).endsWith(TOPOLOGY_EXTENSION) : this.refusal(key, root)) continue;
        let r = this.disk.get(key);
        if (!r) {
          r = await this.host.read(key, true);
          this.remember(key, r);
        }
        if (r instanceof Error) continue;
        text = r.text;
      }
      for (const rel of includesOf(this.parse(key, uri, text))) {
        const target = resolveInclude(uri, rel);
        queue.push([uriKey(target), target]);
      }
    }
  }

  /** A file changed, appeared or disappeared on disk. */
  fileChanged(key: string, createdOrDeleted: boolean): void {
    this.disk.delete(key);
    if (!this.docs.has(key)) {
      this.parsed.delete(key);
      this.entries.delete(key);
    }
    if (createdOrDeleted) this.workspaceFiles = undefined;
  }

  /** A document closed: its own analysis goes (files including it read the disk now). */
  closed(key: string): void {
    this.entries.delete(key);
  }

  // ---- workspace ----------------------------------------------------------------------------------

  async workspace(): Promise<string[]> {
    this.workspaceFiles ??= (await this.host.topologyFiles(this.config.folders)).map(uriKey);
    return this.workspaceFiles;
  }

  invalidateWorkspace(): void {
    this.workspaceFiles = undefined;
  }

  /** A parsed file (open, or read through the host), for workspace symbols and formatting. */
  async parsedFile(key: string): Promise<SyntaxFile | undefined> {
    const d = this.docs.get(key);
    if (d) return this.parse(key, key, d.text);
    if (!uriBasename(key).endsWith(TOPOLOGY_EXTENSION)) return undefined;
    let r = this.readNow(key);
    if (!r) {
      r = await this.host.read(key, true);
      this.remember(key, r);
    }
    return r instanceof Error ? undefined : this.parse(key, key, r.text);
  }

  /**
   * Every analysis that may mention a file: the open files' contexts and, for a workspace of a
   * bounded size, every workspace file (so rename and references reach files that include it).
   */
  async analysesInvolving(key: string, maxWorkspace = 300): Promise<Entry[]> {
    const roots = new Set<string>([this.contextRoot(key)]);
    for (const o of this.docs.keys()) roots.add(this.contextRoot(o));
    const ws = await this.workspace();
    if (ws.length <= maxWorkspace) for (const w of ws) roots.add(w);
    const out: Entry[] = [];
    for (const r of roots) {
      const e = await this.ensure(r);
      if (e && e.stamps.has(key)) out.push(e);
    }
    return out;
  }
}

/** The paths a file includes, as written (the core's accessor). */
export function includesOf(file: SyntaxFile): string[] {
  return file.includes();
}
