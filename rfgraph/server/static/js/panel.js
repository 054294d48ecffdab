// The analysis in words and numbers: the headline (rf, stride, padding, centre, paths,
// alignment), the selected map's panel, and the misalignments stated in plain words.

import { axisPadding, axisRf, countText, fill, h, num, perAxis, shown, sizeText } from "./dom.js";

const $ = (id) => document.getElementById(id);

/** Is a value one number for every axis? */
function axisValues(axes, key) {
  return perAxis(axes.map((a) => shown(a)[key]));
}

/** The receptive field; where it depends on the position, its range over the positions. */
function rfText(analysis) {
  return perAxis(analysis.axes.map((a) => axisRf(a,
    a.whole_input ? null : (analysis.position_sizes || []).find((p) => p.axis === a.axis)?.sizes)));
}

export function showSummary(analysis) {
  const axes = analysis.axes;
  $("m-rf").textContent = rfText(analysis);
  $("m-stride").textContent = axisValues(axes, "stride");
  $("m-padding").textContent = perAxis(axes.map(axisPadding));
  $("m-center").textContent = axisValues(axes, "center");
  $("m-paths").textContent = countText(analysis.paths);
  const status = $("m-aligned");
  status.textContent = analysis.aligned === true ? "aligned" : analysis.aligned === false ? "not aligned" : "unknown";
  status.className = "value " + (analysis.aligned === true ? "yes" : analysis.aligned === false ? "no" : "");
  const parts = [`${analysis.input} → ${analysis.output}`];
  if (analysis.input_size) parts.push(`input ${sizeText(analysis.input_size)} → output ${sizeText(analysis.sizes[analysis.output])}`);
  const reasons = [...new Set(axes.filter((a) => a.reason).map((a) => a.reason))];
  // One statement per distinct fact: axes that say the same are named together, and the
  // sizes by position are listed once (by phase when periodic, else position by position).
  const facts = new Map(); // text -> [axes]
  const say = (axis, text) => { if (!facts.has(text)) facts.set(text, []); facts.get(text).push(axis); };
  for (const a of axes) {
    if (a.local) say(a.axis, `paths avoiding whole-input layers: rf ${num(a.local.rf)}, stride ${num(a.local.stride)}`);
    if (a.phases) say(a.axis, `region size by output position mod ${a.period}: ${listed(a.phases.map((p) => p.size))}`);
  }
  for (const p of analysis.position_sizes || []) {
    if (!axes.some((a) => a.axis === p.axis && a.phases)) say(p.axis, `region size by output position: ${listed(p.sizes)}`);
  }
  for (const [text, on] of facts) parts.push(`${on.length > 1 ? "axes" : "axis"} ${on.join(", ")}: ${text}`);
  fill($("summary-text"), [...parts, ...reasons].join(" · "));
}

/** The first 16 values of a list ("…" after them). */
function listed(values) {
  return values.slice(0, 16).join(", ") + (values.length > 16 ? ", …" : "");
}

/** The panel of one map: its row of the per-node table (seen from the input). */
export function showNode(name, row, analysis, actions) {
  const panel = $("node-panel");
  if (!row) {
    fill(panel, h("h2", {}, "Map"), h("p", { class: "node-name" }, name),
      h("p", { class: "hint" }, `Not reached from the input ${analysis.input}.`),
      nodeActions(name, analysis, actions));
    return;
  }
  const axes = row.axes;
  const size = analysis.sizes ? analysis.sizes[name] : null;
  const body = [
    ["receptive field r", perAxis(axes.map((a) => axisRf(a, null)))],
    ["effective stride S", axisValues(axes, "stride")],
    ["effective padding P", perAxis(axes.map(axisPadding))],
    ["centre of position 0", axisValues(axes, "center")],
    ["feature-map size", size ? sizeText(size) : "–"],
    ["paths from the input", countText(row.paths)],
  ];
  const alignedText = row.aligned === true ? "yes" : row.aligned === false ? "no" : "unknown";
  const table = h("table", { class: "kv" },
    body.map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", {}, v))),
    h("tr", {}, h("th", {}, "aligned"), h("td", {}, h("span", { class: `pill ${alignedText}` }, alignedText))));
  const reasons = [...new Set(axes.map((a) => a.reason).filter(Boolean))];
  const local = axes.filter((a) => a.local).map((a) => `axis ${a.axis} without whole-input layers: r ${num(a.local.rf)}, S ${num(a.local.stride)}, P ${num(a.local.padding)}`);
  fill(panel, h("h2", {}, "Map"), h("p", { class: "node-name" }, name),
    h("p", { class: "hint" }, `seen from the input ${analysis.input}`), table,
    [...reasons, ...local].map((r) => h("p", { class: "reason" }, r)),
    nodeActions(name, analysis, actions));
}

