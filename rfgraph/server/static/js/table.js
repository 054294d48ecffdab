// The per-node table (seen from the input), sortable by any column, filterable by name.
// Clicking a row selects the map. Rows are shown a page at a time: a graph of 10^5 maps would
// otherwise put 10^6 cells in the page (seconds of layout for rows nobody scrolls to).

import { axisPadding, axisRf, countText, fill, h, num, perAxis, shown, sizeText } from "./dom.js";

const COLUMNS = [
  { key: "name", label: "map", value: (r) => r.name, text: (r) => r.name },
  { key: "rf", label: "rf", value: (r) => first(r, "rf"), text: (r) => perAxis(r.axes.map((a) => axisRf(a, null))) },
  { key: "stride", label: "stride", value: (r) => first(r, "stride"), text: (r) => perAxis(r.axes.map((a) => shown(a).stride)) },
  { key: "padding", label: "padding", value: (r) => first(r, "padding"), text: (r) => perAxis(r.axes.map(axisPadding)) },
  { key: "center", label: "centre(0)", value: (r) => first(r, "center"), text: (r) => perAxis(r.axes.map((a) => shown(a).center)) },
  { key: "size", label: "size", value: (r) => (r.size ? r.size.reduce((x, y) => x * y, 1) : null), text: (r) => sizeText(r.size) },
  { key: "paths", label: "paths", value: (r) => r.paths, text: (r) => countText(r.paths) },
  { key: "aligned", label: "aligned", value: (r) => (r.aligned === true ? 1 : r.aligned === false ? 0 : -1),
    text: (r) => (r.aligned === true ? "yes" : r.aligned === false ? "NO" : "unknown") },
];

/** A sortable value: numbers as numbers ("a/b" fractions too), null last. */
function first(row, key) {
  const v = shown(row.axes[0])[key];
  if (v === null || v === undefined) return null;
  if (typeof v === "string" && v.includes("/")) {
    const [a, b] = v.split("/").map(Number);
    return a / b;
  }
  return Number(v);
}

/** Rows drawn at once. */
const PAGE = 250;

export class NodeTable {
  constructor(table, filter, count, { onSelect, pager } = {}) {
    this.table = table;
    this.filter = filter;
    this.count = count;
    this.pager = pager || null;
    this.onSelect = onSelect || (() => {});
    this.sort = { key: null, dir: 1 };
    this.rows = [];
    this.page = 0;
    filter.addEventListener("input", () => { this.page = 0; this.#render(); });
  }

  show(tableAnswer, analysis) {
    this.source = tableAnswer;
    this.rows = Object.entries(tableAnswer.nodes).map(([name, row], order) => ({
      name, order, ...row, size: analysis.sizes ? analysis.sizes[name] : null,
    }));
    const head = h("tr", {}, COLUMNS.map((c) => {
      const th = h("th", { scope: "col", tabindex: "0", "data-key": c.key }, c.label);
      const sortBy = () => this.#sortBy(c.key);
      th.addEventListener("click", sortBy);
      th.addEventListener("keydown", (e) => { if (e.key === "Enter") sortBy(); });
      return th;
    }));
    fill(this.table.tHead, head);
    this.#render();
  }

  #sortBy(key) {
    this.sort = { key, dir: this.sort.key === key ? -this.sort.dir : 1 };
    this.page = 0;
    this.#render();
  }

  /** Show page `k` (of the filtered, sorted rows). */
  turn(k) {
    this.page = k;
    this.#render();
  }

  #render() {
    const needle = this.filter.value.trim().toLowerCase();
    let rows = this.rows.filter((r) => !needle || r.name.toLowerCase().includes(needle));
    const { key, dir } = this.sort;
    if (key) {
      const column = COLUMNS.find((c) => c.key === key);
      rows = [...rows].sort((a, b) => {
        const x = column.value(a), y = column.value(b);
        if (x === null && y === null) return a.order - b.order;
        if (x === null) return 1;
        if (y === null) return -1;
        if (typeof x === "string") return dir * x.localeCompare(y);
        return dir * (x - y) || a.order - b.order;
      });
    }
    for (const th of this.table.tHead.querySelectorAll("th")) {
      th.setAttribute("aria-sort", th.dataset.key === key ? (dir > 0 ? "ascending" : "descending") : "none");
    }
    const pages = Math.max(1, Math.ceil(rows.length / PAGE));
    this.page = Math.min(Math.max(this.page, 0), pages - 1);
    const from = this.page * PAGE;
    const body = rows.slice(from, from + PAGE).map((r) => {
      const tr = h("tr", { "data-name": r.name }, COLUMNS.map((c) => h("td", {}, c.text(r))));
      tr.addEventListener("click", () => this.onSelect(r.name));
      if (r.name === this.selected) tr.classList.add("selected");
      return tr;
    });
    fill(this.table.tBodies[0], body);
    const n = (k) => k.toLocaleString("en");
    this.count.textContent = `${n(rows.length)} of ${n(this.rows.length)} maps`
      + (pages > 1 ? ` · rows ${n(from + 1)}–${n(Math.min(from + PAGE, rows.length))}` : "");
    this.shown = rows;
    if (this.pager) this.#pager(pages);
  }

  /** Previous / next buttons and the page number (hidden when everything fits on one page). */
  #pager(pages) {
    const k = this.page;
    fill(this.pager, pages < 2 ? [] : [
      h("button", { type: "button", "data-page": "prev", disabled: k === 0, onclick: () => this.turn(k - 1) }, "‹ previous"),
      h("span", { class: "hint" }, `page ${k + 1} of ${pages}`),
      h("button", { type: "button", "data-page": "next", disabled: k === pages - 1, onclick: () => this.turn(k + 1) }, "next ›"),
    ]);
  }

  /** Turn to the page that holds map `name` (when the filter lets it through). */
  reveal(name) {
    const at = (this.shown || []).findIndex((r) => r.name === name);
    if (at >= 0 && Math.floor(at / PAGE) !== this.page) this.turn(Math.floor(at / PAGE));
  }

  /** No rows yet, and why. */
  clear(why) {
    this.source = null;
    this.rows = [];
    this.shown = [];
    fill(this.table.tBodies[0]);
    if (this.pager) fill(this.pager);
    this.count.textContent = why;
  }

  select(name) {
    this.selected = name;
    this.reveal(name);
    for (const tr of this.table.tBodies[0].rows) tr.classList.toggle("selected", tr.dataset.name === name);
  }
}
