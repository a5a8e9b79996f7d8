// The diagram webview's page: a fixed skeleton, no data in it (the data arrives as messages and is
// rendered as text nodes). Pure: the host fills in the URIs and a fresh nonce per render; the bench
// loads the same page in Chromium.

export interface PageOptions {
  /** webview.cspSource */
  cspSource: string;
  /** a fresh random nonce for this render */
  nonce: string;
  /** the webview bundle (dist/webview/main.js) as a webview URI */
  scriptUri: string;
  /** the layout worker (dist/webview/layout.js) as a webview URI: fetched, then started from a blob: URL */
  workerUri: string;
  /** codicon.css (dist/webview/codicon.css) as a webview URI */
  codiconUri: string;
}

/** A nonce: 32 characters from [A-Za-z0-9], from the given random source (crypto in the host). */
export function makeNonce(randomBytes: (n: number) => Uint8Array): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(32)].map((b) => chars[b % chars.length]).join('');
}

function attr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Scripts by nonce only; the layout worker is fetched from the extension's own files (connect-src) and
 * started from a blob: URL (worker-src), because a webview's resources are on another origin than the
 * page and a Worker must be same-origin.
 */
export function contentSecurityPolicy(o: Pick<PageOptions, 'cspSource' | 'nonce'>): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${o.nonce}'`,
    `style-src ${o.cspSource} 'nonce-${o.nonce}'`,
    `font-src ${o.cspSource}`,
    `img-src ${o.cspSource} data:`,
    `connect-src ${o.cspSource}`,
    'worker-src blob:',
  ].join('; ');
}

