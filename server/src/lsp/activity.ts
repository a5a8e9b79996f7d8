// Incoming messages as they are dispatched, so that analyses wait for the requests already received:
// vscode-jsonrpc dispatches one message per macrotask, and the scheduler yields until a few
// macrotasks pass without one (see realClock in ./scheduler.ts).

import type { ConnectionOptions } from 'vscode-languageserver';

let dispatched = 0;

/** Messages dispatched so far. */
export function inputActivity(): number {
  return dispatched;
}

/** Options for createConnection that count each message as it is dispatched. */
export const connectionOptions: ConnectionOptions = {
  messageStrategy: {
    handleMessage(message, next) {
      dispatched++;
      return next(message);
    },
  },
};
