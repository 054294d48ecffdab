// The explorer page: wires the API's answers to the views. State (graph, input, output,
// input size, position, selected map, tab) lives in the URL hash.

import * as api from "./api.js";
import { InputCanvas } from "./canvas2d.js";
import { Diagram } from "./diagram.js";
import { download, fill, h } from "./dom.js";
import { markMismatch, showMismatches, showNode, showSummary } from "./panel.js";
import { Regions } from "./regions.js";
import { readHash, writeHash } from "./state.js";
import { NodeTable } from "./table.js";

const $ = (id) => document.getElementById(id);

/** Graphs with more layers than this open with elementwise layers folded into edges... */
const FOLD_ABOVE = 120;
/** ...and with more than this, as modules (the shallowest depth that draws enough nodes). */
const MODULES_ABOVE = 400;
const MODULES_AT_LEAST = 10;
/** The diagram draws at most this many nodes: the embedded Graphviz lays out a few thousand in
 * seconds; 10^4 take minutes or fail, and an SVG of 10^5 nodes would stall the page anyway. */
const DRAW_AT_MOST = 3000;
/** Graphs with more maps than this fetch the per-node table only when the Table tab is opened
 * (10^5 maps make a table of tens of MB), a map's panel asks the analysis of that one map, and
 * the name lists offer only the names that match what is typed. */
const LAZY_ABOVE = 5000;
const SUGGESTED = 50;

const state = { ...readHash() };
const view = { id: null, detail: null, analysis: null, table: null, records: new Map() };

const diagram = new Diagram($("diagram"), $("diagram-status"), {
  onSelect: (i) => selectNode(view.detail.maps[i], false),
  onOpen: (first, name) => guarded(() => openModule(first, name)),
});
const regions = new Regions($("regions"), $("region-hint"), { onPosition: (j) => setAt([j]) });
const canvas = new InputCanvas({
  input: $("input-canvas"), output: $("output-canvas"), inputCaption: $("input-caption"),
  outputCaption: $("output-caption"), readout: $("canvas-readout"), onPosition: (pos) => setAt(pos),
});
const nodeTable = new NodeTable($("node-table"), $("table-filter"), $("table-count"), {
  onSelect: (name) => selectNode(name, true), pager: $("table-pager"),
});

// -------------------------------------------------------------------------------------------
// errors

function showError(err) {
  $("banner-text").textContent = err && err.message ? err.message : String(err);
  $("banner").hidden = false;
}

function clearError() {
  $("banner").hidden = true;
}

async function guarded(task) {
  try {
    await task();
  } catch (err) {
    showError(err);
    console.warn(err);
  }
}

// -------------------------------------------------------------------------------------------
// graphs

async function loadList() {
  const { graphs } = await api.listGraphs();
  const select = $("graph-select");
  const groups = new Map();
  for (const g of graphs) {
    view.records.set(g.id, g);
    const folder = g.name.includes("/") ? g.name.slice(0, g.name.lastIndexOf("/")) : "";
    if (!groups.has(folder)) groups.set(folder, []);
    groups.get(folder).push(g);
  }
  fill(select, h("option", { value: "", disabled: true }, "Choose a graph…"),
    [...groups].map(([folder, list]) => h("optgroup", { label: folder ? `${folder}/` : "served" },
      list.map((g) => h("option", { value: g.id }, `${g.name} (${g.edges} layers)`)))));
  return graphs;
}

function addUploaded(record) {
  view.records.set(record.id, record);
  const select = $("graph-select");
  let group = select.querySelector("optgroup[data-uploads]");
  if (!group) {
    group = h("optgroup", { label: "opened here", "data-uploads": "" });
    select.append(group);
  }
  if (![...select.options].some((o) => o.value === record.id)) group.append(h("option", { value: record.id }, record.name));
  select.value = record.id;
}

function params() {
  return { input: state.input || undefined, output: state.output || undefined, input_size: state.size || undefined };
}

