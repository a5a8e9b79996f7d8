// The Domains and Routes views and the diagram (issue 5). These features do not exist yet: the tests
// are listed here so that the suite shows what is still missing. Replace each it.skip with the real
// test when the feature lands.
describe('irqtopo views and diagram (TODO: features not built yet)', () => {
  it.skip(
    'TODO: the Domains view lists the hierarchy of examples/two-ir-units.irqtopo, root first, with problem badges',
  );
  it.skip(
    'TODO: the Routes view lists device -> interrupt -> hop, each hop with hwirq/resource, CPU and vector',
  );
  it.skip('TODO: clicking a view item reveals its declaration in the editor');
  it.skip('TODO: the code-lens command "irqtopo: Show Interrupt Routes" opens the diagram webview panel');
});
