// The server's state: open documents, parsed files and analyses cached by version, which open
// files include which, and the rule overrides. Analyses are rooted at a file; an open file that
// another open file includes is analysed in that file's context (so its diagnostics and names
// are those of the whole topology).

import type { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze, parse, type Diagnostic, type RuleOverrides, type SyntaxFile } from '../core';
import { allDiagnostics, type AnalysisLike } from '../core/services';
import { canonical, diskStamp, findTopologyFiles, readDisk } from './files';

export interface Entry {
  root: string;
  analysis: AnalysisLike;
  /** every diagnostic, simulation included, overrides applied */
  diagnostics: Diagnostic[];
  /** canonical URI -> the version stamp it was analysed at (every file of the analysis) */
  stamps: Map<string, string>;
  rulesGen: number;
  /** how long the analysis took */
  ms: number;
}

export class Project {
  /** canonical URI -> open document */
  readonly open = new Map<string, TextDocument>();
  private readonly parsedCache = new Map<string, { stamp: string; text: string; file: SyntaxFile }>();
  private readonly entries = new Map<string, Entry>();
  private readonly canon = new Map<string, string>();
  private rules: RuleOverrides = {};
  private readonly rulesByUri = new Map<string, RuleOverrides>();
  private rulesGen = 0;
  private workspaceFiles: string[] | undefined;
  folders: string[] = [];
  /** analyses run (for tests and the log) */
  analysesRun = 0;

  c(uri: string): string {
    let c = this.canon.get(uri);
    if (c === undefined) {
      c = canonical(uri);
      if (this.canon.size > 100000) this.canon.clear();
      this.canon.set(uri, c);
    }
    return c;
  }

  // ---- documents ------------------------------------------------------------------------------

  opened(doc: TextDocument): void {
    this.open.set(this.c(doc.uri), doc);
  }

  closed(uri: string): void {
    const c = this.c(uri);
    this.open.delete(c);
    this.entries.delete(c);
    this.rulesByUri.delete(c);
  }

  stampOf(uri: string): string {
    const d = this.open.get(uri);
    return d ? `v${d.version}` : diskStamp(uri);
  }

  // ---- rules ----------------------------------------------------------------------------------

  setDefaultRules(rules: RuleOverrides): void {
    this.rules = rules;
    this.rulesGen++;
  }

  setRules(uri: string, rules: RuleOverrides): void {
    const c = this.c(uri);
    if (JSON.stringify(this.rulesByUri.get(c)) === JSON.stringify(rules)) return;
    this.rulesByUri.set(c, rules);
    this.rulesGen++;
  }

  clearRules(): void {
    this.rulesByUri.clear();
    this.rulesGen++;
  }

  rulesFor(root: string): RuleOverrides {
    return this.rulesByUri.get(root) ?? this.rules;
  }

  // ---- analyses -------------------------------------------------------------------------------

  /** The root an open file is analysed under: an open file that includes it, else itself. */
  contextRoot(uri: string): string {
    const c = this.c(uri);
    let best: string | undefined;
    for (const [root, e] of this.entries) {
      if (root === c || !this.open.has(root) || !e.stamps.has(c)) continue;
      if (this.entries.get(c)?.stamps.has(root)) continue; // they include each other: a cycle
      if (best === undefined || root < best) best = root;
    }
    return best ?? c;
  }

  isFresh(e: Entry): boolean {
    if (e.rulesGen !== this.rulesGen) return false;
    for (const [uri, stamp] of e.stamps) if (this.stampOf(uri) !== stamp) return false;
    return true;
  }

  peek(root: string): Entry | undefined {
    return this.entries.get(this.c(root));
  }