export const DIAGRAM_CSS = `
:root { color-scheme: light dark; }
html, body { height: 100%; margin: 0; padding: 0; overflow: hidden; }
body { display: flex; flex-direction: column; color: var(--vscode-foreground); background: var(--vscode-editor-background);
  font-family: var(--vscode-font-family); font-size: var(--vscode-font-size, 13px); }
#toolbar { display: flex; gap: 6px; align-items: center; padding: 4px 8px; border-bottom: 1px solid var(--vscode-panel-border); flex-wrap: wrap; position: relative; }
#toolbar .title { font-weight: 600; margin-right: 4px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 24ch; }
#toolbar .group { display: inline-flex; gap: 2px; align-items: center; }
#toolbar button { display: inline-flex; align-items: center; gap: 4px; color: var(--vscode-button-secondaryForeground);
  background: var(--vscode-button-secondaryBackground); border: 1px solid var(--vscode-button-border, transparent); border-radius: 2px; padding: 2px 6px; cursor: pointer; font: inherit; }
#toolbar button:hover { background: var(--vscode-button-secondaryHoverBackground); }
#toolbar button[aria-pressed="true"] { background: var(--vscode-button-background); color: var(--vscode-button-foreground); }
#toolbar button:disabled { opacity: 0.5; cursor: default; }
#toolbar select, #toolbar input { color: var(--vscode-dropdown-foreground); background: var(--vscode-dropdown-background); border: 1px solid var(--vscode-dropdown-border); font: inherit; }
#toolbar select { max-width: 22ch; }
#toolbar input { width: 20ch; padding: 1px 4px; color: var(--vscode-input-foreground); background: var(--vscode-input-background); border-color: var(--vscode-input-border, var(--vscode-dropdown-border)); }
#zoom-level { min-width: 5ch; text-align: center; font-variant-numeric: tabular-nums; }
#results { display: none; position: absolute; z-index: 10; top: 100%; left: 8px; max-width: min(60ch, 90vw); max-height: 50vh; overflow: auto; margin: 0; padding: 2px 0; list-style: none;
  background: var(--vscode-quickInput-background, var(--vscode-editorWidget-background)); border: 1px solid var(--vscode-widget-border, var(--vscode-panel-border)); box-shadow: 0 2px 8px var(--vscode-widget-shadow, rgba(0,0,0,.4)); }
#results.shown { display: block; }
#results li { padding: 2px 8px; cursor: pointer; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
#results li.active, #results li:hover { background: var(--vscode-list-activeSelectionBackground, var(--vscode-list-hoverBackground)); color: var(--vscode-list-activeSelectionForeground, inherit); }
#results .kind { color: var(--vscode-descriptionForeground); margin-left: 8px; }
#banner { display: none; padding: 4px 8px; color: var(--vscode-editorWarning-foreground); background: var(--vscode-inputValidation-warningBackground);
  border-bottom: 1px solid var(--vscode-inputValidation-warningBorder); }
#banner.shown { display: block; }
#main { flex: 1; display: flex; min-height: 0; }
#canvas { flex: 1; position: relative; min-width: 0; overflow: hidden; cursor: grab; outline: none; }
#canvas.dragging { cursor: grabbing; }
#graph { width: 100%; height: 100%; display: block; }
#empty { position: absolute; inset: 0; display: flex; align-items: center; justify-content: center; color: var(--vscode-descriptionForeground); pointer-events: none; }
#strip { display: none; position: absolute; left: 8px; right: 8px; top: 8px; padding: 8px 10px; z-index: 5; cursor: default;
  background: var(--vscode-editorWidget-background); border: 1px solid var(--vscode-charts-yellow); border-radius: 4px; box-shadow: 0 2px 8px var(--vscode-widget-shadow, rgba(0,0,0,.4)); }
#strip.shown { display: block; }
#strip .hops { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 0; }
#strip .hop { border: 1px solid var(--vscode-charts-yellow); border-radius: 3px; padding: 2px 8px; cursor: pointer; background: var(--vscode-editor-background); }
#strip .hop.device { border-style: dashed; border-color: var(--vscode-descriptionForeground); }
#strip .hop .name { font-weight: 600; }
#strip .took { display: inline-flex; flex-direction: column; align-items: center; padding: 0 6px; color: var(--vscode-charts-yellow); font-family: var(--vscode-editor-font-family); font-size: 12px; }
#strip .took .arrow-line { color: var(--vscode-descriptionForeground); }
#strip .line { margin-top: 6px; font-family: var(--vscode-editor-font-family); font-size: 12px; overflow-wrap: anywhere; }
#strip .note, #route .note { color: var(--vscode-descriptionForeground); font-style: italic; margin-top: 4px; }
#side { width: 360px; max-width: 45%; overflow: auto; border-left: 1px solid var(--vscode-panel-border); padding: 0 10px 10px; }
#side h2 { font-size: 11px; text-transform: uppercase; letter-spacing: 0.04em; color: var(--vscode-descriptionForeground); margin: 12px 0 6px; }
#route ol { margin: 0; padding-left: 1.6em; }
#route a, .link { color: var(--vscode-textLink-foreground); font-weight: 600; cursor: pointer; text-decoration: none; }
#route li { padding: 2px 4px; cursor: pointer; border-radius: 2px; }
#route li:hover, #route li.active { background: var(--vscode-list-hoverBackground); }
#route .hop-domain { font-weight: 600; }
#route .hop-resource { color: var(--vscode-descriptionForeground); }
#route .placement, #route .message { font-family: var(--vscode-editor-font-family); font-size: 12px; margin-top: 6px; white-space: pre-wrap; overflow-wrap: anywhere; }
.failure { color: var(--vscode-errorForeground); margin-top: 6px; }
#problems li { margin: 2px 0; }
#problems .sev-error { color: var(--vscode-errorForeground); }
#problems .sev-warning { color: var(--vscode-editorWarning-foreground); }
#problems .sev-information, #problems .sev-hint { color: var(--vscode-editorInfo-foreground); }
@media (max-width: 1000px) {
  #main { flex-direction: column; }
  #side { width: auto; max-width: none; height: 42%; flex: none; border-left: none; border-top: 1px solid var(--vscode-panel-border);
    display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1.3fr); column-gap: 16px; align-content: start; }
  #side #cpus { grid-column: 2; grid-row: 1 / span 2; }
}
.muted { color: var(--vscode-descriptionForeground); }
svg text { font-family: var(--vscode-font-family); fill: var(--vscode-foreground); }
.node rect.box { fill: var(--vscode-editorWidget-background); stroke: var(--vscode-editorWidget-border, var(--vscode-panel-border)); stroke-width: 1px; vector-effect: non-scaling-stroke; }
.node { cursor: pointer; }
.node text.detail { fill: var(--vscode-descriptionForeground); font-size: 11px; }
.node text.label { font-weight: 600; font-size: 12px; }
#graph.d-name .node text.detail, #graph.d-none .node text.detail, #graph.d-none .node text.label { display: none; }
#graph:not(.d-full) .marker text, #graph:not(.d-full) .hopnum text { display: none; }
#graph:not(.d-none) .landmarks { display: none; }
.landmark { font-weight: 600; pointer-events: none; paint-order: stroke; stroke: var(--vscode-editor-background); stroke-linejoin: round; }
.landmark.on-route { fill: var(--vscode-charts-yellow); }
.node.style-root rect.box { stroke: var(--vscode-charts-purple); stroke-width: 2.5px; }
.node.style-msi-parent rect.box { stroke: var(--vscode-charts-blue); stroke-width: 2px; }
.node.style-device-level rect.box { stroke: var(--vscode-charts-green); }
.node.style-wired rect.box { stroke: var(--vscode-charts-orange); }
.node.style-device rect.box { fill: var(--vscode-editor-background); stroke: var(--vscode-descriptionForeground); stroke-dasharray: 4 2; }
.node.style-group rect.box { fill: var(--vscode-editor-inactiveSelectionBackground); stroke: var(--vscode-charts-green); stroke-width: 1.5px; }
.node.style-group rect.stack { fill: var(--vscode-editor-inactiveSelectionBackground); stroke: var(--vscode-charts-green); stroke-width: 1px; vector-effect: non-scaling-stroke; opacity: 0.6; }
.node.implied rect.box { stroke-dasharray: 2 2; }
.node:hover rect.box { fill: var(--vscode-list-hoverBackground); }
.node.focused rect.box { stroke: var(--vscode-focusBorder); stroke-width: 3px; }
.node.on-route rect.box { fill: var(--vscode-editor-findMatchHighlightBackground); stroke: var(--vscode-charts-yellow); stroke-width: 2.5px; }
.node.hop-active rect.box { fill: var(--vscode-editor-findMatchBackground); }
.node.found rect.box { stroke: var(--vscode-focusBorder); stroke-width: 3px; stroke-dasharray: none; }
.marker circle { stroke: var(--vscode-editor-background); stroke-width: 1px; }
.marker.sev-error circle { fill: var(--vscode-errorForeground); }
.marker.sev-warning circle { fill: var(--vscode-editorWarning-foreground); }
.marker.sev-information circle, .marker.sev-hint circle { fill: var(--vscode-editorInfo-foreground); }
.marker text { fill: var(--vscode-editor-background); font-size: 11px; font-weight: 700; }
.hopnum circle { fill: var(--vscode-charts-yellow); }
.hopnum text { fill: var(--vscode-editor-background); font-size: 11px; font-weight: 700; }
.edge path { fill: none; stroke: var(--vscode-descriptionForeground); stroke-width: 1.2px; opacity: 0.7; vector-effect: non-scaling-stroke; }
.edge.type-msi-domain path, .edge.type-ims path, .edge.type-ntb path, .edge.type-ioapic path, .edge.type-device path { stroke-dasharray: 4 3; }
.edge.on-route path { stroke: var(--vscode-charts-yellow); stroke-width: 3px; opacity: 1; }
#graph.focus-mode .node:not(.on-route), #graph.focus-mode .edge:not(.on-route), #graph.focus-mode .landmark:not(.on-route) { opacity: 0.15; }
.arrow { fill: var(--vscode-descriptionForeground); }
#cpus .legend { display: flex; flex-wrap: wrap; gap: 2px 12px; margin: 4px 0; }
#cpus .legend span { white-space: nowrap; }
#cpus .swatch { display: inline-block; width: 10px; height: 10px; margin-right: 4px; vertical-align: -1px; border: 1px solid var(--vscode-panel-border); }
#cpus svg { display: block; overflow: visible; }
#cpus svg text { font-size: 11px; fill: var(--vscode-descriptionForeground); }
#cpus svg .grid { stroke: var(--vscode-panel-border); stroke-width: 1px; }
#cpus svg .cpu-hit { fill: transparent; cursor: pointer; }
#cpus svg .cpu-hit:hover { fill: var(--vscode-list-hoverBackground); }
.seg-nonManaged { fill: var(--vscode-charts-blue); background: var(--vscode-charts-blue); }
.seg-managedAllocated { fill: var(--vscode-charts-purple); background: var(--vscode-charts-purple); }
.seg-managedReserved { fill: var(--vscode-charts-purple); background: var(--vscode-charts-purple); opacity: 0.45; }
.seg-inUse { fill: var(--vscode-charts-orange); background: var(--vscode-charts-orange); }
.seg-free { fill: var(--vscode-editorWidget-border, var(--vscode-panel-border)); background: var(--vscode-editorWidget-border, var(--vscode-panel-border)); opacity: 0.35; }
#cpus svg .mark-exhausted { fill: var(--vscode-errorForeground); }
#cpus svg .exhausted-outline { fill: none; stroke: var(--vscode-errorForeground); stroke-width: 1.5px; }
#cpus svg .mark-broken { fill: var(--vscode-editorWarning-foreground); }
#cpus svg .sel { fill: none; stroke: var(--vscode-focusBorder); stroke-width: 2px; }
#cpus svg .route-cpu { fill: none; stroke: var(--vscode-charts-yellow); stroke-width: 2px; }
#cpus .cpu-list { margin: 4px 0 0; padding-left: 1.4em; max-height: 18em; overflow: auto; }
#cpus .cpu-list li { cursor: pointer; }
#cpus .cpu-list li:hover { background: var(--vscode-list-hoverBackground); }
#cpus .cpu-list .vec { font-family: var(--vscode-editor-font-family); color: var(--vscode-descriptionForeground); margin-left: 6px; }
.seg-offline { fill: var(--vscode-disabledForeground, var(--vscode-descriptionForeground)); background: var(--vscode-disabledForeground, var(--vscode-descriptionForeground)); opacity: 0.3; }
#cpus svg rect.seg-offline { stroke: var(--vscode-descriptionForeground); stroke-dasharray: 2 2; stroke-width: 1px; }
#cpus svg text.offline-label { fill: var(--vscode-disabledForeground, var(--vscode-descriptionForeground)); text-decoration: line-through; }
#cpus svg g.cpu { outline: none; }
#cpus svg g.cpu:focus-visible .cpu-hit, #cpus svg g.cpu.menu-target .cpu-hit { stroke: var(--vscode-focusBorder); stroke-width: 1.5px; }
#cpus button.cpu-offline { margin-top: 6px; color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground);
  border: 1px solid var(--vscode-button-border, transparent); border-radius: 2px; padding: 2px 8px; cursor: pointer; font: inherit; }
#cpus button.cpu-offline:hover { background: var(--vscode-button-secondaryHoverBackground); }
.menu { position: fixed; z-index: 30; min-width: 200px; padding: 4px 0; color: var(--vscode-menu-foreground, var(--vscode-foreground));
  background: var(--vscode-menu-background, var(--vscode-editorWidget-background)); border: 1px solid var(--vscode-menu-border, var(--vscode-widget-border, var(--vscode-panel-border)));
  border-radius: 5px; box-shadow: 0 2px 8px var(--vscode-widget-shadow, rgba(0,0,0,.4)); }
.menu-item { display: block; width: 100%; text-align: left; padding: 4px 20px; margin: 0; border: none; background: none; color: inherit; font: inherit; cursor: pointer; white-space: nowrap; }
.menu-item:hover:not(:disabled), .menu-item:focus { background: var(--vscode-menu-selectionBackground, var(--vscode-list-activeSelectionBackground));
  color: var(--vscode-menu-selectionForeground, var(--vscode-list-activeSelectionForeground)); outline: none; }
.menu-item:disabled { opacity: 0.55; cursor: default; }
`;

