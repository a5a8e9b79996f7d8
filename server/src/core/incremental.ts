// Re-analysis after an edit, incremental where it pays: the edited file is reparsed only around
// the edit (syntax/splice.ts); an edit of whitespace or comments keeps the model and the
// simulation and only moves their offsets; any other edit rebinds, checks and simulates again,
// reusing every parsed file.

import { analyze, makeAnalysis, type Analysis, type AnalyzeOptions } from './index';
import type { Finding } from './diagnostics';
import { finding } from './checks/registry';
import type { Domain, Model, Site } from './model';
import { parseTree as parseText } from './syntax/parser';
import { spliceAll, type EditKind, type TextChange } from './syntax/splice';
import { SyntaxFile } from './syntax/view';

export type { TextChange, EditKind };

export interface Reparsed {
  file: SyntaxFile;
  kind: EditKind;
  /** the edits' combined extent in the old text (for moving offsets), when there was one change */
  start: number;
  end: number;
  delta: number;
  changes: number;
}

/** Applies content changes to a parsed file (offsets in the text before each change). */
export function reparse(file: SyntaxFile, changes: readonly TextChange[]): Reparsed {
  const r = spliceAll(file.tree, changes);
  return {
    file: new SyntaxFile(file.uri, r.tree),
    kind: r.kind,
    start: r.start,
    end: r.end,
    delta: r.delta,
    changes: changes.length,
  };
}

/**
 * The analysis after `edited` replaced its file in `prev` (the analysis of the topology it belongs
 * to). A trivia edit (one change) reuses `prev`: its objects are updated in place, so `prev` must
 * not be used afterwards. `text` is the root file's text (after the edit when the root was edited).
 *
 * In place means the SyntaxFile object of the edited file too (its tree is replaced): a caller that
 * shares parsed files between analyses (a parse cache serving several topologies that include the
 * same file) must take this path only when it owns that file object, or refresh every analysis
 * holding it (the language server does so: lsp/project.ts takes it only when the reparsed text is
 * the current text, and then refreshes its cache).
 */
export function reanalyze(
  prev: Analysis,
  edited: Reparsed,
  rootText: string,
  options: AnalyzeOptions = {},
): Analysis {
  const m = prev.model;
  const old = m.fileByUri.get(edited.file.uri);
  if (edited.kind === 'none' && old) return prev;
  if (old && edited.kind === 'trivia' && edited.changes === 1) {
    old.replaceTree(edited.file.tree);
    moveOffsets(m, old, edited.start, edited.end, edited.delta);
    const findings = moveFindings(prev.findings, old, edited.start, edited.end, edited.delta, options);
    prev.simulation?.refresh();
    return makeAnalysis(m, findings, prev.simulation);
  }
  // anything else: bind, check and simulate again, reusing the parsed files
  const parsedFiles = new Map<string, SyntaxFile>();
  for (const f of m.files) parsedFiles.set(f.uri, f);
  parsedFiles.set(edited.file.uri, edited.file);
  return analyze(m.rootUri, rootText, {
    ...options,
    parsed: (uri, text) => {
      const f = parsedFiles.get(uri);
      if (f && f.text === text) return f;
      return options.parsed ? options.parsed(uri, text) : new SyntaxFile(uri, parseText(text));
    },
  });
}

/** A start offset at or after the change's end moves; one before it stays. */
function mvStart(x: number, _s: number, e: number, d: number): number {
  return x >= e ? x + d : x;
}
/** An end offset after the change's start moves (an insertion right after a token does not move its end). */
function mvEnd(x: number, s: number, e: number, d: number): number {
  return x > s && x >= e ? x + d : x;
}

function moveSite(site: Site | undefined, f: SyntaxFile, s: number, e: number, d: number): void {
  if (!site || site.file !== f) return;
  site.start = mvStart(site.start, s, e, d);
  site.end = mvEnd(site.end, s, e, d);
}

/** Moves every offset the model keeps in file `f` by an edit of [s, e) that grew the text by d. */
function moveOffsets(m: Model, f: SyntaxFile, s: number, e: number, d: number): void {
  for (const dom of m.domains) moveDomain(dom, f, s, e, d);
  const D = m.devices;
  const fi = m.files.indexOf(f);
  for (let i = 0; i < D.count; i++) {
    if (D.file[i] !== fi) continue;
    D.nameStart[i] = mvStart(D.nameStart[i], s, e, d);
    D.nameEnd[i] = mvEnd(D.nameEnd[i], s, e, d);
    D.start[i] = mvStart(D.start[i], s, e, d);
    D.end[i] = mvEnd(D.end[i], s, e, d);
  }
  for (const site of [
    m.archSite,
    m.cpusSite,
    m.kernel?.site,
    m.possibleSite,
    m.smt?.site,
    m.apic?.site,
    m.extDestId,
  ])
    moveSite(site, f, s, e, d);
  for (const n of m.nodes) moveSite(n.site, f, s, e, d);
  for (const o of m.offlines) moveSite(o.site, f, s, e, d);
  for (const r of m.releases) moveSite(r.site, f, s, e, d);
}

function moveDomain(dom: Domain, f: SyntaxFile, s: number, e: number, d: number): void {
  moveSite(dom.parentRef, f, s, e, d);
  moveSite(dom.deviceRef, f, s, e, d);
  if (dom.file !== f) return;
  dom.nameStart = mvStart(dom.nameStart, s, e, d);
  dom.nameEnd = mvEnd(dom.nameEnd, s, e, d);
  dom.start = mvStart(dom.start, s, e, d);
  dom.end = mvEnd(dom.end, s, e, d);
  for (const it of dom.scope ?? []) {
    it.start = mvStart(it.start, s, e, d);
    it.end = mvEnd(it.end, s, e, d);
  }
  for (const u of dom.inUse) {
    u.start = mvStart(u.start, s, e, d);
    u.end = mvEnd(u.end, s, e, d);
  }
}

/** The findings, moved; the edited file's syntax findings made anew from its tree (their text may name lines). */
function moveFindings(
  list: Finding[],
  f: SyntaxFile,
  s: number,
  e: number,
  d: number,
  options: AnalyzeOptions,
): Finding[] {
  const out: Finding[] = [];
  for (const x of list) {
    if (x.file === f && x.code === 'syntax') continue;
    if (x.file === f || (Array.isArray(x.related) && x.related.some((r) => r.file === f))) {
      const y: Finding = { ...x };
      if (x.file === f) {
        y.start = mvStart(x.start, s, e, d);
        y.end = mvEnd(x.end, s, e, d);
      }
      if (Array.isArray(x.related))
        y.related = x.related.map((r) =>
          r.file === f ? { ...r, start: mvStart(r.start, s, e, d), end: mvEnd(r.end, s, e, d) } : r,
        );
      out.push(y);
    } else out.push(x);
  }
  const sev = options.rules?.syntax;
  if (sev !== 'off')
    for (const er of f.tree.errors) {
      const fx = finding('syntax', f, er.start, er.end, er.message);
      if (sev) fx.severity = sev;
      out.push(fx);
    }
  return out;
}
