// The CLI's window on the world, passed in so tests can run commands in-process.
export interface CliIO {
  out(s: string): void;
  err(s: string): void;
  readFile(path: string): string | Error;
  /** reads an included file (default: readFile); the CLI reads only regular *.irqtopo files */
  readInclude?(path: string): string | Error;
  cwd: string;
}
