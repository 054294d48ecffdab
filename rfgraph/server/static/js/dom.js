// Building the page from data: every text goes in through textContent (never innerHTML), so
// names from user files (<script>, quotes, &) show as written and can do nothing else.

export const SVG_NS = "http://www.w3.org/2000/svg";

/** An HTML element: h("td", {class: "x"}, "text", child, ...). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

/** An SVG element. */
export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
}

function append(el, children) {
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Empty an element and fill it with children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A value as rfgraph writes it: null -> "–", numbers as they are, "a/b" fractions as is. */
export function num(v) {
  if (v === null || v === undefined) return "–";
  return String(v);
}

/** Per-axis values: one value when every axis agrees, else "3 × 5". */
export function perAxis(values) {
  const texts = values.map(num);
  return texts.every((t) => t === texts[0]) ? texts[0] : texts.join(" × ");
}

/** "224×224". */
export function sizeText(size) {
  return size ? size.join("×") : "–";
}

export function yes(flag) {
  return flag === true ? "aligned" : flag === false ? "NOT aligned" : "unknown";
}

/** Download a Blob under a file name. */
export function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The numbers to show for an axis: through whole-input context (squeeze-excitation,
 * normalisation statistics), those of the data paths, as the command line shows them. */
export function shown(a) {
  return a.whole_input && a.local ? a.local : a;
}

/** The receptive field of an axis: "whole input" when nothing local reaches the map, the
 * data paths' rf "+ global" through whole-input context, a range where it depends on the
 * position (`sizes`: the sizes by position, when known). */
export function axisRf(a, sizes) {
  if (a.whole_input && !a.local) return "whole input";
  const data = shown(a);
  let rf = data.rf;
  if (rf === null) {
    const live = (sizes || (data.phases || []).map((p) => p.size)).filter((v) => v > 0);
    rf = live.length ? `${Math.min(...live)}–${Math.max(...live)}` : null;
  }
  return a.whole_input && rf !== null ? `${num(rf)} + global` : rf;
}

/** A path count. JSON numbers arrive as doubles: counts above 2^53 are shown rounded, as a
 * power of ten (the digits would look exact and are not), beyond 10^308 they are infinite. */
export function countText(value) {
  const n = Number(value);
  if (!Number.isFinite(n)) return "more than 10^308";
  if (n <= Number.MAX_SAFE_INTEGER) return n.toLocaleString("en");
  const [mantissa, exponent] = n.toExponential(2).split("e");
  return `about ${mantissa} × 10^${Number(exponent)}`;
}

/** The effective padding of an axis; through upsampling, where the region's offset from
 * stride * j varies with the output position, its range over one period ("0–15"), as the
 * command line prints it. */
export function axisPadding(a) {
  const data = shown(a);
  if (data.padding !== null && data.padding !== undefined) return data.padding;
  if (!data.phases || data.stride === null || data.stride === undefined) return null;
  const [p, q] = String(data.stride).split("/").map(Number).concat([1]).slice(0, 2);
  // offsets (p * at - q * u) / q, compared as integers over the common denominator q
  const tops = data.phases.filter((ph) => ph.u !== null).map((ph) => p * ph.at - q * ph.u);
  if (!tops.length || !tops.every(Number.isSafeInteger)) return null;
  const text = (n) => {
    const g = gcd(Math.abs(n), q);
    return q / g === 1 ? String(n / g) : `${n / g}/${q / g}`;
  };
  const low = Math.min(...tops), high = Math.max(...tops);
  return low === high ? text(low) : `${text(low)}–${text(high)}`;
}

function gcd(a, b) {
  return b ? gcd(b, a % b) : a || 1;
}
