// Reads the dump parts of an input line by line: /proc/interrupts, debugfs irqs/<n>, debugfs
// domains/<name> with the VECTOR matrix, an `ls` of the domains folder, tolerating grep-style `file:`
// prefixes, shell prompts, kernel log lines and trailing annotations. Capture-bundle sections and
// machine files are split off first (bundle.ts). Pure; never throws on any text; every line shape is
// matched in linear time (shapes.ts).

import { irqKey, type IrqRecordSink } from './irqrecord';
import type {
  DebugDomain,
  DebugIrq,
  Format,
  IrqLevel,
  Matrix,
  ParsedInput,
  ProcRow,
  ProcTable,
  ProblemSeverity,
  Src,
} from './types';
import { emptyMachine } from './types';
import {
  DOMAIN_KEYS,
  IRQ_KEYS,
  MATRIX_KEYS,
  command,
  isBareFlagName,
  isDmesg,
  isElision,
  isFlagName,
  isMatrixRow,
  isNote,
  lsLongName,
  matchKey,
  matrixHeader,
  parseDescriptor,
  procHeader,
  procRowKey,
  readCounts,
  stripAnnotation,
} from './shapes';
import { MAX_CPUS, MAX_IRQ, MAX_NAME, MAX_SHAPE_LINE, isSpace, parseIdList, parseNum, tokens } from './util';

export { parseDescriptor } from './shapes';

const IRQ_KEY_SET = new Set(IRQ_KEYS);
const DOMAIN_KEY_SET = new Set(DOMAIN_KEYS);
const MATRIX_KEY_SET = new Set(MATRIX_KEYS);
/** debugfs chains deeper than this are not the kernel's (x86 has at most 4 levels) */
const MAX_LEVELS = 32;

/** The grep-style `file:` prefix of a line, if the rest is a known dump line. */
function grepPrefix(line: string): string | undefined {
  let from = 0;
  for (let k = 0; k < 12; k++) {
    const i = line.indexOf(':', from);
    if (i <= 0) return undefined;
    const prefix = line.slice(0, i);
    for (let k = 0; k < prefix.length; k++) if (isSpace(prefix.charCodeAt(k))) return undefined;
    const rest = line.slice(i + 1);
    if (
      matchKey(rest) ||
      isFlagName(rest) ||
      matrixHeader(rest) ||
      isMatrixRow(rest) ||
      procHeader(rest) ||
      procRowKey(rest)
    )
      return prefix;
    from = i + 1;
  }
  return undefined;
}

function basename(p: string): string {
  const t = p.replace(/\/+$/, '');
  const i = t.lastIndexOf('/');
  return i >= 0 ? t.slice(i + 1) : t;
}

function stripQuotes(s: string): string {
  const t = s.trim();
  if (t.length >= 2 && ((t[0] === "'" && t.endsWith("'")) || (t[0] === '"' && t.endsWith('"'))))
    return t.slice(1, -1);
  return t;
}

export interface LineIn {
  /** the 1-based line number in the input */
  no: number;
  raw: string;
}

interface Line extends LineIn {
  /** the line without its grep prefix and trailing annotation */
  text: string;
  prefix?: string;
}

export function newParsed(name: string): ParsedInput {
  return {
    name,
    formats: [],
    procTables: [],
    irqs: [],
    domains: [],
    matrices: [],
    ls: [],
    machine: emptyMachine(),
    kept: [],
    factLines: 0,
    lineCount: 0,
  };
}

/** Reads the dump lines of one input, section by section, into `out`. */
export class Reader {
  private table: ProcTable | undefined;
  private irq: DebugIrq | undefined;
  /** a blank line inside an irqs/ record: the record goes on if a level key follows */
  private irqGap = false;
  private level: IrqLevel | undefined;
  private domain: (DebugDomain & { indent: number; pendingParent?: { name: string; src: Src } }) | undefined;
  private matrix: Matrix | undefined;
  private lsMode = false;
  /** the last command that is neither `cat` nor `ls`: its output is context, not a dump */
  private otherCommand: string | undefined;
  private pendingName: string | undefined;
  private lastPrefix: string | undefined;
  private path: string | undefined;
  private readonly formats = new Set<Format>();
  /** the irq numbers of the current /proc/interrupts table */
  private readonly tableIrqs = new Set<number>();

