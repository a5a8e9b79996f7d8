// `irqtopo routes` and `irqtopo inject`, run in-process with a captured IO.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { ROOT } from '../core/helpers';
import { run } from './check.test';

const ISSUE = 'test/fixtures/sim/issue-example.irqtopo';

describe('irqtopo routes', () => {
  it('prints the JSON shape of issue 3 (nic0.q[1] on CPU 1, vector 32, message 0xfee01000 / 32)', async () => {
    const r = await run(['routes', ISSUE, '--format', 'json']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.deepEqual(Object.keys(j), ['routes', 'cpus', 'domains']);
    assert.deepEqual(j.routes[1], {
      irq: 'nic0.q[1]',
      cpu: 1,
      vector: 32,
      lpi: null,
      path: ['PCI-MSIX-0000:03:00.0', 'VECTOR'],
      hops: [
        { domain: 'PCI-MSIX-0000:03:00.0', hwirq: 1 },
        { domain: 'VECTOR', hwirq: 32 },
      ],
      message: { address_hi: 0, address_lo: 4276097024, data: 32 },
    });
    // 201 vectors per CPU (newest rules); CPUs 0 and 1 hold one each
    assert.deepEqual(j.cpus[0], { cpu: 0, apic_id: 0, used: 1, available: 200 });
    assert.deepEqual(j.cpus[2], { cpu: 2, apic_id: 2, used: 0, available: 201 });
    assert.deepEqual(
      j.domains.find((d: { name: string }) => d.name === 'VECTOR'),
      { name: 'VECTOR', used: 2, size: 804 },
    );
  });

  it('prints a table with the interrupt, CPU, vector, IRTE, message and path', async () => {
    const r = await run(['routes', 'examples/two-ir-units.irqtopo']);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.split('\n');
    assert.match(lines[0], /^INTERRUPT\s+CPU\s+VECTOR\/LPI\s+IRTE\/EVENT\s+MESSAGE\s+PATH$/);
    const admin = lines.find((l) => l.startsWith('nvme0.admin'))!;
    assert.match(
      admin,
      /^nvme0\.admin\s+0\s+0x21\s+IRTE 0\s+0xfee00018 \/ 0x0000\s+IR-PCI-MSIX-0000:31:00\.0\[0\] > IR-0\[0\] > VECTOR$/,
    );
    assert.match(r.out, /^IR-0\s+27\/65536\s+IRTE$/m);
    assert.match(r.err, /48 interrupts simulated: 0 not allocated, 0 errors/);
  });

  it('exits 1 and says why when an interrupt cannot be allocated', async () => {
    const r = await run(['routes', 'test/fixtures/checks/vector-exhausted/fire.irqtopo']);
    assert.equal(r.code, 1);
    assert.match(r.out, /nic0\.q\[0\]\s+-\s+-\s+-\s+-\s+not allocated: vector-exhausted/);
    assert.match(r.err, /fire\.irqtopo:8:5: error vector-exhausted: nic0\.q\[0\] finds no free vector/);
  });

  it('refuses a file it cannot simulate, and bad usage', async () => {
    const r = await run(['routes', 'x.irqtopo'], {
      [path.join(ROOT, 'x.irqtopo')]: 'cpus 0-1\n',
    });
    assert.equal(r.code, 1);
    assert.match(r.err, /cannot be simulated: no arch/);
    assert.equal((await run(['routes'])).code, 2);
    assert.equal((await run(['routes', ISSUE, '--format', 'sarif'])).code, 2);
  });
});

describe('irqtopo inject', () => {
  it('names the interrupt that fires (issue 3 JSON)', async () => {
    const r = await run(['inject', ISSUE, '0xfee01000', '0x20', '--from', 'nic0', '--format', 'json']);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(JSON.parse(r.out), { irq: 'nic0.q[1]', cpu: 1, vector: 32 });
  });

  it('says why nothing fires', async () => {
    const r = await run(['inject', ISSUE, '0xfee01000', '0x30', '--from', 'nic0', '--format', 'json']);
    assert.equal(r.code, 1);
    assert.deepEqual(JSON.parse(r.out), {
      irq: null,
      reason: "CPU 1 vector 0x30 is not allocated: the kernel would log 'No irq handler for vector'",
    });
    const t = await run(['inject', ISSUE, '0xfee01000', '0x30', '--from', 'nic0']);
    assert.match(t.out, /^no interrupt fires: CPU 1 vector 0x30 is not allocated/);
  });

  it('resolves remappable writes through the device IR unit, with its source-id check', async () => {
    const ok = await run([
      'inject',
      'examples/two-ir-units.irqtopo',
      '0xfee00218',
      '0x2',
      '--from',
      'ahci0',
      '--format',
      'json',
    ]);
    // handle 16 + subhandle 2 = IRTE 18: ahci0.ports[2], CPU 31 vector 0x21
    assert.deepEqual(JSON.parse(ok.out), { irq: 'ahci0.ports[2]', cpu: 31, vector: 0x21 });
    const foreign = await run([
      'inject',
      'examples/two-ir-units.irqtopo',
      '0xfee00018',
      '0',
      '--from',
      'nic0',
      '--format',
      'json',
    ]);
    assert.equal(foreign.code, 1);
    assert.match(
      JSON.parse(foreign.out).reason,
      /IRTE 0 of 'IR-0' belongs to nvme0\.admin .*source-id check rejects a write from nic0/,
    );
    const compat = await run([
      'inject',
      'examples/two-ir-units.irqtopo',
      '0xfee00000',
      '0x20',
      '--from',
      'nvme0',
      '--format',
      'json',
    ]);
    assert.match(
      JSON.parse(compat.out).reason,
      /compatibility-format write .* blocks compatibility-format MSIs/,
    );
  });

  it('resolves ITS writes by device ID and event', async () => {
    const r = await run([
      'inject',
      'examples/arm64-gicv3-its.irqtopo',
      '0x0e060040',
      '1',
      '--from',
      'nvme0',
      '--format',
      'json',
    ]);
    // CPU 0: derived in examples/arm64-gicv3-its.irqtopo (5.19+ parking)
    assert.deepEqual(JSON.parse(r.out), { irq: 'nvme0.q[1]', cpu: 0, vector: null, lpi: 8193 });
    const bad = await run([
      'inject',
      'examples/arm64-gicv3-its.irqtopo',
      '0x0e060040',
      '9',
      '--from',
      'nvme0',
      '--format',
      'json',
    ]);
    assert.match(JSON.parse(bad.out).reason, /event 9 of device ID 0x9100 \(nvme0\) is not mapped/);
  });

  it('rejects bad usage', async () => {
    assert.equal((await run(['inject', ISSUE, '0xfee01000', '0x20'])).code, 2);
    assert.equal((await run(['inject', ISSUE, 'zz', '0x20', '--from', 'nic0'])).code, 2);
    assert.equal((await run(['inject', ISSUE, '0xfee01000', '0x20', '--from', 'nope'])).code, 2);
  });
});

describe('irqtopo import (wired into the CLI)', () => {
  it('imports a /proc/interrupts dump and the result simulates', async () => {
    const r = await run(['import', 'test/fixtures/sim/proc-interrupts-2cpu.txt']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^arch x86$/m);
    const routes = await run(['routes', 'imported.irqtopo', '--format', 'json'], {
      [path.join(ROOT, 'imported.irqtopo')]: r.out,
    });
    assert.ok(JSON.parse(routes.out).routes.length > 0);
  });
});
