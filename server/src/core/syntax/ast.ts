// Syntax nodes as objects, made on demand from the tables (./tree.ts, ./view.ts) for the services
// that want one statement at a time. Every node carries its range (0-based line, UTF-16 character,
// as LSP counts), computed from the file's line index.

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** A name as written: bare (`IR-0`) or quoted (`"IR-PCI-MSIX-0000:00:1f.6-12"`). */
export interface NameNode {
  value: string;
  quoted: boolean;
  range: Range;
}

/** One value atom inside a property or statement argument. */
export type Atom =
  | { kind: 'number'; value: number; text: string; range: Range }
  | { kind: 'name'; value: string; quoted: boolean; range: Range }
  | { kind: 'pci'; segment: number; bus: number; dev: number; fn: number; text: string; range: Range }
  /** `SSSS:BB-BB` */
  | { kind: 'busrange'; segment: number; first: number; last: number; text: string; range: Range }
  /** `A-B` or `A..B`, inclusive */
  | { kind: 'range'; first: number; last: number; text: string; range: Range }
  /** `6.8` */
  | { kind: 'version'; major: number; minor: number; text: string; range: Range }
  | { kind: 'punct'; value: ':' | '>'; range: Range }
  /** a token the value grammar does not know; kept so checks can say `bad-value` at its place */
  | { kind: 'bad'; text: string; range: Range };

/** `name value value, value ...`: values grouped by commas (no group is empty). */
export interface Property {
  name: NameNode;
  groups: Atom[][];
  range: Range;
}

export interface Block {
  properties: Property[];
  range: Range;
}

interface StatementBase {
  range: Range;
  /** the leading keyword */
  keyword: NameNode;
}

/** `arch`, `kernel`, `cpus`, `apic-ids`: a keyword and a value. */
/** `arch`, `kernel`, `cpus`, `apic-ids`, `possible-cpus`, `smt`, `apic`, `ext-dest-id`, `offline`. */
export interface SettingStatement extends StatementBase {
  type: 'setting';
  groups: Atom[][];
}

/** `node N cpus LIST` */
export interface NodeStatement extends StatementBase {
  type: 'node';
  id: Atom | undefined;
  groups: Atom[][];
}

/** `release DEVICE` */
export interface ReleaseStatement extends StatementBase {
  type: 'release';
  device: NameNode | undefined;
}

export interface IncludeStatement extends StatementBase {
  type: 'include';
  path: NameNode | undefined;
}

export interface DomainStatement extends StatementBase {
  type: 'domain';
  name: NameNode;
  kind: NameNode | undefined;
  block: Block | undefined;
}

export interface DeviceStatement extends StatementBase {
  type: 'device';
  name: NameNode;
  block: Block | undefined;
}

/** `DEVICE.NAME[RANGE]?` */
export interface IrqRef {
  device: NameNode;
  name: NameNode | undefined;
  /** `[3]` or `[0..7]` */
  index: { first: number; last: number; range: Range } | undefined;
  range: Range;
}

export interface IrqStatement extends StatementBase {
  type: 'irq';
  target: IrqRef;
  source: { kind: NameNode; args: Atom[]; range: Range } | undefined;
  block: Block | undefined;
}

export interface ExpectClause {
  name: NameNode;
  args: Atom[];
  range: Range;
}

export interface ExpectStatement extends StatementBase {
  type: 'expect';
  target: IrqRef;
  clauses: ExpectClause[];
}

export interface InjectStatement extends StatementBase {
  type: 'inject';
  address: Atom | undefined;
  data: Atom | undefined;
  from: NameNode | undefined;
}

export type Statement =
  | SettingStatement
  | IncludeStatement
  | DomainStatement
  | DeviceStatement
  | IrqStatement
  | ExpectStatement
  | InjectStatement
  | NodeStatement
  | ReleaseStatement;

export interface Comment {
  text: string;
  range: Range;
}

export interface SyntaxError {
  message: string;
  range: Range;
}

export interface SourceFile {
  uri: string;
  statements: Statement[];
  comments: Comment[];
  errors: SyntaxError[];
  /** number of lines in the text */
  lineCount: number;
}
