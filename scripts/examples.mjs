// `npm run examples`: the main job on the bundled examples. `irqtopo check` exits 1 when it finds
// errors, and one example (ims-under-pci-msi) is wrong on purpose, so 0 and 1 are both success here;
// 2 (usage or I/O error) is not.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const examples = readdirSync('examples')
  .filter((f) => f.endsWith('.irqtopo'))
  .sort()
  .map((f) => `examples/${f}`);

function run(args) {
  console.log(`\n$ irqtopo ${args.join(' ')}`);
  const r = spawnSync(process.execPath, ['dist/cli.js', ...args], { stdio: 'inherit' });
  return r.status ?? 2;
}

let status = run(['check', ...examples]) > 1 ? 1 : 0;
if (process.argv.includes('--no-routes')) process.exit(status);
// the route table of an example (issue 3); skipped while the CLI has no `routes` command
const help = spawnSync(process.execPath, ['dist/cli.js', 'help'], { encoding: 'utf8' });
if (/\broutes\b/.test(help.stdout)) {
  for (const f of ['examples/two-ir-units.irqtopo', 'examples/arm64-gicv3-its.irqtopo'])
    if (run(['routes', f]) > 1) status = 1;
}
process.exit(status);
