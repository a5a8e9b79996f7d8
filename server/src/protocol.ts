// The custom requests between the irqtopo client and server, typed once for both sides.
// Payloads are plain JSON data built by the core (server/src/core/services/views.ts, and the verify
// report of server/src/core/verify.ts).

import { RequestType, type WorkDoneProgressParams } from 'vscode-languageserver-protocol';
import type { Diagram, DomainTree, Routes } from './core/services/views';
import type { ShowRouteArgs } from './core/services/hints';
import type { ImportProblem } from './core/importer';
import type { Range } from './core/syntax/ast';
import type { VerifyDifference, VerifyReport } from './core/verify';

export type {
  Diagram,
  DiagramEdge,
  DiagramNode,
  DomainTree,
  DomainTreeNode,
  DeviceRoutes,
  Problem,
  ProblemCounts,
  RouteInfo,
  Routes,
  Usage,
} from './core/services/views';
export type { ShowRouteArgs } from './core/services/hints';
export type { CpuUsage, Hop, MsiMessage } from './core/simulate/types';
export type { VerifyColumn, VerifyDifference, VerifyReport } from './core/verify';

/** Names a document (its analysis is the one of the topology it belongs to). */
export interface DocumentParams {
  uri: string;
}

/** `irqtopo/domainTree`: the domain hierarchy, root first, with usage and problem counts. Null: unknown document. */
export const DomainTreeRequest = new RequestType<DocumentParams, DomainTree | null, void>(
  'irqtopo/domainTree',
);

/** `irqtopo/routes`: device -> interrupt -> hops, with CPU, vector or LPI and the message. */
export const RoutesRequest = new RequestType<DocumentParams, Routes | null, void>('irqtopo/routes');

/** `irqtopo/diagram`: nodes and edges with their source ranges and problems, and per-CPU vector usage. */
export const DiagramRequest = new RequestType<DocumentParams, Diagram | null, void>('irqtopo/diagram');

/** A difference of `irqtopo/verify`, with the place of its interrupt's `irq` statement. */
export interface VerifyDifferenceAt extends VerifyDifference {
  /** the file of the statement (null: the simulation has no route of that name) */
  uri: string | null;
  range: Range | null;
}

/**
 * `irqtopo/verify`: the fidelity meter of `irqtopo verify` (server/src/core/verify.ts) on the document's
 * topology: per column, how many observed values (pins) a simulation without the pins reproduces, and
 * each difference with its likely cause.
 */
export interface VerifyPayload extends Omit<VerifyReport, 'differences'> {
  differences: VerifyDifferenceAt[];
  /** why nothing could be compared (the topology cannot be simulated), else null */
  unavailable: string | null;
}

/** `irqtopo/verify`: null for a document the server does not know. */
export const VerifyRequest = new RequestType<DocumentParams, VerifyPayload | null, void>('irqtopo/verify');

/** The client-side command the "Show route" code lens runs; its one argument is a ShowRouteArgs. */
export const SHOW_ROUTE_COMMAND = 'irqtopo.showRoute';
export type ShowRouteCommandArgs = [ShowRouteArgs];

/**
 * `irqtopo/import` parameters: the dump files or folders to read; none: this machine. With a
 * `workDoneToken` the server reports progress on it.
 */
export interface ImportParams extends WorkDoneProgressParams {
  /** absolute paths of files or folders (read recursively); empty: /proc/interrupts and /sys/kernel/debug/irq */
  paths: string[];
  /** the kernel version (X.Y), instead of inferring it */
  kernel?: string;
  arch?: 'x86' | 'arm64' | 'riscv';
  /** write the v2 language (possible-cpus, node, smt, apic, irte, inactive); default true */
  v2?: boolean;
}

export interface ImportResultPayload {
  /** the topology text (may be only comments when nothing was understood) */
  text: string;
  /** `file:line:column: severity: message` lines, as `irqtopo import` prints them on standard error */
  messages: string[];
  /** as `irqtopo import` exits: 0 imported, 1 an input was not understood at all, 2 usage, I/O or internal error, or cancelled */
  status: 0 | 1 | 2;
  /**
   * The problems as data, at their place in the dumps (1-based line and column; line 0: the whole
   * file): for an import of this machine, `file` is the real source (`/proc/irq/26/node`, `dmesg`).
   */
  problems: ImportProblem[];
}

/**
 * `irqtopo/import`: runs the importer in the server process (the CLI's `irqtopo import`, without -o).
 * Send a `workDoneToken` to see progress (`$/progress`); cancel it with `$/cancelRequest`.
 */
export const ImportRequest = new RequestType<ImportParams, ImportResultPayload, void>('irqtopo/import');

/** `irqtopo/readFile` parameters: a file the server wants to read (an include), and the most it reads. */
export interface ReadFileParams {
  uri: string;
  maxBytes: number;
}

/** The text of the file, or why it was not read (no such file, a folder, larger than maxBytes). */
export type ReadFileResult = { text: string; stamp?: string } | { error: string };

/**
 * `irqtopo/readFile`, sent by the server to the client: where the server has no file system (the web
 * worker in vscode.dev), the client reads included files through its workspace file system. Sent only
 * to clients that announce it in `InitializationOptions.readFile`.
 */
export const ReadFileRequest = new RequestType<ReadFileParams, ReadFileResult, void>('irqtopo/readFile');

/** Options a client may pass in `initializationOptions`. */
export interface InitializationOptions {
  /** milliseconds from the last change to the check; default: adaptive (twice the last check's time, at most 50) */
  debounceMs?: number;
  /** severity overrides, for clients without workspace/configuration */
  rules?: Record<string, string>;
  /**
   * Whether the workspace is trusted (default true). When false, includes outside the workspace folders
   * (or, without folders, outside the including file's folder) are not read. VS Code passes
   * `vscode.workspace.isTrusted` and restarts the server when trust is granted. Only read here, never
   * from workspace settings, which an untrusted folder could set itself.
   */
  trustedWorkspace?: boolean;
  /** the client-side commands the client runs (e.g. `irqtopo.showRoute`); code lenses name only these */
  clientCommands?: string[];
  /** the client answers `irqtopo/readFile` (the web worker server reads includes through it) */
  readFile?: boolean;
  /** where docs/rules.md is (a URI the client can open); default: beside the server bundle (Node) */
  rulesDocument?: string;
  /**
   * The code lens settings, for clients without workspace/configuration (which the server otherwise
   * asks for `irqtopo.codeLens` per document): `enabled` (default true) and `interrupts` (default
   * false: lenses on device lines only; true: on irq lines too, one per element of a range).
   */
  codeLens?: { enabled?: boolean; interrupts?: boolean };
}
