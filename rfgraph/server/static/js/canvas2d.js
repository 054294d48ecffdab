// The 2-D input canvas: the input as a grid (or a picture the user picks, read here and
// never uploaded) and the output map beside it. Clicking an output cell draws, from the API's
// exact region: the exact pixel set (filled), its hull (solid) and the unclipped region with
// padding (dashed). Clicking an input pixel asks which output's centre is nearest.

import * as api from "./api.js";

const IN_MAX = 480;
const OUT_MAX = 240;

export class InputCanvas {
  constructor({ input, output, inputCaption, outputCaption, readout, onPosition }) {
    this.input = input;
    this.output = output;
    this.inputCaption = inputCaption;
    this.outputCaption = outputCaption;
    this.readout = readout;
    this.onPosition = onPosition || (() => {});
    this.image = null;
    this.region = null;
    input.addEventListener("click", (e) => this.#inputClick(e));
    output.addEventListener("click", (e) => this.#outputClick(e));
  }

  /** Prepare for graph `id` (2-D with an input size), then show position `at`. */
  async show({ id, analysis, params, at }) {
    this.id = id;
    this.params = params;
    this.analysis = analysis;
    this.region = null;
    const ok = analysis.input_size && analysis.input_size.length === 2;
    this.enabled = ok;
    if (!ok) {
      this.#blank(analysis.input_size ? "The input canvas is for 2-D graphs: see the Regions tab." : "Give an input size to draw the input.");
      return;
    }
    const [H, W] = analysis.input_size;
    const [h, w] = analysis.sizes[analysis.output];
    this.inSize = [H, W];
    this.outSize = [h, w];
    // margin: the unclipped region may reach past the image (padding)
    // (at most a third of the image: beyond it the dashed outline runs off the canvas's edge)
    const padding = Math.max(...analysis.axes.map((a) => (typeof a.padding === "number" ? a.padding : 0)), 0);
    this.margin = Math.ceil(Math.min(padding, Math.max(H, W) / 3));
    const span = Math.max(H, W) + 2 * this.margin;
    this.scale = IN_MAX / span;
    this.input.width = Math.round((W + 2 * this.margin) * this.scale);
    this.input.height = Math.round((H + 2 * this.margin) * this.scale);
    this.outScale = Math.max(1, Math.floor(OUT_MAX / Math.max(h, w)));
    this.output.width = w * this.outScale;
    this.output.height = h * this.outScale;
    this.inputCaption.textContent = `input ${analysis.input}: ${H}×${W} (padding shown around it)`;
    this.outputCaption.textContent = `output ${analysis.output}: ${h}×${w}`;
    const pos = at && at.length === 2 && at[0] < h && at[1] < w ? at : [Math.floor(h / 2), Math.floor(w / 2)];
    await this.select(pos);
  }

  #blank(text) {
    for (const c of [this.input, this.output]) c.getContext("2d").clearRect(0, 0, c.width, c.height);
    this.readout.textContent = text;
  }

  setImage(bitmap) {
    this.image = bitmap;
    this.#draw();
  }

  async select(pos) {
    if (!this.enabled) return;
    const answer = await api.ask(this.id, "region", { ...this.params, at: pos, set: 1 });
    this.region = answer.positions[0];
    this.#draw();
    const r = this.region;
    const hull = r.lo ? `rows ${r.lo[0]}–${r.hi[0]}, columns ${r.lo[1]}–${r.hi[1]}` : "no pixel";
    const unclipped = r.u ? `rows ${r.u[0]}–${r.v[0]}, columns ${r.u[1]}–${r.v[1]}` : "–";
    this.readout.textContent = `output (${pos.join(", ")}): ${r.count} exact pixels; exact region ${hull}; `
      + `unclipped ${unclipped}` + (r.center ? `; centre (${r.center.join(", ")})` : "");
    this.onPosition(pos);
  }

  #toInput(e) {
    const rect = this.input.getBoundingClientRect();
    const x = (e.clientX - rect.left) * (this.input.width / rect.width) / this.scale - this.margin;
    const y = (e.clientY - rect.top) * (this.input.height / rect.height) / this.scale - this.margin;
    return [Math.floor(y), Math.floor(x)];
  }