async function openGraph(id) {
  clearError();
  state.graph = id;
  $("graph-select").value = id;
  const detail = await api.graph(id);
  view.id = id;
  view.detail = detail;
  view.big = detail.maps.length > LAZY_ABOVE;
  fillViews(detail);
  fill($("node-names"), view.big ? [] : detail.maps.map((m) => h("option", { value: m })));
  await analyse();
}

/** On a big graph, the name list (for the search and the input and output fields) holds the
 * first names that contain what is typed: a list of 10^5 options makes every keystroke slow. */
function suggest(text) {
  if (!view.big) return;
  const needle = text.trim().toLowerCase();
  const found = [];
  for (const m of view.detail.maps) {
    if (m.toLowerCase().includes(needle)) found.push(m);
    if (found.length === SUGGESTED) break;
  }
  fill($("node-names"), found.map((m) => h("option", { value: m })));
}

/** The per-node table of the current analysis (fetched once per input and input size). */
function tableAnswer() {
  const p = params();
  return api.ask(view.id, "table", { input: p.input, input_size: p.input_size });
}

/** A map's row of the per-node table: from the table when it is loaded, else (big graphs) the
 * analysis from the input to that map, which states the same numbers; null when the map is
 * not reached from the input. */
async function mapRow(name) {
  if (view.table) return view.table.nodes[name] || null;
  if (name === view.analysis.output) return view.analysis;
  return api.ask(view.id, "analyze", { ...params(), output: name }).catch(() => null);
}

/** What the user must name before anything can be analysed: the input when the graph has
 * several sources and no default, the output likewise (null when both are known). */
function missingEnds(detail, p) {
  const ends = (role) => {
    const side = role === "input" ? "target" : "source";  // a source has no layer into it
    const used = new Set(detail.layers.map((l) => l[side]));
    return detail.maps.filter((_, i) => !used.has(i));
  };
  const lines = ["input", "output"].filter((role) => !p[role] && detail[role] == null).map((role) => {
    const found = ends(role);
    const shown = found.slice(0, 6).join(", ") + (found.length > 6 ? ", ..." : "");
    return `This graph has ${found.length} ${role === "input" ? "sources" : "sinks"} (${shown}): `
      + `name the ${role} (type it above, or click a map and make it the ${role}).`;
  });
  return lines.length ? lines.join(" ") : null;
}

/** (Re)compute everything that depends on the input, output and input size. */
async function analyse() {
  const id = view.id;
  const p = params();
  document.body.dataset.view = "loading";
  $("input-node").value = state.input || "";
  $("output-node").value = state.output || "";
  $("input-size").value = state.size || "";
  writeHash(state);
  const missing = missingEnds(view.detail, p);
  if (missing) {  // nothing to analyse yet: say what to name without asking (and logging a 400)
    showError(missing);
    await drawDiagram().catch(() => {});
    document.body.dataset.view = "ready";
    return;
  }
  const [analysis, table] = await Promise.all([api.ask(id, "analyze", p), view.big ? null : tableAnswer()]).catch(async (err) => {
    // No analysis (several sinks and no output named, a node that does not exist...): still
    // draw the graph, so that its maps can be seen and picked, and say what is missing.
    showError(err);
    await drawDiagram().catch(() => {});
    document.body.dataset.view = "ready";
    return [null, null];
  });
  if (id !== view.id || !analysis) return;
  clearError();
  if (Array.isArray(analysis)) {  // a model with several outputs and none named: one analysis each
    showError(`This model has ${analysis.length} outputs (${analysis.map((a) => a.output).join(", ")}): `
      + `showing ${analysis[0].output}; name another as the output to see it.`);
    return openOutput(analysis[0].output);
  }
  view.analysis = analysis;
  view.table = table;
  showSummary(analysis);
  showMismatches(analysis, pickMismatch);
  if (table) nodeTable.show(table, analysis);
  else nodeTable.clear(`${view.detail.maps.length.toLocaleString("en")} maps: the table is loaded when its tab is opened`);
  fill($("json-view"), JSON.stringify(analysis, null, 2));
  fill($("region-axis"), analysis.axes.map((a) => h("option", { value: a.axis }, String(a.axis))));
  $("region-axis").value = state.axis || "0";
  document.title = `${view.detail.name} · rfgraph`;
  await Promise.all([drawDiagram(), refreshTab()]);
  if (state.node) selectNode(state.node, true);
  else showNode(analysis.output, table ? table.nodes[analysis.output] : analysis, analysis, nodeActions);
  if ((analysis.mismatches || []).length) pickMismatch(0);
  document.body.dataset.graph = id;
  document.body.dataset.view = "ready";  // for tests: everything about this graph is shown
}