  constructor(
    private readonly name: string,
    readonly out: ParsedInput,
  ) {}

  private src(l: LineIn): Src {
    return this.path !== undefined
      ? { file: this.name, line: l.no, path: this.path }
      : { file: this.name, line: l.no };
  }

  keep(l: LineIn, why: string, severity: ProblemSeverity = 'warning'): void {
    this.out.kept.push({ src: this.src(l), text: l.raw, why, severity });
  }

  private fact(): void {
    this.out.factLines++;
    this.otherCommand = undefined;
  }

  /** Reads one section: the lines of a bundle section (its path given) or of a whole input. */
  section(path: string | undefined, lines: readonly LineIn[]): void {
    this.closeRecords();
    this.table = undefined;
    this.lsMode = false;
    this.otherCommand = undefined;
    this.path = path;
    // a file read from a debugfs folder carries its irq number or domain name in its path
    const where = path ?? this.name;
    const m = /(?:^|[/\\])(?:irqs[/\\](\d{1,8})|domains[/\\]([^/\\]{1,256}))$/.exec(where.slice(-300));
    this.pendingName = m ? (m[1] ?? m[2]) : undefined;
    // grep-style when most non-blank lines carry a `file:` prefix
    const prefixes = lines.map((l) => grepPrefix(l.raw));
    const nonBlank = lines.filter((l) => l.raw.trim() !== '').length;
    const prefixed = prefixes.filter((p) => p !== undefined).length;
    const grepStyle = prefixed > 0 && prefixed * 2 >= nonBlank;
    let last: string | undefined;
    for (let i = 0; i < lines.length; i++) {
      const raw = lines[i].raw;
      let prefix = grepStyle ? prefixes[i] : undefined;
      // a line of the same file whose content is not a known shape keeps its file's prefix
      if (grepStyle && prefix === undefined && last !== undefined && raw.startsWith(last + ':'))
        prefix = last;
      if (prefix !== undefined) last = prefix;
      let text = prefix !== undefined ? raw.slice(prefix.length + 1) : raw;
      text = stripAnnotation(text);
      this.line({ no: lines[i].no, raw, text, prefix });
    }
    this.closeRecords();
  }

  finish(): void {
    this.closeRecords();
    for (const f of this.formats) if (!this.out.formats.includes(f)) this.out.formats.push(f);
  }

  private closeRecords(): void {
    this.closeIrq();
    this.closeDomain();
    this.matrix = undefined;
  }

  private closeIrq(): void {
    if (this.irq) this.out.irqs.push(this.irq);
    this.irq = undefined;
    this.level = undefined;
    this.irqGap = false;
  }

  private closeDomain(): void {
    const d = this.domain;
    if (d) {
      if (d.pendingParent) d.chain.push({ name: d.pendingParent.name, src: d.pendingParent.src });
      this.out.domains.push({ chain: d.chain, matrix: d.matrix, fileName: d.fileName, src: d.src });
    }
    this.domain = undefined;
    this.matrix = undefined;
  }

