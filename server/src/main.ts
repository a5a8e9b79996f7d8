// dist/server.js: one bundle for the language server and the command line, entered three ways:
//   - in a web worker (vscode.dev, github.dev: the extension's browser entry starts this file as a
//     Worker): the language server over the worker's messages (./browser);
//   - under Node, run as a program (`irqtopo-language-server`, the VS Code extension over node IPC, any
//     editor over stdio): the language server (./server);
//   - under Node, required by dist/cli.js (the `irqtopo` bin and the extension's task): `cli()` runs the
//     command line (./cli).
// One bundle rather than three, so that the core and the LSP libraries ship once: the .vsix must stay
// under 1 MB (issue 15). Each way loads only its own modules: esbuild turns each `import()` below into a
// module that runs only when reached, so the worker never evaluates a Node module. The bundle is an
// IIFE (a plain script, as a worker needs), which scripts/build.mjs makes `module.exports` under Node.

declare const WorkerGlobalScope: (abstract new () => unknown) | undefined;

/** The `irqtopo` command line on this process's arguments (dist/cli.js). */
export function cli(): void {
  void import('./cli').then((m) => m.run());
}

function inWorker(): boolean {
  return typeof WorkerGlobalScope === 'function' && self instanceof WorkerGlobalScope;
}

if (inWorker()) void import('./browser').then((m) => m.run());
else if (require.main === module) void import('./server').then((m) => m.run());
