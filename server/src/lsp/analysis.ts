// The one place the adapter runs the core's analysis. With the previous analysis of the same root
// and the content changes of its one edited file (offsets in the text before each change), the
// file is reparsed around the edits and re-analysed incrementally (core/incremental.ts: a trivia
// edit keeps the model and the simulation and moves their offsets; other edits rebind with every
// parsed file reused); otherwise the whole topology is analysed, the parse cache handing back the
// files that did not change.

import { analyze, type Analysis, type AnalyzeOptions } from '../core';
import { reanalyze, reparse } from '../core/incremental';
import type { TextChange } from './documents';

export interface AnalysisInput {
  /** the root file's key, also the URI the model spells it with */
  root: string;
  text: string;
  options: AnalyzeOptions;
  /** the previous analysis of this root, when exactly one of its files changed since, and how */
  previous?: {
    analysis: Analysis;
    /** the edited file's URI in the previous model, and its text now */
    file: string;
    text: string;
    changes: readonly TextChange[];
  };
}

export interface AnalysisRun {
  analysis: Analysis;
  /** how it was made: incremental (by the core's edit kind) or full */
  how: string;
}

export function runAnalysis(input: AnalysisInput): AnalysisRun {
  const p = input.previous;
  const old = p && p.analysis.model.fileByUri.get(p.file);
  if (p && old) {
    try {
      const edited = reparse(old, p.changes);
      // the file in the previous model must be the text the changes apply to: a file shared with
      // another analysis may have been moved on in place (a trivia edit updates its tree there)
      if (edited.file.text === p.text)
        return { analysis: reanalyze(p.analysis, edited, input.text, input.options), how: edited.kind };
    } catch {
      // a splice that fails is no reason not to answer: analyse the whole topology
    }
  }
  return { analysis: analyze(input.root, input.text, input.options), how: 'full' };
}