async function openOutput(name) {
  const message = $("banner-text").textContent;
  state.output = name;
  await analyse();
  showError(message);
}

// -------------------------------------------------------------------------------------------
// what the diagram draws: every map, elementwise layers folded, or modules at a depth

function fillViews(detail) {
  const options = [h("option", { value: "all" }, "every map"), h("option", { value: "fold" }, "elementwise layers folded")];
  for (const d of detail.depths) {
    const big = d.nodes > DRAW_AT_MOST ? ", too many to draw" : "";
    options.push(h("option", { value: `d${d.depth}` }, `modules at depth ${d.depth} (${d.nodes.toLocaleString("en")} nodes${big})`));
  }
  fill($("view-select"), options);
  const valid = (v) => v === "all" || v === "fold" || detail.depths.some((d) => `d${d.depth}` === v);
  if (!valid(state.view)) state.view = defaultView(detail);
  $("view-select").value = state.view;
}

function defaultView(detail) {
  if (detail.edges > MODULES_ABOVE && detail.depths.length) {
    const enough = detail.depths.find((d) => d.nodes >= MODULES_AT_LEAST) || detail.depths[detail.depths.length - 1];
    if (enough.nodes <= DRAW_AT_MOST) return `d${enough.depth}`;
    const fits = detail.depths.filter((d) => d.nodes <= DRAW_AT_MOST);  // the most detailed view that can be drawn
    if (fits.length) return `d${fits[fits.length - 1].depth}`;
  }
  return detail.edges > FOLD_ABOVE ? "fold" : "all";
}

/** How many maps the diagram of every map would draw: all of them, or with an input or an
 * output named, the part it is cropped to (what the input reaches and what reaches the output). */
function cropSize(p) {
  const { maps, layers } = view.detail;
  const reach = (start, from, to) => {
    const seen = new Uint8Array(maps.length);
    const next = maps.map(() => []);
    for (const l of layers) next[l[from]].push(l[to]);
    const stack = [start];
    seen[start] = 1;
    while (stack.length) for (const v of next[stack.pop()]) if (!seen[v]) { seen[v] = 1; stack.push(v); }
    return seen;
  };
  const i = maps.indexOf(p.input), o = maps.indexOf(p.output);
  if (maps.length <= DRAW_AT_MOST || i < 0 && o < 0) return maps.length;
  const down = i >= 0 ? reach(i, "source", "target") : null, up = o >= 0 ? reach(o, "target", "source") : null;
  let n = 0;
  for (let v = 0; v < maps.length; v++) if ((!down || down[v]) && (!up || up[v])) n++;
  return n;
}

/** Why the current view is not drawn, and what can be drawn instead (null when it can be). */
function tooBig(p, depth) {
  const d = view.detail.depths.find((x) => x.depth === depth);
  const count = d ? d.nodes : cropSize(p);
  if (count <= DRAW_AT_MOST) return null;
  const what = d ? `modules at depth ${depth}` : p.input || p.output ? "the part between the input and the output" : "this graph";
  const fits = view.detail.depths.filter((x) => x.nodes <= DRAW_AT_MOST);
  const offers = [
    ...(fits.length ? [`show ${fits.map((x) => `modules at depth ${x.depth} (${x.nodes.toLocaleString("en")} nodes)`).join(" or ")}`] : []),
    "name an input and an output above to draw the maps between them",
  ];
  return `Not drawn: ${what} has ${count.toLocaleString("en")} ${d ? "nodes" : "maps"}, more than the `
    + `${DRAW_AT_MOST.toLocaleString("en")} a diagram here can lay out. To see a part of it, ${offers.join(", or ")}. `
    + "The analysis, the map panel, the regions and the table work without it.";
}

