// The Domains and Routes views and the diagram panel, read through the extension's own providers (what
// the tree views show) and VS Code's code-lens and tab APIs. Expected values come from
// examples/two-ir-units.irqtopo (its hierarchy drawing and its `expect ... path` lines).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, children, example, labelOf, waitForAsync } from './util';

async function openTwoIrUnits(): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(example('two-ir-units.irqtopo'));
  return vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
}

interface LabelTree {
  label: string;
  description: string;
  children: LabelTree[];
}

/** The whole tree as labels (what the view shows when every item is expanded). */
async function labelTree(
  p: vscode.TreeDataProvider<unknown>,
  parent?: unknown,
  depth = 0,
): Promise<LabelTree[]> {
  if (depth > 8) return [];
  const level = await children(p, parent);
  return Promise.all(
    level.map(async (c) => ({
      label: labelOf(c.item),
      description: String(c.item.description ?? ''),
      children: await labelTree(p, c.element, depth + 1),
    })),
  );
}

const find = (ts: LabelTree[], label: string): LabelTree | undefined => ts.find((t) => t.label === label);
const labels = (ts: LabelTree[] | undefined): string[] => (ts ?? []).map((t) => t.label);

/**
 * The views follow the active editor asynchronously: wait until the tree is the one of
 * two-ir-units.irqtopo (it has `IMS-dsa0` under `IR-0`; ims-under-pci-msi.irqtopo does not).
 */
async function twoIrUnitsDomains(p: vscode.TreeDataProvider<unknown>): Promise<LabelTree[]> {
  let last: LabelTree[] = [];
  try {
    return await waitForAsync('the Domains view of two-ir-units.irqtopo', async () => {
      last = await labelTree(p);
      const ir0 = find(find(last, 'VECTOR')?.children ?? [], 'IR-0');
      return labels(ir0?.children).includes('IMS-dsa0') ? last : undefined;
    });
  } catch (e) {
    throw new Error(
      `${(e as Error).message}; the view shows ${JSON.stringify(last, ['label', 'children'])}`,
      {
        cause: e,
      },
    );
  }
}

