// Plain data shared by every stage of the core: diagnostics and the reader used for includes.

import type { Range } from './syntax/ast';

export type Severity = 'error' | 'warning' | 'information' | 'hint';
export type SeverityOverride = Severity | 'off';

export interface RelatedInformation {
  uri: string;
  range: Range;
  message: string;
}

export interface Diagnostic {
  uri: string;
  range: Range;
  severity: Severity;
  code: string;
  message: string;
  related: RelatedInformation[];
  /** LSP DiagnosticTag.Unnecessary, where the code is "declared but unused" */
  unnecessary?: boolean;
}

/**
 * Reads an included file. The core does no I/O of its own: the CLI and the language server pass
 * one in. It returns the text, or an Error whose message says why the file could not be read.
 */
export type FileReader = (uri: string) => string | Error;
