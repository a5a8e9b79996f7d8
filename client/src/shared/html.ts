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

export function contentSecurityPolicy(o: Pick<PageOptions, 'cspSource' | 'nonce'>): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${o.nonce}'`,
    `style-src ${o.cspSource} 'nonce-${o.nonce}'`,
    `font-src ${o.cspSource}`,
    `img-src ${o.cspSource} data:`,
  ].join('; ');
}

export const DIAGRAM_CSS = `
:root { color-scheme: light dark; }
html, body { height: 100%; margin: 0; padding: 0; overflow: hidden; }
body { display: flex; flex-direction: column; color: var(--vscode-foreground); background: var(--vscode-editor-background);
  font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); }
#toolbar { display: flex; gap: 6px; align-items: center; padding: 4px 8px; border-bottom: 1px solid var(--vscode-panel-border); flex-wrap: wrap; }
#toolbar .title { font-weight: 600; margin-right: 8px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 30ch; }
#toolbar button { display: inline-flex; align-items: center; gap: 4px; color: var(--vscode-button-secondaryForeground);
  background: var(--vscode-button-secondaryBackground); border: 1px solid var(--vscode-button-border, transparent); border-radius: 2px; padding: 2px 8px; cursor: pointer; font: inherit; }
#toolbar button:hover { background: var(--vscode-button-secondaryHoverBackground); }
#toolbar select { color: var(--vscode-dropdown-foreground); background: var(--vscode-dropdown-background); border: 1px solid var(--vscode-dropdown-border); font: inherit; max-width: 40ch; }
#banner { display: none; padding: 4px 8px; color: var(--vscode-editorWarning-foreground); background: var(--vscode-inputValidation-warningBackground);
  border-bottom: 1px solid var(--vscode-inputValidation-warningBorder); }
#banner.shown { display: block; }
#main { flex: 1; display: flex; min-height: 0; }
#canvas { flex: 1; position: relative; min-width: 0; overflow: hidden; cursor: grab; }
#canvas.dragging { cursor: grabbing; }
#graph { width: 100%; height: 100%; display: block; }
#empty { position: absolute; inset: 0; display: flex; align-items: center; justify-content: center; color: var(--vscode-descriptionForeground); pointer-events: none; }
#side { width: 320px; max-width: 45%; overflow: auto; border-left: 1px solid var(--vscode-panel-border); padding: 0 10px 10px; }
#side h2 { font-size: 11px; text-transform: uppercase; letter-spacing: 0.04em; color: var(--vscode-descriptionForeground); margin: 12px 0 6px; }
#route ol { margin: 0; padding-left: 1.6em; }
#route a { color: var(--vscode-textLink-foreground); font-weight: 600; }
#route li { padding: 2px 4px; cursor: pointer; border-radius: 2px; }
#route li:hover, #route li.active { background: var(--vscode-list-hoverBackground); }
#route .hop-domain { font-weight: 600; }
#route .hop-resource { color: var(--vscode-descriptionForeground); }
#route .placement, #route .message { font-family: var(--vscode-editor-font-family); font-size: 12px; margin-top: 6px; white-space: pre-wrap; overflow-wrap: anywhere; }
#route .failure { color: var(--vscode-errorForeground); margin-top: 6px; }
#problems li { margin: 2px 0; }
#problems .sev-error { color: var(--vscode-errorForeground); }
#problems .sev-warning { color: var(--vscode-editorWarning-foreground); }
#problems .sev-information, #problems .sev-hint { color: var(--vscode-editorInfo-foreground); }
@media (max-width: 900px) {
  #main { flex-direction: column; }
  #side { width: auto; max-width: none; max-height: 42%; border-left: none; border-top: 1px solid var(--vscode-panel-border); }
}
.muted { color: var(--vscode-descriptionForeground); }
svg text { font-family: var(--vscode-font-family); fill: var(--vscode-foreground); }
.node rect.box { fill: var(--vscode-editorWidget-background); stroke: var(--vscode-editorWidget-border, var(--vscode-panel-border)); stroke-width: 1px; }
.node { cursor: pointer; }
.node text.detail { fill: var(--vscode-descriptionForeground); font-size: 11px; }
.node text.label { font-weight: 600; font-size: 12px; }
.node.style-root rect.box { stroke: var(--vscode-charts-purple); stroke-width: 2.5px; }
.node.style-msi-parent rect.box { stroke: var(--vscode-charts-blue); stroke-width: 2px; }
.node.style-device-level rect.box { stroke: var(--vscode-charts-green); }
.node.style-wired rect.box { stroke: var(--vscode-charts-orange); }
.node.style-device rect.box { fill: var(--vscode-editor-background); stroke: var(--vscode-descriptionForeground); stroke-dasharray: 4 2; }
.node.style-group rect.box { fill: var(--vscode-editor-inactiveSelectionBackground); stroke: var(--vscode-charts-green); stroke-dasharray: 6 3; }
.node.implied rect.box { stroke-dasharray: 2 2; }
.node:hover rect.box { fill: var(--vscode-list-hoverBackground); }
.node.focused rect.box { stroke: var(--vscode-focusBorder); stroke-width: 3px; }
.node.on-route rect.box { fill: var(--vscode-editor-findMatchHighlightBackground); stroke: var(--vscode-charts-yellow); stroke-width: 2.5px; }
.node.hop-active rect.box { fill: var(--vscode-editor-findMatchBackground); }
.marker circle { stroke: var(--vscode-editor-background); stroke-width: 1px; }
.marker.sev-error circle { fill: var(--vscode-errorForeground); }
.marker.sev-warning circle { fill: var(--vscode-editorWarning-foreground); }
.marker.sev-information circle, .marker.sev-hint circle { fill: var(--vscode-editorInfo-foreground); }
.marker text { fill: var(--vscode-editor-background); font-size: 10px; font-weight: 700; }
.hopnum circle { fill: var(--vscode-charts-yellow); }
.hopnum text { fill: var(--vscode-editor-background); font-size: 10px; font-weight: 700; }
.edge path { fill: none; stroke: var(--vscode-descriptionForeground); stroke-width: 1.2px; opacity: 0.7; }
.edge.type-msi-domain path, .edge.type-ims path, .edge.type-ntb path, .edge.type-ioapic path, .edge.type-device path { stroke-dasharray: 4 3; }
.edge.on-route path { stroke: var(--vscode-charts-yellow); stroke-width: 3px; opacity: 1; }
.arrow { fill: var(--vscode-descriptionForeground); }
#cpus svg rect.used { fill: var(--vscode-charts-blue); }
#cpus svg rect.avail { fill: var(--vscode-editorWidget-border, var(--vscode-panel-border)); opacity: 0.6; }
#cpus svg rect.exhausted { fill: var(--vscode-errorForeground); }
#cpus svg rect.route-cpu { stroke: var(--vscode-charts-yellow); stroke-width: 2px; fill: none; }
#cpus svg text { font-size: 10px; fill: var(--vscode-descriptionForeground); }
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
  <label for="irq-select" class="muted">Route</label>
  <select id="irq-select" aria-label="Interrupt whose route is highlighted"></select>
  <button id="fit" title="Fit the diagram to the window"><span class="codicon codicon-screen-full"></span>Fit</button>
  <button id="export" title="Export the diagram as SVG"><span class="codicon codicon-export"></span>Export SVG</button>
  <span id="stats" class="muted"></span>
</div>
<div id="banner" role="status"></div>
<div id="main">
  <div id="canvas"><svg id="graph" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Interrupt domain hierarchy"></svg><div id="empty">Waiting for the language server…</div></div>
  <aside id="side">
    <section id="route"><h2>Route</h2><div class="muted">Choose an interrupt, or put the cursor on an irq.</div></section>
    <section id="problems"></section>
    <section id="cpus"></section>
  </aside>
</div>
<script nonce="${attr(o.nonce)}" src="${attr(o.scriptUri)}"></script>
</body>
</html>`;
}
