// The language services: pure functions over an analysis (and, for text-level services, the
// document text), returning plain data. The language server converts their results to LSP at
// the boundary (server/src/lsp/); they are tested in test/core/services*.test.ts.

export * from './util';
export * from './navigation';
export {
  hover,
  domainHover,
  deviceHover,
  irqHover,
  docFor,
  valuesLine,
  offlineLine,
  type HoverResult,
} from './hover';
export { severityIcon, problemLines } from './hover-machine';
export * from './history';
export { keywordDoc, APIC_MODE_DOCS } from './keywords';
export { completions, legalParents, type CompletionItem, type CompletionKind } from './completion';
export {
  documentSymbols,
  fileSymbols,
  matchesQuery,
  foldingRanges,
  selectionRange,
  semanticTokens,
  TOKEN_TYPES,
  TOKEN_MODIFIERS,
  type DocumentSymbol,
  type MachineSymbol,
  type WorkspaceSymbol,
  type FoldingRange,
  type SelectionRange,
} from './structure';
export { formatText, formatEdits } from './format';
export { quickFixes, fixAll, FIXABLE, type CodeAction } from './actions';
export {
  inlayHints,
  codeLenses,
  type InlayHint,
  type CodeLens,
  type CodeLensOptions,
  type ShowRouteArgs,
} from './hints';
export * from './views';
export {
  routeOf,
  pathOf,
  usageOf,
  usageText,
  placementText,
  rangeText,
  failureWords,
  observedNote,
  messageText,
} from './routes';
export { allDiagnostics, diagnosticsFor, publishFile } from './diagnostics';
// the fidelity meter (issue 12): observed pins against the kernel's allocation order
export { verify, verifyText, type VerifyColumn, type VerifyDifference, type VerifyReport } from '../verify';