  private line(l: Line): void {
    if (l.prefix !== this.lastPrefix) {
      if (l.prefix !== undefined) {
        this.closeRecords();
        this.pendingName = basename(l.prefix);
      }
      this.lastPrefix = l.prefix;
    }
    const t = l.text;
    if (t.trim() === '') {
      this.closeDomain();
      if (this.irq) this.irqGap = true;
      return;
    }
    const key = matchKey(t);
    if (this.irqGap) {
      // Documentation/core-api/irq/managed_irq.rst prints a blank line before `address_hi:`
      const goesOn =
        key !== undefined && key.key !== 'handler' && (IRQ_KEY_SET.has(key.key) || key.key === 'parent');
      if (!goesOn) this.closeIrq();
      this.irqGap = false;
    }
    if (key) return this.keyLine(l, key.indent, key.key, key.value);
    if (isFlagName(t) || (isBareFlagName(t) && (this.irq || this.domain))) {
      if (this.irq || this.domain) {
        if (this.irq && /^\s+IRQD_/.test(t) && this.irq.dstate.length < 64) this.irq.dstate.push(t.trim());
        this.fact();
        return;
      }
      return this.keep(l, 'a flag name outside any irqs/ or domains/ record');
    }
    const mh = matrixHeader(t);
    if (mh) {
      const m = this.ensureMatrix(l);
      m.hasMac = mh.mac;
      this.formats.add('debugfs-domains');
      this.fact();
      return;
    }
    if (this.matrix && isMatrixRow(t)) return this.matrixRow(l);
    const header = procHeader(t);
    if (header) return this.procHeader(l, header.cpus, header.elided);
    const row = procRowKey(t);
    if (row) return this.procRow(l, row.key, row.after);
    if (t.length > MAX_SHAPE_LINE)
      return this.keep(l, `a line of ${t.length} characters that is no /proc/interrupts row: not read`);
    // context lines: kernel log lines, prompts and commands, `ls` output, elisions, notes
    if (isDmesg(t))
      return this.keep(l, 'a kernel log line (no topology fact is read from it)', 'information');
    const cmd = command(l.raw);
    if (cmd) return this.command(cmd.cmd, cmd.args);
    const lsName = lsLongName(t);
    if (lsName) return this.lsNames(l, [lsName]);
    if (this.lsMode && !/:\s/.test(t)) {
      const names = t.match(/'[^']*'|"[^"]*"|\S+/g) ?? [];
      return this.lsNames(l, names);
    }
    if (this.otherCommand !== undefined)
      return this.keep(
        l,
        `output of \`${this.otherCommand}\` (no topology fact is read from it)`,
        'information',
      );
    if (isElision(t)) return this.keep(l, 'an elision: lines were left out of this dump', 'information');
    if (isNote(l.raw)) return this.keep(l, 'a note', 'information');
    this.keep(l, 'not understood');
  }

  private command(cmd: string, args: string): void {
    this.closeRecords();
    this.table = undefined;
    this.lsMode = cmd === 'ls' || cmd === 'll';
    this.pendingName = undefined;
    const isCat = ['cat', 'head', 'tail', 'less', 'more', 'grep', 'egrep', 'find', 'for'].includes(cmd);
    this.otherCommand = this.lsMode || isCat ? undefined : `${cmd}${args.slice(0, 80)}`.trim();
    if (cmd === 'cat' || cmd === 'head' || cmd === 'tail' || cmd === 'less' || cmd === 'more') {
      const paths = tokens(args)
        .map((t) => t.text)
        .filter((a) => !a.startsWith('-'));
      if (paths.length === 1) this.pendingName = basename(stripQuotes(paths[0]));
    }
  }

  private lsNames(l: Line, names: string[]): void {
    this.closeRecords();
    for (const n of names) {
      const name = stripQuotes(n).trim();
      if (name === '' || name === '.' || name === '..' || name === 'total' || name.length > MAX_NAME)
        continue;
      this.out.ls.push({ name, src: this.src(l) });
    }
    this.formats.add('ls-domains');
    this.fact();
  }

  // ---- debugfs key lines ----

  private keyLine(l: Line, indent: number, key: string, value: string): void {
    this.lsMode = false;
    if (MATRIX_KEY_SET.has(key)) return this.matrixKey(l, key, value);
    if (key === 'handler' || (IRQ_KEY_SET.has(key) && !this.irq)) {
      this.closeRecords();
      this.table = undefined;
      this.startIrq(l);
    }
    if (IRQ_KEY_SET.has(key)) return this.irqKey(l, key, value);
    if (DOMAIN_KEY_SET.has(key) || !this.irq) {
      if (this.irq) this.closeIrq();
      return this.domainKey(l, indent, key, value);
    }
    // flags / parent inside an irqs/ record
    if (key === 'flags' && value !== '' && parseNum(value) === undefined) return this.bad(l, key, value);
    this.fact();
  }

  private bad(l: LineIn, key: string, value: string, why?: string): void {
    const v = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    this.keep(l, `could not read the value of '${key}:' ('${v}')${why ? `: ${why}` : ''}`);
  }