export function diagramHtml(o: PageOptions): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(o))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(o.codiconUri)}">
<style nonce="${attr(o.nonce)}">${DIAGRAM_CSS}</style>
<title>Interrupt routes</title>
</head>
<body>
<div id="toolbar">
  <span class="title" id="title">Interrupt routes</span>
  <span class="group">
    <label for="irq-select" class="muted">Route</label>
    <select id="irq-select" aria-label="Interrupt whose route is highlighted"></select>
    <button id="pick" title="Find an interrupt: type nvme0.q[5], CPU 12, IRTE 40 or vector 0x24"><span class="codicon codicon-search"></span>Find…</button>
    <button id="focus-mode" aria-pressed="false" title="Focus: the selected route alone, hop by hop, the rest dimmed" disabled><span class="codicon codicon-target"></span>Focus</button>
  </span>
  <input id="search" type="search" placeholder="Search domains, devices, routes" aria-label="Search the diagram" autocomplete="off" spellcheck="false">
  <span class="group">
    <button id="zoom-out" title="Zoom out (-)"><span class="codicon codicon-zoom-out"></span></button>
    <button id="zoom-reset" title="Actual size (0)"><span id="zoom-level">100%</span></button>
    <button id="zoom-in" title="Zoom in (+)"><span class="codicon codicon-zoom-in"></span></button>
    <button id="fit" title="Fit the diagram to the window (F)"><span class="codicon codicon-screen-full"></span>Fit</button>
    <button id="collapse" title="Fold every cluster of per-device domains again"><span class="codicon codicon-collapse-all"></span></button>
    <button id="export" title="Export the diagram as SVG"><span class="codicon codicon-export"></span>SVG</button>
  </span>
  <span id="stats" class="muted"></span>
  <ul id="results" role="listbox" aria-label="Search results"></ul>
</div>
<div id="banner" role="status"></div>
<div id="main">
  <div id="canvas" tabindex="0"><svg id="graph" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Interrupt domain hierarchy"></svg><div id="strip" role="region" aria-label="The selected route"></div><div id="empty">Waiting for the language server…</div></div>
  <aside id="side">
    <section id="route"><h2>Route</h2><div class="muted">Choose an interrupt, or put the cursor on an irq.</div></section>
    <section id="problems"></section>
    <section id="cpus"></section>
  </aside>
</div>
<script nonce="${attr(o.nonce)}" src="${attr(o.scriptUri)}" data-worker="${attr(o.workerUri)}"></script>
</body>
</html>`;
}