function currentDepth() {
  return state.view && state.view.startsWith("d") ? Number(state.view.slice(1)) : null;
}

/** A module drawn as one node was clicked: open it (one level deeper), centred on it. */
async function openModule(first, name) {
  const depth = currentDepth();
  const deeper = view.detail.depths.find((d) => d.depth === depth + 1);
  state.view = deeper ? `d${deeper.depth}` : "fold";
  $("view-select").value = state.view;
  writeHash(state);
  await drawDiagram();
  if (!diagram.svg) return;  // the deeper view is too big to draw: the pane says so
  const shown = diagram.focus(first, true) || diagram.focus(first);
  diagram.flash(first, diagram.modules.has(first));
  $("diagram-status").textContent = `opened ${name}` + (shown ? "" : " (its first map is folded into an edge)");
}

function viewUp() {
  const depth = currentDepth();
  const depths = view.detail.depths;
  if (depth === null && depths.length) state.view = `d${depths[depths.length - 1].depth}`;
  else if (depth > 1) state.view = `d${depth - 1}`;
  $("view-select").value = state.view;
  writeHash(state);
  return drawDiagram();
}

async function drawDiagram() {
  const id = view.id;
  $("diagram-status").textContent = "drawing…";
  const p = params();
  const depth = currentDepth();
  $("view-up").hidden = !view.detail.depths.length || depth === 1;
  const refused = tooBig(p, depth);
  if (refused) {  // not asked for: the server would spend its time limit and answer 503
    diagram.clear(refused);
    $("diagram-status").textContent = "diagram not drawn (too many nodes)";
    document.body.dataset.diagram = "not-drawn";
    return;
  }
  let svg;
  try {
    svg = await api.diagram(id, { ...p, collapse: state.view === "all" ? 0 : 1, depth: depth ?? undefined });
  } catch (err) {  // the analysis stands without its diagram: say why in the pane, go on
    if (id !== view.id) return;
    diagram.clear(`The diagram could not be drawn: ${err.message}`);
    $("diagram-status").textContent = "diagram not drawn";
    document.body.dataset.diagram = "failed";
    return;
  }
  if (id !== view.id) return;
  diagram.show(svg, view.detail.maps);
  document.body.dataset.diagram = "ready";  // for tests and benchmarks: the diagram is interactive
  if (state.node) diagram.select(view.detail.maps.indexOf(state.node));
}

// -------------------------------------------------------------------------------------------
// selection

const nodeActions = {
  setInput: (name) => guarded(async () => { state.input = name; state.node = name; await analyse(); }),
  setOutput: (name) => guarded(async () => { state.output = name; state.node = name; await analyse(); }),
};

function selectNode(name, focus) {
  const index = view.detail.maps.indexOf(name);
  if (index < 0) {
    showError(`no map named ${name}`);
    return;
  }
  state.node = name;
  writeHash(state);
  guarded(() => showPanel(name));
  nodeTable.select(name);
  // the region rows follow a path through the selected map
  if ((state.tab || "regions") === "regions" && regions.requested !== name && !(view.analysis.mismatches || []).length) {
    guarded(refreshTab);
  }
  if (!diagram.svg) {
    $("diagram-status").textContent = `selected ${name} (the diagram is not drawn)`;
    return;
  }
  const drawn = diagram.select(index);
  if (focus && drawn) {
    diagram.focus(index);
    diagram.flash(index);
  }
  if (drawn) {
    $("diagram-status").textContent = `selected ${name}`;
    return;
  }
  const depth = currentDepth();
  const holder = depth ? view.detail.depths.find((d) => d.depth === depth)?.node_of[index] : null;
  const module = holder && holder.startsWith("g") ? Number(holder.slice(1)) : null;
  if (module !== null && diagram.modules.has(module)) {
    if (focus) diagram.focus(module, true);
    diagram.flash(module, true);
    $("diagram-status").textContent = `${name} is inside the module ${diagram.modules.get(module).dataset.name}: click it to open it`;
  } else {
    $("diagram-status").textContent = `${name} is folded into an edge in this view (show "every map" to see it)`;
  }
}

