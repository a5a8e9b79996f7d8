// What the adapter needs from where it runs: reading files, knowing when they changed, listing the
// workspace's topology files, and the event loop's clock. Node (server/src/server.ts) reads the disk
// through server/src/files.ts; the web worker (server/src/browser.ts) asks the client.

import type { Clock } from './scheduler';

/** Why a file was not read, with the stamp of the file in that state (it is read again when it changes). */
export class FileError extends Error {
  constructor(
    message: string,
    readonly stamp: string,
  ) {
    super(message);
  }
}

/** A file's text and a stamp that changes with it, or why it was not read. */
export type FileResult = { text: string; stamp: string } | FileError;

export interface Host {
  /** for the log */
  readonly platform: string;
  readonly clock: Clock;
  /**
   * Reads a topology file by key, applying the file rules (a regular file, at most the size limit,
   * and for an include a *.irqtopo name). Synchronous where it can be (Node), else a promise.
   */
  read(key: string, include: boolean): FileResult | Promise<FileResult>;
  /** The file's current stamp without reading it, when the host can tell (Node: stat); else undefined. */
  stamp?(key: string): string;
  /** Where a file really is (Node: symbolic links resolved), for the trust check. */
  realKey?(key: string): string;
  /** The *.irqtopo files under the folders (keys), bounded. */
  topologyFiles(folders: readonly string[]): string[] | Promise<string[]>;
  /** The link to a rule's documentation, unless the client named one. */
  ruleLink?(code: string): string | undefined;
}

export const TOPOLOGY_EXTENSION = '.irqtopo';