  private startIrq(l: LineIn): void {
    const n =
      this.pendingName !== undefined && /^\d{1,8}$/.test(this.pendingName)
        ? Number(this.pendingName)
        : undefined;
    this.irq = {
      irq: n !== undefined && n < MAX_IRQ ? n : undefined,
      dstate: [],
      levels: [],
      src: this.src(l),
      file: this.name,
    };
    this.pendingName = undefined;
    this.formats.add('debugfs-irqs');
  }

  private irqKey(l: LineIn, key: string, value: string): void {
    const sink: IrqRecordSink = {
      irq: this.irq!,
      level: this.level,
      src: (x) => this.src(x),
      bad: (x, k, v, why) => this.bad(x, k, v, why),
      keep: (x, why) => this.keep(x, why),
      fact: () => this.fact(),
    };
    irqKey(sink, l, key, value);
    this.level = sink.level;
  }

  private domainKey(l: LineIn, indent: number, key: string, value: string): void {
    const s = this.src(l);
    if (key === 'name') {
      if (value.length > MAX_NAME)
        return this.bad(l, key, value, `a name longer than ${MAX_NAME} characters`);
      if (!this.domain || indent <= this.domain.indent || this.domain.pendingParent === undefined) {
        this.closeRecords();
        this.table = undefined;
        this.domain = { chain: [], indent, fileName: this.pendingName, src: s };
        this.pendingName = undefined;
        this.formats.add('debugfs-domains');
      } else {
        this.domain.pendingParent = undefined;
      }
      if (this.domain.chain.length >= MAX_LEVELS)
        return this.keep(l, `more than ${MAX_LEVELS} parents in one domains/ record: not read`);
      this.domain.chain.push({ name: value, src: s });
      this.fact();
      return;
    }
    const d = this.domain;
    if (!d || d.chain.length === 0) {
      this.keep(l, `'${key}:' outside a domains/ record (no 'name:' line before it)`);
      return;
    }
    const lv = d.chain[d.chain.length - 1];
    if (key === 'parent') {
      if (value === '' || value.length > MAX_NAME) return this.bad(l, key, value);
      d.pendingParent = { name: value, src: s };
      this.fact();
      return;
    }
    const v = parseNum(value);
    if (v === undefined) return this.bad(l, key, value);
    if (key === 'size') lv.size = v;
    else if (key === 'mapped') lv.mapped = v;
    else if (key === 'flags') lv.flags = v;
    this.fact();
  }

  // ---- the VECTOR matrix ----

  private ensureMatrix(l: LineIn): Matrix {
    if (!this.matrix) {
      this.closeIrq();
      this.matrix = { hasMac: true, rows: [], src: this.src(l) };
      this.out.matrices.push(this.matrix);
      if (this.domain) this.domain.matrix = this.matrix;
    }
    return this.matrix;
  }

  private matrixKey(l: LineIn, key: string, value: string): void {
    if (key === 'Online bitmaps' && this.matrix) this.matrix = undefined; // a new snapshot
    const m = this.ensureMatrix(l);
    this.formats.add('debugfs-domains');
    if (key === 'System') {
      const sm = /^(\d{1,3}):\s*(.*)$/.exec(value.slice(0, 2048));
      const list = sm ? parseIdList(sm[2], 256, 'vector') : undefined;
      if (!sm || !list?.ok) return this.bad(l, key, value, list && !list.ok ? list.why : undefined);
      m.systemCount = Number(sm[1]);
      m.system = list.values;
      m.systemSrc = this.src(l);
      this.fact();
      return;
    }
    const v = parseNum(value);
    if (v === undefined) return this.bad(l, key, value);
    if (key === 'Online bitmaps') m.online = v;
    else if (key === 'Global available') m.globalAvailable = v;
    else if (key === 'Global reserved') m.globalReserved = v;
    else if (key === 'Total allocated') m.totalAllocated = v;
    this.fact();
  }