async function showPanel(name) {
  const analysis = view.analysis;
  const row = await mapRow(name);
  if (state.node !== name || analysis !== view.analysis) return;  // another map was chosen meanwhile
  showNode(name, row, analysis, nodeActions);
}

function pickMismatch(k) {
  const m = view.analysis.mismatches[k];
  if (!m) return;
  markMismatch(k);
  const index = (name) => view.detail.maps.indexOf(name);
  diagram.highlightPaths(m.paths.map((p) => p.nodes.map(index)));
}

function setAt(pos) {
  state.at = pos.join(",");
  writeHash(state);
}

// -------------------------------------------------------------------------------------------
// tabs

async function refreshTab() {
  const tab = state.tab || "regions";
  for (const b of document.querySelectorAll(".tabs button")) b.setAttribute("aria-selected", String(b.dataset.tab === tab));
  for (const name of ["regions", "canvas", "table", "json"]) $(`pane-${name}`).hidden = name !== tab;
  const at = state.at ? state.at.split(",").map(Number) : null;
  if (tab === "regions") {
    await regions.show({ id: view.id, analysis: view.analysis, table: view.table, detail: view.detail,
      axis: Number($("region-axis").value || 0), allMaps: $("region-all-maps").checked, params: params(),
      at: at ? at[0] : null, through: state.node || null });
  } else if (tab === "canvas") {
    await canvas.show({ id: view.id, analysis: view.analysis, params: params(), at });
  } else if (tab === "table") {
    await showTable();
  }
}

/** Fill the Table tab (big graphs: fetch the table now, once per analysis). */
async function showTable() {
  if (view.table && nodeTable.source === view.table) return;
  const { id, analysis } = view;
  $("table-count").textContent = `loading the table of ${view.detail.maps.length.toLocaleString("en")} maps…`;
  const table = view.table || await tableAnswer();
  if (id !== view.id || analysis !== view.analysis) return;
  view.table = table;
  nodeTable.show(table, analysis);
  if (state.node) nodeTable.select(state.node);
}

// -------------------------------------------------------------------------------------------
// export

function exportSvg() {
  const text = diagram.serialize();
  if (text) download(new Blob([text], { type: "image/svg+xml" }), `${baseName()}.svg`);
}

async function exportPng() {
  const text = diagram.serialize();
  if (!text) return;
  const url = URL.createObjectURL(new Blob([text], { type: "image/svg+xml" }));
  const img = new Image();
  img.src = url;
  await img.decode();
  const scale = Math.min(2, 16000 / Math.max(img.width, img.height));
  const c = h("canvas", { width: Math.round(img.width * scale), height: Math.round(img.height * scale) });
  const g = c.getContext("2d");
  g.fillStyle = "#fff";
  g.fillRect(0, 0, c.width, c.height);
  g.drawImage(img, 0, 0, c.width, c.height);
  URL.revokeObjectURL(url);
  c.toBlob((blob) => download(blob, `${baseName()}.png`), "image/png");
}

function exportJson() {
  const text = JSON.stringify(view.analysis, null, 2);
  download(new Blob([text + "\n"], { type: "application/json" }), `${baseName()}.analysis.json`);
}

