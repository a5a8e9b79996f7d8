// Budgets on everything a file's size or numbers could blow up. A topology beyond one gets a clear
// error at the place that exceeds it, and the rest of the file is still analysed.

/** Linux caps NR_CPUS at 8192 (CONFIG_NR_CPUS_RANGE_END with MAXSMP). */
export const MAX_CPUS = 8192;
/** Interrupts (every element of every range) in one topology: 2^20, far above any machine's nr_irqs. */
export const MAX_IRQS = 1 << 20;
/** Characters in one name. */
export const MAX_NAME = 1024;
/** Includes deeper than this are an `include-error` (a chain of ever-new paths would never end). */
export const MAX_INCLUDE_DEPTH = 64;
/** Files in one topology (the root and everything it includes). */
export const MAX_FILES = 256;
/**
 * Characters read through includes, in all: four files of the readers' 4 MiB. A topology of 100,000
 * statements is about 4 MB; what is read is parsed, so this bounds the time a fan-out of includes
 * costs (300 includes of 4 MB files: 3.3 s with 64 MiB).
 */
export const MAX_INCLUDE_CHARS = 16 * 1024 * 1024;
/** NUMA nodes (MAX_NUMNODES with NODES_SHIFT 10). */
export const MAX_NODES = 1024;
/** Domains on one parent chain (a kernel hierarchy has a handful: device domain, IR unit or ITS, root). */
export const MAX_PARENT_DEPTH = 64;
/** Statements in one topology, and syntax errors kept per file (the parser's budgets). */
export { MAX_STATEMENTS, MAX_SYNTAX_ERRORS } from '../syntax/tree';
