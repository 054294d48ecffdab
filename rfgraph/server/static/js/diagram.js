// The diagram: the server's SVG (Graphviz, drawn without a system Graphviz), shown inline with
// pan (drag), zoom (wheel, buttons), search, and clickable maps. Graphviz names the diagram's
// nodes n0, n1, ... (the graph's maps in order: maps[i] is node n<i>), edges "n3->n5".

import { fill, h } from "./dom.js";

const ALLOWED = new Set(["svg", "g", "title", "path", "polygon", "polyline", "ellipse", "text", "tspan", "a",
  "defs", "line", "rect", "circle", "linearGradient", "radialGradient", "stop"]);

/** Parse the server's SVG text and keep only drawing elements and harmless attributes
 * (defence in depth: the server already escapes every name). */
function sanitize(text) {
  const doc = new DOMParser().parseFromString(text, "image/svg+xml");
  const root = doc.documentElement;
  if (root.nodeName !== "svg" || doc.querySelector("parsererror")) throw new Error("the diagram is not valid SVG");
  for (const el of [...root.querySelectorAll("*")]) {
    if (!ALLOWED.has(el.localName)) { el.remove(); continue; }
    for (const attr of [...el.attributes]) {
      const name = attr.name.toLowerCase();
      if (name.startsWith("on") || name === "href" || name === "xlink:href" || name === "style") el.removeAttribute(attr.name);
    }
  }
  return document.importNode(root, true);
}

export class Diagram {
  constructor(container, status, { onSelect, onOpen } = {}) {
    this.container = container;
    this.status = status;
    this.onSelect = onSelect || (() => {});
    this.onOpen = onOpen || (() => {});
    this.svg = null;
    this.nodes = new Map(); // index -> <g>
    this.edges = [];        // {src, dst, el}
    this.modules = new Map();
    this.view = null;       // current viewBox {x, y, w, h}
    this.box = null;        // the whole drawing
    this.#bindPanZoom();
  }

  /** Show a new diagram; `maps` names its nodes by index. */
  show(svgText, maps) {
    const svg = sanitize(svgText);
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    svg.setAttribute("preserveAspectRatio", "xMidYMid meet");
    const [x, y, w, hgt] = (svg.getAttribute("viewBox") || "0 0 100 100").split(/[\s,]+/).map(Number);
    this.box = { x, y, w, h: hgt };
    this.maps = maps;
    this.nodes.clear();
    this.edges = [];
    this.modules = new Map(); // first map index -> <g> of a module drawn as one node
    for (const g of svg.querySelectorAll("g.node")) {
      const id = g.querySelector("title")?.textContent || "";
      const m = /^([ng])(\d+)$/.exec(id);
      if (!m) continue;
      const index = Number(m[2]);
      g.setAttribute("tabindex", "0");
      g.setAttribute("role", "button");
      if (m[1] === "n") {
        g.dataset.index = String(index);
        g.setAttribute("aria-label", maps[index] ?? id);
        this.nodes.set(index, g);
      } else {
        g.dataset.module = String(index);
        g.dataset.name = g.querySelector("text")?.textContent || id;  // its label's first line
        g.setAttribute("aria-label", `module ${g.dataset.name}: open it`);
        this.modules.set(index, g);
      }
    }
    for (const g of svg.querySelectorAll("g.edge")) {
      const m = /^([ng])(\d+)->([ng])(\d+)$/.exec(g.querySelector("title")?.textContent || "");
      if (m && m[1] === "n" && m[3] === "n") this.edges.push({ src: Number(m[2]), dst: Number(m[4]), el: g });
    }
    for (const t of svg.querySelectorAll("title")) t.textContent = this.#titleText(t.textContent);
    fill(this.container, svg);
    this.svg = svg;
    this.fit();
    const modules = this.modules.size ? ` and ${this.modules.size} modules (click one to open it)` : "";
    this.status.textContent = `${this.nodes.size} maps${modules} drawn · drag to pan, wheel to zoom, click a map`;
  }

