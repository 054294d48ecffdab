// The per-node table (seen from the input), sortable by any column, filterable by name.
// Clicking a row selects the map.

import { axisRf, fill, h, num, perAxis, shown, sizeText } from "./dom.js";

const COLUMNS = [
  { key: "name", label: "map", value: (r) => r.name, text: (r) => r.name },
  { key: "rf", label: "rf", value: (r) => first(r, "rf"), text: (r) => perAxis(r.axes.map((a) => axisRf(a, null))) },
  { key: "stride", label: "stride", value: (r) => first(r, "stride"), text: (r) => perAxis(r.axes.map((a) => shown(a).stride)) },
  { key: "padding", label: "padding", value: (r) => first(r, "padding"), text: (r) => perAxis(r.axes.map((a) => shown(a).padding)) },
  { key: "center", label: "centre(0)", value: (r) => first(r, "center"), text: (r) => perAxis(r.axes.map((a) => shown(a).center)) },
  { key: "size", label: "size", value: (r) => (r.size ? r.size.reduce((x, y) => x * y, 1) : null), text: (r) => sizeText(r.size) },
  { key: "paths", label: "paths", value: (r) => r.paths, text: (r) => Number(r.paths).toLocaleString("en") },
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

export class NodeTable {
  constructor(table, filter, count, { onSelect } = {}) {
    this.table = table;
    this.filter = filter;
    this.count = count;
    this.onSelect = onSelect || (() => {});
    this.sort = { key: null, dir: 1 };
    this.rows = [];
    filter.addEventListener("input", () => this.#render());
  }

  show(tableAnswer, analysis) {
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
    const body = rows.map((r) => {
      const tr = h("tr", { "data-name": r.name }, COLUMNS.map((c) => h("td", {}, c.text(r))));
      tr.addEventListener("click", () => this.onSelect(r.name));
      if (r.name === this.selected) tr.classList.add("selected");
      return tr;
    });
    fill(this.table.tBodies[0], body);
    this.count.textContent = `${rows.length} of ${this.rows.length} maps`;
  }

  select(name) {
    this.selected = name;
    for (const tr of this.table.tBodies[0].rows) tr.classList.toggle("selected", tr.dataset.name === name);
  }
}
