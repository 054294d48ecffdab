// Regions, Distill style: one row of cells per map along the chosen path(s), the output at the
// bottom. Hover (or click) an output cell: every cell it depends on lights up in every map
// (from the API's footprints: the page computes no receptive field itself). Padding is
// hatched, cells inside the region that are not read ("holes": dilations, transposed
// convolutions) stay pale, and when the graph is misaligned the two witness paths have a
// colour each (purple where both read a cell).

import * as api from "./api.js";
import { fill, h, s } from "./dom.js";

const LABEL_W = 200;
const MAX_CELL = 26;
const MAX_ROWS = 24;
const MAX_ALL = 200;
const LIST_ROWS_ABOVE = 1000;

export class Regions {
  constructor(container, hint, { onPosition } = {}) {
    this.container = container;
    this.hint = hint;
    this.onPosition = onPosition || (() => {});
    this.token = 0;
    // Long output rows (a U-Net's 388 positions) have cells too thin to point at: the arrow
    // keys step through them (Shift: by 10; Home/End: the ends).
    container.tabIndex = 0;
    container.setAttribute("aria-label", "regions: left and right arrows step through the output positions");
    container.addEventListener("keydown", (e) => this.#key(e));
  }

  /** Draw the rows for graph `id` with the current analysis, table and options; `through`
   * (the selected map, optional) chooses the path the rows follow. */
  async show({ id, analysis, table, detail, axis, allMaps, params, at, through }) {
    const token = ++this.token;
    this.requested = through || null;
    this.id = id;
    this.params = params;
    this.axis = axis;
    if (!analysis.input_size) {
      this.rows = null;
      this.hint.textContent = "Give an input size (above) to draw the maps cell by cell.";
      fill(this.container);
      return;
    }
    const outLength = analysis.sizes[analysis.output][axis];
    const chain = await this.#path(id, analysis, params, through);
    if (token !== this.token) return;
    this.through = chain.through;
    this.outputName = analysis.output;
    const rows = this.#rows(chain.nodes, analysis, table, detail, axis, allMaps, chain.through);
    // On a big graph ask only for the rows drawn: every map's cells are megabytes per position.
    this.only = detail.maps.length > LIST_ROWS_ABOVE ? { maps: JSON.stringify(rows) } : {};
    const query = (j) => api.ask(id, "footprints", { ...params, at: j, axis, ...this.only });
    const [first, last] = await Promise.all([query(0), query(outLength - 1)]);
    if (token !== this.token) return;
    const margins = this.#margins(rows, analysis, axis, [first, last]);
    this.rows = rows.map((name) => ({ name, length: analysis.sizes[name][axis], ...margins.get(name) }));
    this.witnessed = (first.witnesses || []).length > 0;
    this.#draw(analysis);
    this.current = null;
    const start = at !== undefined && at !== null && at >= 0 && at < outLength ? at : Math.floor((outLength - 1) / 2);
    await this.highlight(start);
  }

  /** The maps to draw (`{nodes, through}`): the witness paths when misaligned; else a path
   * from the input through the map `through` to the output when there is one (the user
   * chooses the path by selecting a map); else the first input-output path. */
  async #path(id, analysis, params, through) {
    const ms = analysis.mismatches || [];
    if (ms.length) return { nodes: [...ms[0].paths[0].nodes, ...ms[0].paths[1].nodes], through: null };
    const first = (input, output) => api.ask(id, "paths", { input, output, limit: 1 })
      .then((answer) => (answer.paths.length ? answer.paths[0].nodes : null));
    if (through && through !== analysis.input && through !== analysis.output && analysis.sizes?.[through]) {
      const [before, after] = await Promise.all([first(analysis.input, through), first(through, analysis.output)])
        .catch(() => [null, null]);  // (a map the output does not depend on: no path)
      if (before && after) return { nodes: [...before, ...after.slice(1)], through };
    }
    const nodes = await first(params.input, params.output);
    return { nodes: nodes || [analysis.input, analysis.output], through: null };
  }

