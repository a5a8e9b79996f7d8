// The web worker's host (vscode.dev): no file system here, so included files are read by the
// client through its workspace file system (`irqtopo/readFile`), asynchronously; the project fetches
// an include graph before analysing it. Stamps are per read: a watched-file event drops the cached
// copy and the next analysis reads the file again.

import type { Connection } from 'vscode-languageserver';
import { ReadFileRequest } from '../protocol';
import type { Config } from './config';
import { FileError, type FileResult, type Host } from './host';
import { inputActivity } from './activity';
import { realClock } from './scheduler';

/** The largest included file read (as server/src/files.ts for Node). */
const MAX_BYTES = 4 * 1024 * 1024;

export function browserHost(connection: Connection, config: Config): Host & { sync: false } {
  let reads = 0;
  return {
    platform: 'web worker',
    sync: false,
    clock: realClock(inputActivity),
    async read(key): Promise<FileResult> {
      const stamp = `b${++reads}`;
      if (!config.clientReadsFiles)
        return new FileError('is not read: the editor does not give this server access to files', stamp);
      try {
        const r = await connection.sendRequest(ReadFileRequest, { uri: key, maxBytes: MAX_BYTES });
        if (!r || typeof r !== 'object') return new FileError('is not readable', stamp);
        if ('error' in r) return new FileError(String(r.error), stamp);
        if (typeof r.text !== 'string') return new FileError('is not readable', stamp);
        if (r.text.length > MAX_BYTES) return new FileError('is larger than 4 MiB; not read', stamp);
        if (r.text.includes('\0'))
          return new FileError('holds NUL bytes: a binary file, not a topology', stamp);
        return { text: r.text, stamp };
      } catch (e) {
        return new FileError(`could not be read: ${e instanceof Error ? e.message : String(e)}`, stamp);
      }
    },
    topologyFiles: () => [],
  };
}
