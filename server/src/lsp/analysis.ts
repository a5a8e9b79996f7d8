// The one place the adapter runs the core's analysis. It gets the previous analysis of the same root
// and, when a single file changed since, that file's content changes (offsets in the text before
// each change), ready for the core's incremental re-analysis (reparse + reanalyze).

import { analyze, type Analysis, type AnalyzeOptions } from '../core';
import type { TextChange } from './documents';

export interface AnalysisInput {
  /** the root file's key, also the URI the model spells it with */
  root: string;
  text: string;
  options: AnalyzeOptions;
  /** the previous analysis of this root, when exactly one of its files changed since, and how */
  previous?: { analysis: Analysis; file: string; changes: readonly TextChange[] };
}

export function runAnalysis(input: AnalysisInput): Analysis {
  // A full analysis: the parse cache in options.parsed hands back the files that did not change.
  // With the core's incremental API, `previous` becomes reparse(file, changes) + reanalyze(...).
  return analyze(input.root, input.text, input.options);
}