  #rows(chain, analysis, table, detail, axis, allMaps, through) {
    const order = new Map(detail.maps.map((n, i) => [n, i]));
    const unique = [...new Set(chain)].filter((n) => analysis.sizes[n]).sort((a, b) => order.get(a) - order.get(b));
    // (every map: up to MAX_ALL rows; a path through 10^5 maps would be 10^5 rows of cells)
    if (unique.length <= 14 || allMaps && unique.length <= MAX_ALL) return unique;
    // Only the maps where the geometry changes (a layer with a kernel or a stride), the ends,
    // and the merges: elementwise layers repeat the row above.
    const kept = [];
    let previous = null;
    for (const name of unique) {
      const row = table ? table.nodes[name] : null;  // (big graphs: the table is not loaded)
      const a = row ? row.axes[axis] : null;
      const key = a ? `${a.rf}|${a.stride}|${a.padding}|${analysis.sizes[name][axis]}` : name;
      if (name === analysis.input || name === analysis.output || name === through || key !== previous) kept.push(name);
      previous = key;
    }
    return kept.length <= MAX_ROWS ? kept : this.#fewer(kept, analysis, table, axis, through);
  }

  /** At most MAX_ROWS rows: the ends, the map `through` and every map where the stride
   * changes, then maps evenly spread between them. */
  #fewer(names, analysis, table, axis, through) {
    const stride = (n) => table?.nodes[n]?.axes[axis]?.stride;
    const must = new Set([names[0], names[names.length - 1], ...names.filter((n) => n === through)]);
    names.forEach((n, i) => { if (i && stride(n) !== stride(names[i - 1])) must.add(n); });
    const rest = names.filter((n) => !must.has(n));
    const room = Math.max(MAX_ROWS - must.size, 0);
    const picked = new Set([...must, ...rest.filter((_, i) => Math.floor((i * room) / rest.length) !== Math.floor(((i - 1) * room) / rest.length))]);
    return names.filter((n) => picked.has(n));
  }

  /** Padding cells to draw on each side of each map: as far as the first and the last output
   * reach (they touch the most padding). */
  #margins(rows, analysis, axis, answers) {
    const out = new Map(rows.map((n) => [n, { left: 0, right: 0 }]));
    for (const answer of answers) {
      const lists = [answer.maps, ...(answer.witnesses || []).map((w) => w.maps)];
      for (const maps of lists) {
        for (const m of maps) {
          const entry = out.get(m.node);
          if (!entry || !m.padding.length) continue;
          const n = analysis.sizes[m.node][axis];
          entry.left = Math.max(entry.left, -Math.min(...m.padding));
          entry.right = Math.max(entry.right, Math.max(...m.padding) - (n - 1));
        }
      }
    }
    return out;
  }

  #draw(analysis) {
    const width = Math.max(this.container.clientWidth - 24, 600);
    const widest = Math.max(...this.rows.map((r) => r.length + r.left + r.right));
    const cell = Math.max(1, Math.min(MAX_CELL, (width - LABEL_W) / widest));
    const rowH = Math.max(cell, 9);
    const gap = Math.max(8, Math.min(rowH, 18));
    const height = this.rows.length * (rowH + gap) + 10;
    const defs = s("defs", {},
      s("pattern", { id: "hatch", width: 4, height: 4, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" },
        s("rect", { width: 4, height: 4, fill: "#ffffff" }), s("rect", { width: 1.6, height: 4, fill: "#b8c2cc" })),
      s("pattern", { id: "hatch-read", width: 4, height: 4, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" },
        s("rect", { width: 4, height: 4, fill: "#dbe7f0" }), s("rect", { width: 1.6, height: 4, fill: "#2a6f97" })));
    const svg = s("svg", { width, height, role: "img", "aria-label": "regions map by map" }, defs);
    this.cells = new Map(); // map name -> Map(position -> rect)
    this.rows.forEach((row, k) => {
      const y = 5 + k * (rowH + gap);
      const total = row.length + row.left + row.right;
      // A short map (the output of a deep network) would be a few pixels wide at the scale of
      // the input: draw it larger (and say so) so that its cells can be pointed at.
      const zoom = total * cell < 160 ? Math.min(Math.floor(160 / (total * cell)), Math.floor(MAX_CELL / cell)) : 1;
      const c = cell * Math.max(zoom, 1);
      const x0 = LABEL_W + (widest * cell - total * c) / 2;
      const isOut = row.name === analysis.output;
      const group = s("g", { class: "row", "data-node": row.name });
      const label = s("text", { x: LABEL_W - 10, y: y + rowH / 2 + 4, "text-anchor": "end",
        class: "row-label" + (isOut ? " out" : "") + (row.name === this.through ? " through" : "") }, this.#short(row.name));
      label.append(s("title", {}, `${row.name} (length ${row.length})`));
      group.append(label);
      if (zoom > 1) group.append(s("text", { x: x0 + total * c + 8, y: y + rowH / 2 + 4, class: "note" }, `(drawn ${zoom}× larger)`));
      const byPos = new Map();
      for (let p = -row.left; p < row.length + row.right; p++) {
        const inside = p >= 0 && p < row.length;
        const rect = s("rect", { x: x0 + (p + row.left) * c, y, width: Math.max(c - (c > 4 ? 1 : 0), 0.8),
          height: rowH, class: "cell" + (inside ? "" : " padcell") + (isOut && inside ? " outcell" : ""),
          "data-p": p });
        if (isOut && inside) {
          rect.addEventListener("mouseenter", () => this.highlight(p));
          rect.addEventListener("click", () => { this.highlight(p); this.onPosition(p); });
        }
        byPos.set(p, rect);
        group.append(rect);
      }
      svg.append(group);
      this.cells.set(row.name, byPos);
    });
    fill(this.container, svg);
  }

  #key(e) {
    if (!this.rows || this.current === null || this.current === undefined) return;
    const out = this.rows.find((row) => row.name === this.outputName);
    if (!out) return;
    const length = out.length;
    const step = e.shiftKey ? 10 : 1;
    const moves = { ArrowLeft: this.current - step, ArrowRight: this.current + step, Home: 0, End: length - 1 };
    if (!(e.key in moves)) return;
    e.preventDefault();
    const j = Math.min(Math.max(moves[e.key], 0), length - 1);
    if (j !== this.current) { this.highlight(j); this.onPosition(j); }
  }

  #short(name) {
    return name.length > 26 ? "…" + name.slice(-25) : name;
  }

  /** Light up what output position `j` depends on. */
  async highlight(j) {
    if (!this.rows) return;
    const token = ++this.token;
    const answer = await api.ask(this.id, "footprints", { ...this.params, at: j, axis: this.axis, ...this.only });
    if (token !== this.token) return;
    this.current = j;
    const a = new Map(), b = new Map();
    const witnesses = answer.witnesses || [];
    const firstMismatch = witnesses.filter((w) => w.mismatch === witnesses[0]?.mismatch);
    for (const w of firstMismatch) for (const m of w.maps) (w.path === "a" ? a : b).set(m.node, new Set([...m.positions, ...m.padding]));
    for (const m of answer.maps) {
      const cells = this.cells.get(m.node);
      if (!cells) continue;
      const read = new Set(m.positions);
      const pads = new Set(m.padding);
      const lo = Math.min(...m.positions, ...m.padding), hi = Math.max(...m.positions, ...m.padding);
      for (const [p, rect] of cells) {
        const base = p >= 0 && p < m.length ? "cell" : "cell padcell";
        let cls = "";
        if (read.has(p)) {
          const inA = a.get(m.node)?.has(p), inB = b.get(m.node)?.has(p);
          cls = inA && inB ? " pab" : inA ? " pa" : inB ? " pb" : " read";
        } else if (pads.has(p)) cls = " padread";
        else if (p > lo && p < hi && p >= 0 && p < m.length) cls = " hole";
        const out = rect.classList.contains("outcell") ? " outcell" : "";
        rect.setAttribute("class", base + cls + out + (m.node === answer.output && p === j ? " current" : ""));
      }
    }
    for (const [name, cells] of this.cells) {  // maps the output does not reach through
      if (!answer.maps.some((m) => m.node === name)) for (const rect of cells.values()) rect.setAttribute("class", rect.getAttribute("class").replace(/ (read|pa|pb|pab|hole|padread)/g, ""));
    }
    const reads = answer.maps.find((m) => m.node === answer.input);
    const count = reads ? reads.positions.length : 0;
    this.hint.textContent = `Output ${j} of ${answer.output} (axis ${answer.axis}) reads ${count} input position${count === 1 ? "" : "s"}`
      + (reads && reads.positions.length ? ` (${Math.min(...reads.positions)} to ${Math.max(...reads.positions)})` : "")
      + (reads && reads.padding.length ? ` and ${reads.padding.length} padding` : "")
      + (witnesses.length ? ". Colours: path ① and path ②, the two paths that disagree." : ".")
      + (witnesses.length ? "" : this.through ? ` Rows: a path through ${this.through}.` : " Rows: the first path (select a map to follow a path through it).");
  }
}