  /** A fresh analysis rooted at a file (open, or read from disk); cached by version. */
  ensure(rootUri: string): Entry | undefined {
    const root = this.c(rootUri);
    const cached = this.entries.get(root);
    if (cached && this.isFresh(cached)) return cached;
    const doc = this.open.get(root);
    let text: string;
    const stamps = new Map<string, string>();
    if (doc) {
      text = doc.getText();
      stamps.set(root, `v${doc.version}`);
    } else {
      const r = readDisk(root);
      if (r instanceof Error) return undefined;
      text = r.text;
      stamps.set(root, `${r.mtime}:${r.size}`);
    }
    const reader = (uri: string): string | Error => {
      const c = this.c(uri);
      const d = this.open.get(c);
      if (d) {
        stamps.set(c, `v${d.version}`);
        return d.getText();
      }
      const r = readDisk(c);
      if (r instanceof Error) {
        stamps.set(c, 'missing');
        return r;
      }
      stamps.set(c, `${r.mtime}:${r.size}`);
      return r.text;
    };
    const parsed = (uri: string, t: string): SyntaxFile => {
      const stamp = stamps.get(this.c(uri)) ?? '';
      const hit = this.parsedCache.get(uri);
      if (hit && hit.stamp === stamp && hit.text === t) return hit.file;
      const file = parse(t, uri);
      this.parsedCache.set(uri, { stamp, text: t, file });
      return file;
    };
    const rules = this.rulesFor(root);
    const t0 = performance.now();
    const analysis = analyze(root, text, { reader, rules, parsed }) as AnalysisLike;
    const diagnostics = allDiagnostics(analysis, rules);
    const ms = performance.now() - t0;
    this.analysesRun++;
    const e: Entry = { root, analysis, diagnostics, stamps, rulesGen: this.rulesGen, ms };
    this.entries.set(root, e);
    return e;
  }

  /** The fresh analysis that holds an open (or on-disk) file, in its context. */
  analysisFor(uri: string): Entry | undefined {
    return this.ensure(this.contextRoot(uri));
  }

  /** Open files whose last analysis involves the given file (it, or files including it). */
  affectedBy(uri: string): string[] {
    const c = this.c(uri);
    const out = new Set<string>();
    if (this.open.has(c)) out.add(c);
    for (const [root, e] of this.entries) {
      if (!e.stamps.has(c) || !this.open.has(root)) continue;
      for (const u of e.stamps.keys()) if (this.open.has(u)) out.add(u);
    }
    return [...out];
  }

  forget(uri: string): void {
    this.parsedCache.delete(uri);
    const c = this.c(uri);
    if (!this.open.has(c)) this.entries.delete(c);
  }

  // ---- workspace ------------------------------------------------------------------------------

  workspace(): string[] {
    this.workspaceFiles ??= findTopologyFiles(this.folders).map((u) => this.c(u));
    return this.workspaceFiles;
  }

  invalidateWorkspace(): void {
    this.workspaceFiles = undefined;
  }

  /** A parsed file (open or on disk), for workspace symbols. */
  parsedFile(uri: string): SyntaxFile | undefined {
    const d = this.open.get(uri);
    const stamp = d ? `v${d.version}` : diskStamp(uri);
    const hit = this.parsedCache.get(uri);
    if (hit && hit.stamp === stamp) return hit.file;
    let text: string;
    if (d) text = d.getText();
    else {
      const r = readDisk(uri);
      if (r instanceof Error) return undefined;
      text = r.text;
    }
    const file = parse(text, uri);
    this.parsedCache.set(uri, { stamp, text, file });
    return file;
  }

  /**
   * Every analysis that may mention a file: the open files' contexts and, for a workspace of
   * a bounded size, every workspace file (so rename and references reach files that include it).
   */
  analysesInvolving(uri: string, maxWorkspace = 300): Entry[] {
    const c = this.c(uri);
    const roots = new Set<string>([this.contextRoot(c)]);
    for (const o of this.open.keys()) roots.add(this.contextRoot(o));
    const ws = this.workspace();
    if (ws.length <= maxWorkspace) for (const w of ws) roots.add(w);
    const out: Entry[] = [];
    for (const r of roots) {
      const e = this.ensure(r);
      if (e && e.stamps.has(c)) out.push(e);
    }
    return out;
  }
}
