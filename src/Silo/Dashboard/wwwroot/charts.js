// Thin helpers over uPlot (loaded as the global `uPlot` by index.html): a chart slot that keeps
// its chart while the series stay the same (new points only call setData, so a plot grows
// without flicker) and builds a new one when they change (another layer or other invariants).

/** Colours of the analysed layers, as the static report draws them. */
export const layerColours = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];

export const single = "#1B4F9C";
export const reference = "#555555";

const axisFont = "11px system-ui, sans-serif";

/** A place in the page for one chart. */
export class ChartSlot {
  constructor(parent, kind, title, caption) {
    this.box = document.createElement("figure");
    this.box.className = "chart";
    this.box.dataset.kind = kind;
    this.heading = document.createElement("figcaption");
    this.heading.textContent = title;
    this.box.append(this.heading);
    this.plot = document.createElement("div");
    this.box.append(this.plot);
    if (caption) {
      const note = document.createElement("p");
      note.className = "caption";
      note.textContent = caption;
      this.box.append(note);
    }
    parent.append(this.box);
    this.chart = null;
    this.key = null;
    this.points = 0;
  }

  /**
   * Shows `data` (uPlot's columns: x first) with `options` (uPlot's, without width); the chart is
   * rebuilt only when `key` (what identifies its series) or the available width changed.
   */
  show(key, options, data) {
    const width = Math.max(240, this.plot.clientWidth || this.box.clientWidth);
    const fullKey = `${key}|${width}`;
    this.points = data.slice(1).reduce((count, column) => count + column.filter(v => v != null && Number.isFinite(v)).length, 0);
    this.box.dataset.points = String(this.points);
    if (this.chart && this.key === fullKey) {
      this.chart.setData(data);
      return;
    }
    this.chart?.destroy();
    this.key = fullKey;
    this.chart = new uPlot({ width, ...options }, data, this.plot);
  }

  clear() {
    this.chart?.destroy();
    this.chart = null;
    this.key = null;
    this.points = 0;
    this.box.dataset.points = "0";
  }
}

/** An axis in the dashboard's style. */
export function axis(label, extra = {}) {
  return { label, font: axisFont, labelFont: axisFont, stroke: "#444", grid: { stroke: "#e3e3e3", width: 1 }, ticks: { stroke: "#ccc" }, ...extra };
}

/** The x axis of epochs: whole numbers only. */
export function epochAxis() {
  return axis("epoch", { incrs: [1, 2, 5, 10, 20, 50], values: (u, splits) => splits.map(v => Number.isInteger(v) ? String(v) : "") });
}

/** A line series. */
export function line(label, stroke, dash, extra = {}) {
  return { label, stroke, width: 1.5, dash: dash ? [6, 4] : undefined, spanGaps: true, points: { size: 5 }, ...extra };
}

/** Short numbers for axes and legends. */
export function short(value) {
  if (value == null || !Number.isFinite(value)) return "–";
  const magnitude = Math.abs(value);
  return magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e5) ? value.toExponential(2) : String(Number(value.toPrecision(4)));
}

/** Text made safe to put into HTML. */
export function escapeHtml(text) {
  return String(text).replace(/[&<>"]/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}
