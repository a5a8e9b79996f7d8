// The Node host: files on disk through server/src/files.ts (the reader the CLI uses too), stamps by
// stat, and symbolic links resolved for the trust check.

import { ruleDocUrl } from '../docs';
import { fileStamp, findTopologyFiles, readTopologyFile, realPath } from '../files';
import { FileError, type Host } from './host';
import { inputActivity } from './activity';
import { realClock } from './scheduler';
import { pathUri, uriPath } from './uri';

export function nodeHost(): Host & { sync: true } {
  return {
    platform: `node ${process.version}`,
    sync: true,
    clock: realClock(inputActivity),
    read(key) {
      const p = uriPath(key);
      if (!p) return new FileError('is not a file on this machine (only file: URIs are read)', 'none');
      const r = readTopologyFile(p);
      return r instanceof Error ? new FileError(r.message, fileStamp(p)) : r;
    },
    stamp(key) {
      const p = uriPath(key);
      return p ? fileStamp(p) : 'none';
    },
    realKey(key) {
      const p = uriPath(key);
      return p ? pathUri(realPath(p)) : key;
    },
    topologyFiles(folders) {
      const paths = folders.map(uriPath).filter((p): p is string => p !== undefined);
      return findTopologyFiles(paths).map(pathUri);
    },
    ruleLink: (code) => ruleDocUrl(code),
  };
}
