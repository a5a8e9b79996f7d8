// `irqtopo capture --script`: a POSIX sh script that writes the same bundle as `irqtopo capture`
// (collect.ts) on a machine without Node, with cat, ls and find, the shell's own builtins (test,
// read, case, printf), and dmesg for the kernel log lines. It is generated from the same source lists
// (sources.ts), so both write the same sections in the same order with the same words.

import {
  BUNDLE_FIRST_LINE,
  CPUINFO,
  CPU_GLOBS,
  DEBUGFS,
  DEBUGFS_GLOBS,
  DEBUGFS_IRQ,
  DMESG_PATTERNS,
  DMESG_SECTION,
  FIXED_FILES,
  PER_DIR,
  REASON,
} from './sources';

/** A single-quoted shell word. */
const sq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export function captureScript(version: string): string {
  const L: string[] = [];
  L.push('#!/bin/sh');
  L.push(`# irqtopo ${version} capture script: writes this machine's interrupt sources as one text bundle`);
  L.push('# (the format `irqtopo import` reads). Run it as root to include /sys/kernel/debug/irq:');
  L.push('#   sh irqtopo-capture.sh > capture.txt');
  L.push(
    '# It reads files with cat, folders with ls and find, and the kernel log with dmesg; it writes nothing',
  );
  L.push('# else and changes nothing on the machine.');
  L.push('LC_ALL=C');
  L.push('export LC_ALL');
  L.push(`printf '%s\\n' ${sq(BUNDLE_FIRST_LINE)}`);
  L.push('sec() { printf \'==> %s <==\\n\' "$1"; }');
  L.push('bad() { printf \'!! unreadable: %s\\n\' "$1"; }');
  L.push('# one FILE: its text, or why it cannot be read');
  L.push('one() {');
  L.push('  sec "$1"');
  L.push(`  if [ ! -e "$1" ]; then bad ${sq(REASON.noFile)}`);
  L.push(`  elif [ ! -f "$1" ]; then bad ${sq(REASON.notRegular)}`);
  L.push(`  elif [ ! -r "$1" ]; then bad ${sq(REASON.denied)}`);
  L.push(`  elif c=$(cat "$1" 2>/dev/null); then printf '%s\\n' "$c"`);
  L.push(`  else bad ${sq(REASON.readError)}; fi`);
  L.push('}');
  L.push('# opt FILE: as one, skipped when the file does not exist');
  L.push('opt() { if [ -e "$1" ]; then one "$1"; fi; }');
  L.push('# list DIR: the names in a folder, one a line');
  L.push('list() {');
  L.push('  if [ -d "$1" ]; then');
  L.push('    sec "$1/"');
  L.push(`    if [ -r "$1" ] && [ -x "$1" ]; then ls "$1"; else bad ${sq(REASON.denied)}; fi`);
  L.push('  fi');
  L.push('}');
  for (const f of FIXED_FILES) L.push(`one ${f}`);
  for (const g of CPU_GLOBS) L.push(`for f in ${g.dir}${g.prefix}*/${g.file}; do opt "$f"; done`);
  L.push(`sec ${CPUINFO.path}`);
  L.push(`if [ ! -e ${CPUINFO.path} ]; then bad ${sq(REASON.noFile)}`);
  L.push(`elif [ ! -r ${CPUINFO.path} ]; then bad ${sq(REASON.denied)}`);
  L.push(
    `else while IFS= read -r l; do case $l in ${CPUINFO.keep.map((k) => `${k}*`).join('|')}) printf '%s\\n' "$l";; esac; done < ${CPUINFO.path}; fi`,
  );
  for (const d of PER_DIR) {
    L.push(`for d in ${d.dir}*/; do`);
    L.push('  [ -d "$d" ] || continue');
    for (const f of d.files) L.push(`  opt "\${d}${f}"`);
    for (const g of d.globs ?? []) L.push(`  for f in "\${d}${g}"*; do opt "$f"; done`);
    for (const l of d.listings ?? []) L.push(`  list "\${d}${l}"`);
    L.push('done');
  }
  // debugfs: every domains/ and irqs/ file, or the reason it cannot be read
  L.push(`if [ -d ${DEBUGFS_IRQ} ]; then`);
  L.push(`  if [ -r ${DEBUGFS_IRQ}/irqs ] && [ -x ${DEBUGFS_IRQ}/irqs ]; then`);
  for (const g of DEBUGFS_GLOBS) L.push(`    for f in ${DEBUGFS_IRQ}/${g}*; do opt "$f"; done`);
  L.push(`  else sec ${DEBUGFS_IRQ}/; bad ${sq(REASON.debugfsIrqRoot)}; fi`);
  L.push(`elif [ -d ${DEBUGFS} ] && ! { [ -r ${DEBUGFS} ] && [ -x ${DEBUGFS} ]; }; then`);
  L.push(`  sec ${DEBUGFS_IRQ}/; bad ${sq(REASON.debugfsRoot)}`);
  L.push('else');
  L.push('  m=no');
  L.push('  if [ -r /proc/self/mounts ]; then');
  L.push('    while read -r dev mnt typ rest; do');
  L.push(`      if [ "$mnt" = ${DEBUGFS} ] && [ "$typ" = debugfs ]; then m=yes; fi`);
  L.push('    done < /proc/self/mounts');
  L.push('  fi');
  L.push(`  sec ${DEBUGFS_IRQ}/`);
  L.push(
    `  if [ $m = yes ]; then bad ${sq(REASON.noIrqDebugfs)}; else bad ${sq(REASON.debugfsNotMounted)}; fi`,
  );
  L.push('fi');
  // the kernel log lines about the APIC driver, x2APIC, the IR units and the IO-APICs
  const pats = DMESG_PATTERNS.map((p) => `*${sq(p)}*`).join('|');
  L.push(`sec ${DMESG_SECTION}`);
  L.push('if ! command -v dmesg >/dev/null 2>&1; then');
  L.push(`  bad ${sq(REASON.noDmesg)}`);
  L.push('elif log=$(dmesg 2>/dev/null); then');
  L.push(
    `  printf '%s\\n' "$log" | while IFS= read -r l; do case $l in ${pats}) printf '%s\\n' "$l";; esac; done`,
  );
  L.push('else');
  L.push(`  bad ${sq(REASON.dmesgDenied)}`);
  L.push('fi');
  return `${L.join('\n')}\n`;
}