function nodeActions(name, analysis, actions) {
  return h("div", { class: "actions" },
    h("button", { type: "button", onclick: () => actions.setInput(name), disabled: name === analysis.input }, "Make it the input"),
    h("button", { type: "button", onclick: () => actions.setOutput(name), disabled: name === analysis.output }, "Make it the output"));
}

/** "centres drift apart by 1 px per output feature", in words. */
export function describeMismatch(m) {
  const [a, b] = m.paths;
  const axes = m.axes.length > 1 ? `axes ${m.axes.join(", ")}` : `axis ${m.axes[0]}`;
  if (m.kind === "stride") {
    const offset = m.offset === null ? "" : `; at output 0 ${centres(m.offset)}`;
    return `Along ${axes}, the paths that meet at ${m.node} (parting at ${m.fork}) have different strides: `
      + `${num(a.stride)} on path ① and ${num(b.stride)} on path ②. Their centres drift apart by ${num(m.drift)} px `
      + `per output feature${offset}, so the region's size and shape depend on the position.`;
  }
  return `Along ${axes}, the paths that meet at ${m.node} (parting at ${m.fork}) have the same stride `
    + `${num(a.stride)}, but for every output feature ${centres(m.offset)}: the two branches' features `
    + `are not aligned.`;
}

/** "path ①'s centre lies 2 px before path ②'s" from the offset (path ① minus path ②). */
function centres(offset) {
  const n = Number(typeof offset === "string" && offset.includes("/") ? eval0(offset) : offset);
  if (!Number.isFinite(n) || n === 0) return "the two paths put the centre at the same place";
  const size = typeof offset === "string" ? offset.replace(/^-/, "") : String(Math.abs(n));
  return `path ①'s centre lies ${size} px ${n < 0 ? "before" : "after"} path ②'s along the axis`;
}

function eval0(fraction) {
  const [a, b] = fraction.split("/").map(Number);
  return a / b;
}

export function showMismatches(analysis, onPick) {
  const panel = $("mismatch-panel");
  const list = $("mismatch-list");
  const ms = analysis.mismatches || [];
  panel.hidden = ms.length === 0;
  fill(list, ms.map((m, k) => {
    const item = h("div", { class: "mismatch", role: "button", tabindex: "0", "data-index": k },
      h("p", { class: "what" }, describeMismatch(m)),
      m.paths.map((p, j) => h("p", { class: "path" },
        h("b", { class: j ? "path-b" : "path-a" }, j ? "path ② " : "path ① "),
        `r ${num(p.rf)}, S ${num(p.stride)}, P ${num(p.padding)}: `, p.nodes.join(" → "))));
    const pick = () => onPick(k);
    item.addEventListener("click", pick);
    item.addEventListener("keydown", (e) => { if (e.key === "Enter") pick(); });
    return item;
  }));
}

export function markMismatch(k) {
  for (const el of document.querySelectorAll(".mismatch")) el.classList.toggle("active", Number(el.dataset.index) === k);
}