describe('irqtopo views and diagram', () => {
  before(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('the Domains view shows the hierarchy, root first', async () => {
    await openTwoIrUnits();
    const { views } = await api();
    const roots = await twoIrUnitsDomains(views.domains);
    assert.deepEqual(labels(roots), ['VECTOR'], 'one root, the x86 vector domain');
    const level1 = find(roots, 'VECTOR')!.children;
    for (const d of ['DMAR-MSI', 'IR-0', 'IR-1'])
      assert.ok(find(level1, d), `${d} under VECTOR: ${labels(level1).join(', ')}`);
    const underIr0 = labels(find(level1, 'IR-0')!.children);
    for (const d of ['IO-APIC-8', 'IO-APIC-9', 'HPET-MSI-0', 'IMS-dsa0', 'IR-PCI-MSIX-0000:6a:01.0']) {
      assert.ok(underIr0.includes(d), `${d} under IR-0: ${underIr0.join(', ')}`);
    }
    const underIr1 = labels(find(level1, 'IR-1')!.children);
    assert.ok(underIr1.includes('IMS-dsa1'), `IMS-dsa1 under IR-1: ${underIr1.join(', ')}`);
    assert.ok(!underIr0.includes('IMS-dsa1'), 'IMS-dsa1 is not under IR-0');
    assert.match(find(level1, 'IR-0')!.description, /remap/, 'the item describes its kind');
  });

  it('clicking a Domains item reveals its declaration', async () => {
    await openTwoIrUnits();
    const { views } = await api();
    await twoIrUnitsDomains(views.domains);
    const roots = await children(views.domains);
    const ir1 = (await children(views.domains, roots[0].element)).find((c) => labelOf(c.item) === 'IR-1');
    assert.ok(ir1?.item.command, 'IR-1 has a command');
    // move the cursor away first so the reveal has to move it
    const editor = await openTwoIrUnits();
    editor.selection = new vscode.Selection(0, 0, 0, 0);
    await vscode.commands.executeCommand(ir1.item.command.command, ...(ir1.item.command.arguments ?? []));
    const active = vscode.window.activeTextEditor;
    assert.ok(active, 'an editor is active');
    const line = active.document.lineAt(active.selection.active.line).text;
    assert.match(line, /^domain IR-1 : remap\b/, `the cursor is on: ${line}`);
  });

  it('the Routes view lists device -> interrupt -> hop, as the example expects', async () => {
    await openTwoIrUnits();
    const { views } = await api();
    await twoIrUnitsDomains(views.domains); // the store now follows two-ir-units.irqtopo
    const devices = await waitForAsync('the Routes view to fill', async () => {
      const r = await children(views.routes);
      return r.length > 0 ? r : undefined;
    });
    const names = devices.map((d) => labelOf(d.item));
    for (const d of ['dsa0', 'dsa1', 'serial0'])
      assert.ok(names.includes(d), `device ${d}: ${names.join(', ')}`);
    // `expect dsa0.wq[0] path IMS-dsa0 > IR-0 > VECTOR` and `expect serial0.ttyS0 path IO-APIC-8 > IR-0 > VECTOR`
    for (const [device, irq, path] of [
      ['dsa0', 'wq[0]', ['IMS-dsa0', 'IR-0', 'VECTOR']],
      ['serial0', 'ttyS0', ['IO-APIC-8', 'IR-0', 'VECTOR']],
    ] as const) {
      const dev = devices.find((d) => labelOf(d.item) === device)!;
      const irqs = await children(views.routes, dev.element);
      const it = irqs.find((i) => [irq, `${device}.${irq}`].includes(labelOf(i.item)));
      assert.ok(it, `interrupt ${device}.${irq} among ${irqs.map((i) => labelOf(i.item)).join(', ')}`);
      assert.match(String(it.item.description ?? ''), /CPU \d+/, 'the interrupt shows its CPU');
      const hops = await children(views.routes, it.element);
      assert.deepEqual(
        hops.map((h) => labelOf(h.item)),
        [...path],
        `${device}.${irq} hops`,
      );
      for (const h of hops)
        assert.ok(h.item.description, `hop ${labelOf(h.item)} describes its hwirq/resource`);
      assert.ok(it.item.tooltip, 'the interrupt has a tooltip (route and message)');
    }
  });

  it('the code lens "Show route" opens the diagram panel', async () => {
    const editor = await openTwoIrUnits();
    const uri = editor.document.uri;
    const a = await api();
    const diagram = () => a.diagram();
    diagram()?.panel.dispose();
    const lenses = await waitForAsync('code lenses on two-ir-units.irqtopo', async () => {
      const ls = await vscode.commands.executeCommand<vscode.CodeLens[]>(
        'vscode.executeCodeLensProvider',
        uri,
        100,
      );
      const withCommand = (ls ?? []).filter((l) => l.command?.command === 'irqtopo.showRoute');
      return withCommand.length > 0 ? withCommand : undefined;
    });
    const lens = lenses.find((l) =>
      editor.document.lineAt(l.range.start.line).text.startsWith('device dsa0'),
    );
    assert.ok(lens?.command, 'a "Show route" lens on device dsa0');
    assert.match(lens.command.title, /Show route/);
    await vscode.commands.executeCommand(lens.command.command, ...(lens.command.arguments ?? []));
    const panel = await waitForAsync('the diagram panel', () => Promise.resolve(diagram()?.panel));
    assert.equal(panel.viewType, 'irqtopo.diagram');
    assert.equal(panel.title, 'Interrupt Routes');
    const tab = await waitForAsync('an editor tab for the diagram', () =>
      Promise.resolve(
        vscode.window.tabGroups.all
          .flatMap((g) => g.tabs)
          .find(
            (t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('irqtopo.diagram'),
          ),
      ),
    );
    assert.equal(tab.label, 'Interrupt Routes');
    // the webview itself reports that it drew the model (its `rendered` message to the extension)
    const rendered = await waitForAsync('the diagram webview to report a render', () =>
      Promise.resolve(diagram()?.lastRendered),
    );
    assert.ok(rendered, 'rendered');
  });
});