function baseName() {
  const name = view.records.get(view.id)?.name || "graph";
  return name.replace(/^.*\//, "").replace(/\.[^.]*$/, "");
}

// -------------------------------------------------------------------------------------------
// uploads: the file picker and drag and drop

async function openFile(file) {
  clearError();
  const record = await api.upload(file);
  addUploaded(record);
  Object.assign(state, { input: "", output: "", size: "", at: "", node: "", view: "" });
  await openGraph(record.id);
}

function bindDrop() {
  let depth = 0;
  const drop = $("drop");
  window.addEventListener("dragenter", (e) => { if (e.dataTransfer?.types?.includes("Files")) { depth++; drop.hidden = false; } });
  window.addEventListener("dragleave", () => { depth = Math.max(0, depth - 1); if (!depth) drop.hidden = true; });
  window.addEventListener("dragover", (e) => e.preventDefault());
  window.addEventListener("drop", (e) => {
    e.preventDefault();
    depth = 0;
    drop.hidden = true;
    const file = e.dataTransfer?.files?.[0];
    if (file) guarded(() => openFile(file));
  });
}

// -------------------------------------------------------------------------------------------
// controls

function bindControls() {
  $("graph-select").addEventListener("change", (e) => guarded(() => {
    Object.assign(state, { input: "", output: "", size: "", at: "", node: "", view: "" });
    return openGraph(e.target.value);
  }));
  $("open-file").addEventListener("click", () => $("file-input").click());
  $("file-input").addEventListener("change", (e) => {
    const file = e.target.files[0];
    e.target.value = "";
    if (file) guarded(() => openFile(file));
  });
  $("ends").addEventListener("submit", (e) => {
    e.preventDefault();
    state.input = $("input-node").value.trim();
    state.output = $("output-node").value.trim();
    state.size = $("input-size").value.trim();
    state.at = "";
    guarded(analyse);
  });
  for (const field of ["search", "input-node", "output-node"]) {
    $(field).addEventListener("input", (e) => suggest(e.target.value));
    $(field).addEventListener("focus", (e) => suggest(e.target.value));
  }
  $("search").addEventListener("change", (e) => {
    // a name picked from the list; a part of a name is looked for on Enter (below), and
    // leaving the field must not call it an unknown map
    const name = e.target.value;
    if (name && view.detail?.maps.includes(name)) selectNode(name, true);
  });
  $("search").addEventListener("keydown", (e) => {
    if (e.key !== "Enter") return;
    const needle = e.target.value.trim().toLowerCase();
    const found = view.detail?.maps.find((m) => m.toLowerCase() === needle) || view.detail?.maps.find((m) => m.toLowerCase().includes(needle));
    if (found) selectNode(found, true);
    else showError(`no map matches ${e.target.value}`);
  });
  $("view-select").addEventListener("change", (e) => { state.view = e.target.value; writeHash(state); guarded(drawDiagram); });
  $("view-up").addEventListener("click", () => guarded(viewUp));
  $("zoom-in").addEventListener("click", () => diagram.zoom(0.75));
  $("zoom-out").addEventListener("click", () => diagram.zoom(1.33));
  $("zoom-fit").addEventListener("click", () => diagram.fit());
  $("export-svg").addEventListener("click", exportSvg);
  $("export-png").addEventListener("click", () => guarded(exportPng));
  $("export-json").addEventListener("click", exportJson);
  $("banner-close").addEventListener("click", clearError);
  for (const b of document.querySelectorAll(".tabs button")) {
    b.addEventListener("click", () => { state.tab = b.dataset.tab; writeHash(state); guarded(refreshTab); });
  }
  $("region-axis").addEventListener("change", (e) => { state.axis = e.target.value; writeHash(state); guarded(refreshTab); });
  $("region-all-maps").addEventListener("change", () => guarded(refreshTab));
  $("pick-image").addEventListener("click", () => $("image-input").click());
  $("image-input").addEventListener("change", (e) => guarded(async () => {
    const file = e.target.files[0];
    if (file) canvas.setImage(await createImageBitmap(file));  // read here: never sent anywhere
  }));
  $("clear-image").addEventListener("click", () => canvas.setImage(null));
  window.addEventListener("hashchange", () => guarded(async () => {
    const next = readHash();
    const graphChanged = next.graph && next.graph !== view.id;
    Object.keys(state).forEach((k) => delete state[k]);
    Object.assign(state, next);
    if (graphChanged) await openGraph(next.graph);
    else if (view.id) await analyse();
  }));
}

// -------------------------------------------------------------------------------------------

async function boot() {
  bindControls();
  bindDrop();
  const graphs = await loadList();
  if (!graphs.length && !state.graph) {
    diagram.clear("No graph is served: open a file, or drop one on the page.");
    return;
  }
  const start = state.graph || (graphs.find((g) => g.name === "resnet50.dot") || graphs[0]).id;
  await openGraph(start);
}

guarded(boot);