  async #inputClick(e) {
    if (!this.enabled) return;
    const [i, j] = this.#toInput(e);
    if (i < 0 || j < 0 || i >= this.inSize[0] || j >= this.inSize[1]) return;
    try {
      const answer = await api.ask(this.id, "nearest", { input: this.params.input, output: this.params.output, pixel: [i, j] });
      const [a, b] = answer.at;
      const clamped = [Math.min(Math.max(a, 0), this.outSize[0] - 1), Math.min(Math.max(b, 0), this.outSize[1] - 1)];
      await this.select(clamped);
      this.readout.textContent = `input pixel (${i}, ${j}): nearest output centre is output (${a}, ${b})`
        + (a !== clamped[0] || b !== clamped[1] ? ` (outside the map: showing (${clamped.join(", ")}))` : "")
        + ". " + this.readout.textContent;
    } catch (err) {
      this.readout.textContent = err.message;
    }
  }

  #outputClick(e) {
    if (!this.enabled) return;
    const rect = this.output.getBoundingClientRect();
    const x = Math.floor((e.clientX - rect.left) * (this.output.width / rect.width) / this.outScale);
    const y = Math.floor((e.clientY - rect.top) * (this.output.height / rect.height) / this.outScale);
    if (x >= 0 && y >= 0 && y < this.outSize[0] && x < this.outSize[1]) this.select([y, x]);
  }

  #draw() {
    const g = this.input.getContext("2d");
    const [H, W] = this.inSize;
    const s = this.scale, m = this.margin;
    g.clearRect(0, 0, this.input.width, this.input.height);
    g.fillStyle = "#f1f3f6";
    g.fillRect(0, 0, this.input.width, this.input.height);
    if (this.image) {
      g.imageSmoothingEnabled = true;
      g.drawImage(this.image, m * s, m * s, W * s, H * s);
    } else {
      g.fillStyle = "#ffffff";
      g.fillRect(m * s, m * s, W * s, H * s);
      const step = Math.max(1, Math.ceil(8 / s));  // a grid line every few pixels when they are small
      g.strokeStyle = "#e3e8ee";
      g.lineWidth = 1;
      g.beginPath();
      for (let x = 0; x <= W; x += step) { g.moveTo((m + x) * s, m * s); g.lineTo((m + x) * s, (m + H) * s); }
      for (let y = 0; y <= H; y += step) { g.moveTo(m * s, (m + y) * s); g.lineTo((m + W) * s, (m + y) * s); }
      g.stroke();
    }
    g.strokeStyle = "#8a94a3";
    g.strokeRect(m * s, m * s, W * s, H * s);
    const r = this.region;
    if (r) {
      g.fillStyle = "rgba(231, 111, 81, 0.55)";
      for (const [y, x] of r.set || []) g.fillRect((m + x) * s, (m + y) * s, Math.max(s, 0.6), Math.max(s, 0.6));
      if (r.lo) {
        g.strokeStyle = "#e76f51";
        g.lineWidth = 2;
        g.strokeRect((m + r.lo[1]) * s, (m + r.lo[0]) * s, (r.hi[1] - r.lo[1] + 1) * s, (r.hi[0] - r.lo[0] + 1) * s);
      }
      if (r.u) {
        g.save();
        g.setLineDash([6, 4]);
        g.strokeStyle = "#1d3557";
        g.lineWidth = 1.5;
        g.strokeRect((m + r.u[1]) * s, (m + r.u[0]) * s, (r.v[1] - r.u[1] + 1) * s, (r.v[0] - r.u[0] + 1) * s);
        g.restore();
      }
    }
    this.#drawOutput();
  }

  #drawOutput() {
    const g = this.output.getContext("2d");
    const [h, w] = this.outSize;
    const c = this.outScale;
    g.fillStyle = "#ffffff";
    g.fillRect(0, 0, this.output.width, this.output.height);
    g.strokeStyle = "#dde3ea";
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (c >= 4) g.strokeRect(x * c + 0.5, y * c + 0.5, c - 1, c - 1);
    const r = this.region;
    if (r) {
      g.fillStyle = "#e76f51";
      g.fillRect(r.at[1] * c, r.at[0] * c, c, c);
    }
  }
}
