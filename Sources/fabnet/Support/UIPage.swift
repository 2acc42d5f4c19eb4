/// The page `fabnet ui` serves: one self-contained HTML file (no external scripts, fonts or
/// styles, so it works offline) that polls `/api/network` twice a second and draws the orgs and
/// their nodes, each node's state and heights per channel (a height that just grew flashes;
/// a peer behind the channel's highest is marked), the leader of each channel, and the gossip
/// connections as lines between the nodes.
///
/// Guarantees for tests and scripts: every node is an element `.node` with `data-name` (its
/// name) and `data-state` (`up`, `down`, `paused`, `not-answering`); `#updated` holds the time of the
/// last picture; an error fetching it shows in `#error`.
enum UIPage {
    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>fabnet</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; background: #0f1419; color: #d6dde6; }
  header { display: flex; gap: 1.5em; align-items: baseline; padding: .8em 1.2em; background: #161d25; border-bottom: 1px solid #26303b; }
  header h1 { font-size: 1.2em; margin: 0; color: #fff; }
  header .muted, .muted { color: #7d8a99; }
  #error { color: #ff7b72; }
  main { display: grid; grid-template-columns: minmax(320px, 1fr) minmax(320px, 1fr); gap: 1em; padding: 1em 1.2em; }
  .orgs { display: flex; flex-wrap: wrap; gap: 1em; align-content: flex-start; }
  .org { background: #161d25; border: 1px solid #26303b; border-radius: 8px; padding: .6em .8em; min-width: 15em; flex: 1; }
  .org h2 { font-size: 1em; margin: 0 0 .5em; color: #fff; }
  .node { border-left: 4px solid #3fb950; background: #1b232d; border-radius: 4px; padding: .35em .6em; margin: .35em 0; }
  .node[data-state="down"] { border-left-color: #f85149; opacity: .7; }
  .node[data-state="not-answering"], .node[data-state="paused"] { border-left-color: #d29922; }
  .node .name { font-weight: 600; color: #fff; }
  .node .state { float: right; font-size: .85em; }
  .node[data-state="down"] .state { color: #ff7b72; }
  .heights { display: flex; flex-wrap: wrap; gap: .3em .9em; margin-top: .2em; font-variant-numeric: tabular-nums; }
  .height.behind { color: #d29922; }
  .height.grew { animation: grew 1s ease-out; }
  @keyframes grew { from { background: #2ea04366; } to { background: transparent; } }
  .leader { background: #1f6feb; color: #fff; border-radius: 3px; padding: 0 .35em; font-size: .8em; margin-left: .3em; }
  svg { width: 100%; height: auto; background: #161d25; border: 1px solid #26303b; border-radius: 8px; }
  svg text { fill: #d6dde6; font-size: 11px; }
  svg line { stroke: #4c5d70; stroke-width: 1.2; }
  svg line.dialing { stroke-dasharray: 4 3; stroke: #d29922; }
  svg circle { stroke: #0f1419; stroke-width: 2; }
</style>
</head>
<body>
<header><h1>fabnet</h1><span class="muted" id="where"></span><span class="muted">updated <span id="updated">never</span></span><span id="error"></span></header>
<main>
  <section class="orgs" id="orgs"></section>
  <section><svg id="graph" viewBox="0 0 600 600" role="img" aria-label="gossip connections"></svg>
    <p class="muted">Lines: gossip connections peers opened (dashed: still dialling). Colour: the node's org; red: down, amber: not answering. Big dots lead a channel; the orderer is the square.</p></section>
</main>
<script>
"use strict";
const palette = ["#58a6ff", "#3fb950", "#d2a8ff", "#ffa657", "#79c0ff", "#f778ba", "#a5d6ff", "#7ee787"];
let previous = {};
function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
  for (const child of children) node.append(child);
  return node;
}
function svg(tag, attributes) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  return node;
}
function drawOrgs(picture) {
  const orgs = new Map();
  for (const node of picture.nodes) {
    if (!orgs.has(node.mspID)) orgs.set(node.mspID, []);
    orgs.get(node.mspID).push(node);
  }
  const container = document.getElementById("orgs");
  container.replaceChildren();
  for (const [org, nodes] of orgs) {
    const box = el("div", {class: "org", "data-org": org}, el("h2", {}, org));
    for (const node of nodes) {
      const heights = el("div", {class: "heights"});
      for (const channel of Object.keys(node.heights).sort()) {
        const height = node.heights[channel];
        const before = previous[node.name + "/" + channel];
        let cls = "height";
        if (height < (picture.highest[channel] || 0)) cls += " behind";
        if (before !== undefined && height > before) cls += " grew";
        const cell = el("span", {class: cls, "data-channel": channel}, channel + " " + height);
        if ((node.leaderOf || []).includes(channel)) cell.append(el("span", {class: "leader", title: "leads " + channel + " for " + org}, "leader"));
        heights.append(cell);
        previous[node.name + "/" + channel] = height;
      }
      box.append(el("div", {class: "node", "data-name": node.name, "data-state": node.state, "data-role": node.role},
        el("span", {class: "state"}, node.state + (node.pid ? " · pid " + node.pid : "")),
        el("div", {class: "name"}, node.name), heights));
    }
    container.append(box);
  }
}
function drawGraph(picture) {
  const graph = document.getElementById("graph");
  graph.replaceChildren();
  const orgs = [...new Set(picture.nodes.map(node => node.mspID))];
  const count = picture.nodes.length, radius = count > 30 ? 250 : 220, positions = {};
  picture.nodes.forEach((node, index) => {
    const angle = 2 * Math.PI * index / Math.max(count, 1) - Math.PI / 2;
    positions[node.name] = {x: 300 + radius * Math.cos(angle), y: 300 + radius * Math.sin(angle), angle};
  });
  for (const connection of picture.connections) {
    const a = positions[connection.from], b = positions[connection.to];
    if (!a || !b) continue;
    graph.append(svg("line", {x1: a.x, y1: a.y, x2: b.x, y2: b.y, class: connection.state}));
  }
  for (const node of picture.nodes) {
    const p = positions[node.name];
    const colour = node.state === "up" ? palette[orgs.indexOf(node.mspID) % palette.length] : (node.state === "down" ? "#f85149" : "#d29922");
    graph.append(node.role === "orderer"
      ? svg("rect", {x: p.x - 8, y: p.y - 8, width: 16, height: 16, fill: colour})
      : svg("circle", {cx: p.x, cy: p.y, r: (node.leaderOf || []).length ? 9 : 6, fill: colour}));
    if (count <= 40) {
      const label = svg("text", {x: p.x + 12 * Math.cos(p.angle), y: p.y + 12 * Math.sin(p.angle) + 4,
                                 "text-anchor": Math.cos(p.angle) < -0.2 ? "end" : (Math.cos(p.angle) > 0.2 ? "start" : "middle")});
      label.textContent = node.name.split(".").slice(0, 2).join(".");
      graph.append(label);
    }
  }
}
async function refresh() {
  try {
    const response = await fetch("/api/network", {cache: "no-store"});
    if (!response.ok) throw new Error("HTTP " + response.status);
    const picture = await response.json();
    document.getElementById("where").textContent = picture.state + " · fabnet " + picture.version;
    drawOrgs(picture);
    drawGraph(picture);
    document.getElementById("updated").textContent = new Date(picture.time).toLocaleTimeString();
    document.getElementById("error").textContent = "";
  } catch (error) {
    document.getElementById("error").textContent = "cannot reach fabnet ui: " + error.message;
  }
}
refresh();
setInterval(refresh, 500);
</script>
</body>
</html>
"""#
}