  #titleText(id) {
    const m = /^n(\d+)$/.exec(id);
    if (m && this.maps[Number(m[1])] !== undefined) return this.maps[Number(m[1])];
    const g = /^g(\d+)$/.exec(id);
    return g && this.modules.has(Number(g[1])) ? `${this.modules.get(Number(g[1])).dataset.name}: click to open` : "";
  }

  clear(message) {
    this.svg = null;
    this.nodes.clear();
    this.modules = new Map();
    this.edges = [];
    fill(this.container, h("div", { class: "placeholder" }, message));
  }

  // ---------------------------------------------------------------------------------------
  // view box

  fit() {
    if (!this.box) return;
    const rect = this.container.getBoundingClientRect();
    const aspect = rect.width / Math.max(rect.height, 1);
    let { x, y, w, h: hgt } = this.box;
    // very tall drawings (long chains): start at the top, readable, not a thin strip
    if (hgt / w > 3 * (1 / aspect) && hgt > 1200) {
      const visible = Math.max(w * 1.05, 900) / aspect;
      this.setView({ x: x - w * 0.025, y, w: Math.max(w * 1.05, 900), h: visible });
      return;
    }
    // small drawings: at most 1.3 times their natural size (text stays text-sized)
    const pad = 0.02;
    const vw = Math.max(w * (1 + 2 * pad), rect.width / 1.3), vh = Math.max(hgt * (1 + 2 * pad), rect.height / 1.3);
    this.setView({ x: x + w / 2 - vw / 2, y: y + hgt / 2 - vh / 2, w: vw, h: vh });
  }

  setView(v) {
    this.view = v;
    if (this.svg) this.svg.setAttribute("viewBox", `${v.x} ${v.y} ${v.w} ${v.h}`);
  }

  zoom(factor, cx = 0.5, cy = 0.5) {
    if (!this.view) return;
    const v = this.view;
    const w = Math.min(Math.max(v.w * factor, 20), this.box.w * 20);
    const ratio = w / v.w;
    const hgt = v.h * ratio;
    this.setView({ x: v.x + (v.w - w) * cx, y: v.y + (v.h - hgt) * cy, w, h: hgt });
  }

  /** Centre the view on a node (a map, or with `module` the module drawn as one node). */
  focus(index, module = false) {
    const g = (module ? this.modules : this.nodes).get(index);
    if (!g || !this.view) return false;
    // the node's box in the drawing's coordinates (Graphviz translates its top group)
    const r = g.getBoundingClientRect();
    const toSvg = this.svg.getScreenCTM().inverse();
    const a = new DOMPoint(r.left, r.top).matrixTransform(toSvg);
    const b = new DOMPoint(r.right, r.bottom).matrixTransform(toSvg);
    const bw = b.x - a.x, bh = b.y - a.y;
    const w = Math.min(this.view.w, Math.max(bw * 6, 500));
    const hgt = this.view.h * (w / this.view.w);
    this.setView({ x: a.x + bw / 2 - w / 2, y: a.y + bh / 2 - hgt / 2, w, h: hgt });
    return true;
  }

  #bindPanZoom() {
    const c = this.container;
    let drag = null;
    c.addEventListener("wheel", (e) => {
      if (!this.view) return;
      e.preventDefault();
      const r = c.getBoundingClientRect();
      this.zoom(Math.exp(e.deltaY * 0.0015), (e.clientX - r.left) / r.width, (e.clientY - r.top) / r.height);
    }, { passive: false });
    c.addEventListener("pointerdown", (e) => {
      if (!this.view || e.button !== 0) return;
      drag = { x: e.clientX, y: e.clientY, view: { ...this.view }, moved: false };
    });
    window.addEventListener("pointermove", (e) => {
      if (!drag) return;
      const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (!drag.moved && Math.hypot(dx, dy) < 4) return;
      drag.moved = true;
      c.classList.add("dragging");
      const r = c.getBoundingClientRect();
      const scale = Math.max(drag.view.w / r.width, drag.view.h / r.height);
      this.setView({ ...drag.view, x: drag.view.x - dx * scale, y: drag.view.y - dy * scale });
    });
    window.addEventListener("pointerup", (e) => {
      if (!drag) return;
      const moved = drag.moved;
      drag = null;
      c.classList.remove("dragging");
      if (moved) return;
      const g = e.target.closest?.("g.node");
      if (g && c.contains(g)) this.#activate(g);
    });
    c.addEventListener("keydown", (e) => {
      const g = e.target.closest?.("g.node");
      if (g && (e.key === "Enter" || e.key === " ")) { e.preventDefault(); this.#activate(g); }
      if (e.key === "+" || e.key === "=") this.zoom(0.8);
      if (e.key === "-") this.zoom(1.25);
    });
  }

  #activate(g) {
    if (g.dataset.module !== undefined) this.onOpen(Number(g.dataset.module), g.dataset.name);
    else this.onSelect(Number(g.dataset.index));
  }

  // ---------------------------------------------------------------------------------------
  // marks

  select(index) {
    for (const g of this.nodes.values()) g.classList.remove("selected");
    const g = this.nodes.get(index);
    if (g) g.classList.add("selected");
    return Boolean(g);
  }

  flash(index, module = false) {
    const g = (module ? this.modules : this.nodes).get(index);
    if (!g) return;
    g.classList.add("found");
    setTimeout(() => g.classList.remove("found"), 1600);
  }

  /** Highlight the witness paths: `paths` = [[indices of path ①], [indices of path ②]].
   * Maps folded into an edge (collapsed view) are skipped; an edge is lit when it joins two
   * consecutive drawn maps of the path. */
  highlightPaths(paths) {
    this.clearPaths();
    if (!paths) return;
    const classes = ["on-a", "on-b"];
    paths.forEach((path, k) => {
      const drawn = path.filter((i) => this.nodes.has(i));
      for (const i of drawn) this.nodes.get(i).classList.add(classes[k]);
      for (let j = 0; j + 1 < drawn.length; j++) {
        for (const e of this.edges) if (e.src === drawn[j] && e.dst === drawn[j + 1]) e.el.classList.add(classes[k]);
      }
    });
    this.container.classList.add("dim");
  }

  clearPaths() {
    this.container.classList.remove("dim");
    for (const el of this.container.querySelectorAll(".on-a, .on-b")) el.classList.remove("on-a", "on-b");
  }

  /** The SVG as a standalone file (for export). */
  serialize() {
    if (!this.svg) return null;
    const copy = this.svg.cloneNode(true);
    const { x, y, w, h: hgt } = this.box;
    copy.setAttribute("viewBox", `${x} ${y} ${w} ${hgt}`);
    copy.setAttribute("width", String(w));
    copy.setAttribute("height", String(hgt));
    copy.setAttribute("xmlns", "http://www.w3.org/2000/svg");
    return new XMLSerializer().serializeToString(copy);
  }
}