  private matrixRow(l: Line): void {
    const m = this.matrix!;
    const tok = tokens(l.text).map((t) => t.text);
    const n = m.hasMac ? 5 : 4;
    const nums = tok.slice(0, n).map(Number);
    const vectors = tok.length > n ? parseIdList(tok[n], 256, 'vector') : { ok: true as const, values: [] };
    if (tok.length > n + 1 || nums.length < n || nums.some((x) => !Number.isSafeInteger(x)) || !vectors.ok)
      return this.keep(l, 'a VECTOR matrix row that does not have the columns of its header');
    const [cpu, avl, man] = nums;
    if (cpu >= MAX_CPUS)
      return this.keep(l, `a VECTOR matrix row for CPU ${cpu}, beyond the largest possible CPU`);
    if (m.rows.length >= MAX_CPUS) return this.keep(l, 'more VECTOR matrix rows than CPUs can exist');
    m.rows.push({
      cpu,
      avl,
      man,
      mac: m.hasMac ? nums[3] : undefined,
      act: m.hasMac ? nums[4] : nums[3],
      vectors: vectors.values,
      src: this.src(l),
    });
    this.fact();
  }

  // ---- /proc/interrupts ----

  private newTable(): ProcTable {
    const t: ProcTable = { rows: [], perCpu: [], file: this.name };
    this.table = t;
    this.tableIrqs.clear();
    this.out.procTables.push(t);
    return t;
  }

  private procHeader(l: Line, cpus: number[], elided: boolean): void {
    this.closeRecords();
    this.lsMode = false;
    if (cpus[cpus.length - 1] >= MAX_CPUS)
      return this.keep(
        l,
        `a CPU header naming CPU ${cpus[cpus.length - 1]}, beyond the largest possible CPU`,
      );
    const t = this.newTable();
    t.cpus = cpus;
    t.headerSrc = this.src(l);
    if (elided) t.elided = true;
    this.formats.add('proc-interrupts');
    this.fact();
  }

  private procRow(l: Line, key: string, after: string): void {
    this.closeRecords();
    this.lsMode = false;
    const isNumbered = /^\d+$/.test(key);
    // /proc/interrupts prints each irq once, the numbered rows before the per-CPU rows: a numbered
    // row after per-CPU rows, or an irq number seen again, starts another snapshot (another `cat`,
    // maybe another boot; gather.ts decides whether it can be merged)
    const again = isNumbered && key.length <= 8 && this.tableIrqs.has(Number(key));
    if (!this.table || (isNumbered && this.table.perCpu.length > 0) || again) {
      const cpus = again || this.table?.perCpu.length ? this.table?.cpus : undefined;
      const elided = this.table?.elided;
      this.newTable();
      // a snapshot pasted without its header keeps the header it was printed under
      if (cpus && !this.table!.cpus) {
        this.table!.cpus = cpus;
        if (elided) this.table!.elided = true;
      }
    }
    const table = this.table!;
    this.formats.add('proc-interrupts');
    const ncpu = table.cpus && !table.elided ? table.cpus.length : undefined;
    const read = readCounts(after, ncpu);
    const row: ProcRow = { key, counts: read.counts, actions: [], rest: read.rest.trim(), src: this.src(l) };
    if (read.elided || table.elided) row.elided = true;
    if (read.bad !== undefined) {
      this.keep(
        l,
        `a count of ${read.bad} (beyond 2^53, so not a count): the counts of this row are not written`,
      );
      row.elided = true;
    }
    if (isNumbered) {
      const irq = key.length <= 8 ? Number(key) : Infinity;
      if (!(irq < MAX_IRQ))
        return this.keep(l, `irq ${key.slice(0, 12)} is beyond any Linux irq number: not imported`);
      row.irq = irq;
      this.tableIrqs.add(irq);
      const d = parseDescriptor(read.rest);
      if ((d.chip?.length ?? 0) > MAX_NAME || d.actions.some((a) => a.length > MAX_NAME))
        return this.keep(l, `a chip or action name longer than ${MAX_NAME} characters: not imported`);
      if (d.hwirq !== undefined && !Number.isSafeInteger(d.hwirq))
        return this.keep(l, 'a hwirq beyond 2^53: not imported');
      Object.assign(row, d);
      if (ncpu !== undefined && !row.elided && read.counts.length < ncpu)
        this.keep(
          l,
          `this row has ${read.counts.length} counts but the header names ${ncpu} CPUs (truncated?)`,
        );
      if (!row.chip) this.keep(l, 'no chip name after the counts (truncated?)');
      table.rows.push(row);
    } else {
      row.description = read.rest.trim().slice(0, 200) || undefined;
      table.perCpu.push(row);
    }
    this.fact();
  }
}
