// One experiment's live view: the event stream (progress, fit, complete) feeds a state of fits by
// (layer, epoch), and every change redraws the plots from it without reloading the page. The
// stream replays every fit published so far, so a page opened late, or reconnecting with
// Last-Event-ID (the browser does it), shows everything.

import { ChartSlot, axis, epochAxis, escapeHtml, line, layerColours, reference, short, single } from "./charts.js";
import { classes, classOf, describe, higherDegree } from "./invariants.js";

const parameterNames = [
  "f1 = E[x₁]", "f2 = E[x₂]", "f3 = L0₁₁", "f4 = L0₁₂", "f5 = L0₂₂",
  "f6 = LH₁₁", "f7 = LH₁₂", "f8 = LH₁₃", "f9 = LH₂₂", "f10 = LH₂₃", "f11 = LH₃₃", "f12 = Λ_V2⁻¹", "f13 = Λ_V3⁻¹",
];

export function showExperiment(app, id) {
  const api = `/api/experiments/${encodeURIComponent(id)}`;
  const state = { view: null, fits: new Map(), accuracy: new Map(), bands: null, layer: null, hidden: new Set(), events: 0 };
  app.dataset.view = "experiment";
  app.dataset.experiment = id;
  app.innerHTML = `
    <section class="summary">
      <h2>Experiment <code>${escapeHtml(id)}</code></h2>
      <p class="status"><span data-role="phase">connecting…</span> <progress max="1" value="0"></progress> <span data-role="counts"></span></p>
      <p class="links"><a href="${api}/report.html">report.html</a> · <a href="${api}/fits">fits.json</a> · <a href="${api}/fits.csv">fits.csv</a></p>
    </section>
    <section class="controls">
      <label>Layer <select data-role="layer"></select></label>
      <fieldset data-role="invariants"><legend>Invariants (I14–I52)</legend></fieldset>
    </section>
    <section class="row" data-role="overview"></section>
    <section data-role="deviations"></section>
    <section data-role="change"></section>
    <h3 data-role="parameters-title">The 13 fitted parameters</h3>
    <p class="caption" data-role="band-note"></p>
    <section class="grid" data-role="parameters"></section>`;
  const part = role => app.querySelector(`[data-role="${role}"]`);
  const slots = {
    accuracy: new ChartSlot(part("overview"), "accuracy", "Mean test accuracy", "Mean over the replicas that completed each epoch without diverging."),
    w2: new ChartSlot(part("overview"), "w2", "W₂² to the simple Gaussian, per layer",
      "The squared 2-Wasserstein distance between each layer's fitted PIGMM and the simple Gaussian of the initial variance."),
    deviations: new ChartSlot(part("deviations"), "deviations", "Deviation of the cubic and quartic invariants from the fitted PIGMM",
      "|predicted − mean| / std per invariant: cubic solid, quartic dashed, coloured by node class; the grey dotted line is 1/√N. Hover over a line to name it."),
    change: new ChartSlot(part("change"), "change", "Normalised change of the deviations between the first and the latest epoch",
      "(Dev_end − Dev_start) / (Dev_end + Dev_start): +1 far worse at the end, −1 far better, 0 unchanged."),
    parameters: parameterNames.map(name => new ChartSlot(part("parameters"), "parameter", name)),
  };
  part("layer").addEventListener("change", event => { state.layer = Number(event.target.value); render(); });
  window.addEventListener("resize", () => schedule());

  let pending = null;
  function schedule() {
    pending ??= setTimeout(() => { pending = null; render(); }, 100);
  }

  let bandsRequest = null;
  function fetchBands() {
    bandsRequest ??= setTimeout(async () => {
      bandsRequest = null;
      const response = await fetch(`${api}/parameter-bands`);
      if (response.ok) { state.bands = await response.json(); schedule(); }
    }, 300);
  }

  function onProgress(view) {
    state.view = view;
    if (view.latestEpoch != null && view.meanTestAccuracy != null) state.accuracy.set(view.latestEpoch, view.meanTestAccuracy);
    schedule();
  }

  const source = new EventSource(`${api}/events`);
  source.addEventListener("progress", event => { state.events++; onProgress(JSON.parse(event.data)); });
  source.addEventListener("fit", event => {
    state.events++;
    const fit = JSON.parse(event.data);
    state.fits.set(`${fit.layer}:${fit.epoch}`, fit);
    if (fit.epoch === 0) fetchBands();
    schedule();
  });
  source.addEventListener("complete", async event => {
    state.events++;
    source.close();
    onProgress(JSON.parse(event.data));
    render();
    // Every epoch's accuracy, also those that finished before this page opened.
    const response = await fetch(`${api}/fits`);
    if (response.ok) {
      for (const epoch of (await response.json()).training.epochs) {
        if (epoch.mean_test_accuracy != null) state.accuracy.set(epoch.epoch, epoch.mean_test_accuracy);
      }
      schedule();
    }
  });
  source.onerror = () => { if (source.readyState !== EventSource.CLOSED) part("phase").textContent = "reconnecting…"; };

  function render() {
    const fits = [...state.fits.values()];
    const layers = [...new Set(fits.map(fit => fit.layer))].sort((a, b) => a - b);
    if (state.layer == null || !layers.includes(state.layer)) state.layer = layers[0] ?? null;
    renderSummary();
    renderLayerSelect(layers);
    const layerFits = fits.filter(fit => fit.layer === state.layer).sort((a, b) => a.epoch - b.epoch);
    const invariants = layerFits.length ? higherDegree(layerFits[layerFits.length - 1]) : [];
    renderInvariantChoices(invariants);
    const shown = invariants.filter(invariant => !state.hidden.has(invariant.id));
    renderAccuracy();
    renderW2(fits, layers);
    renderDeviations(layerFits, shown);
    renderChange(layerFits, shown);
    renderParameters(layerFits);
    const all = [slots.accuracy, slots.w2, slots.deviations, slots.change, ...slots.parameters];
    app.dataset.fits = String(fits.length);
    app.dataset.epochs = String(fits.reduce((max, fit) => Math.max(max, fit.epoch), -1) + 1);
    app.dataset.points = String(all.reduce((sum, slot) => sum + slot.points, 0));
    app.dataset.events = String(state.events);
    app.dataset.phase = state.view?.phase ?? "";
    app.dataset.complete = String(state.view?.phase === "complete");
  }

  function renderSummary() {
    const view = state.view;
    if (!view) return;
    part("phase").textContent = view.phase;
    part("phase").className = `phase ${view.phase}`;
    const bar = app.querySelector("progress");
    bar.max = view.replicaEpochsTotal;
    bar.value = view.replicaEpochsCommitted;
    const accuracy = view.meanTestAccuracy == null ? "" : `, mean test accuracy ${(100 * view.meanTestAccuracy).toFixed(2)} % after epoch ${view.latestEpoch}`;
    part("counts").textContent = `${view.replicaEpochsCommitted} of ${view.replicaEpochsTotal} replica-epochs, `
      + `${view.replicasFinished} of ${view.replicas} replicas finished, ${view.layers} layers of ${view.matrixSize}×${view.matrixSize}${accuracy}`;
  }

  function renderLayerSelect(layers) {
    const select = part("layer");
    const options = layers.map(layer => `<option value="${layer}"${layer === state.layer ? " selected" : ""}>L${layer}</option>`).join("");
    if (select.innerHTML !== options) select.innerHTML = options;
  }

  function renderInvariantChoices(invariants) {
    const box = part("invariants");
    const key = invariants.map(invariant => invariant.id).join(",");
    if (box.dataset.key === key) return;
    box.dataset.key = key;
    box.innerHTML = "<legend>Invariants (I14–I52)</legend>";
    for (const nodeClass of classes) {
      const members = invariants.filter(invariant => classOf(invariant) === nodeClass);
      if (!members.length) continue;
      const group = document.createElement("div");
      group.className = "class";
      group.innerHTML = `<button type="button" style="--c:${nodeClass.colour}">${escapeHtml(nodeClass.name)}</button>`
        + members.map(invariant => `<label title="${escapeHtml(describe(invariant))}"><input type="checkbox" value="${invariant.id}"`
          + `${state.hidden.has(invariant.id) ? "" : " checked"}>${invariant.id}</label>`).join("");
      group.querySelector("button").addEventListener("click", () => {
        const show = members.some(invariant => state.hidden.has(invariant.id));
        for (const invariant of members) show ? state.hidden.delete(invariant.id) : state.hidden.add(invariant.id);
        for (const input of group.querySelectorAll("input")) input.checked = show;
        render();
      });
      group.addEventListener("change", event => {
        event.target.checked ? state.hidden.delete(event.target.value) : state.hidden.add(event.target.value);
        render();
      });
      box.append(group);
    }
  }

  function renderAccuracy() {
    const epochs = [...state.accuracy.keys()].sort((a, b) => a - b);
    slots.accuracy.show("accuracy", {
      height: 260,
      legend: { show: false },
      scales: { x: { time: false } },
      axes: [epochAxis(), axis("test accuracy (%)")],
      series: [{ label: "epoch" }, line("mean test accuracy", single, false, { value: (u, v) => v == null ? "–" : `${v.toFixed(2)} %` })],
    }, [epochs, epochs.map(epoch => 100 * state.accuracy.get(epoch))]);
  }

  function renderW2(fits, layers) {
    const epochs = [...new Set(fits.map(fit => fit.epoch))].sort((a, b) => a - b);
    const columns = layers.map(layer => epochs.map(epoch => state.fits.get(`${layer}:${epoch}`)?.w2_squared?.simple_gaussian ?? null));
    slots.w2.show(`w2:${layers}`, {
      height: 260,
      scales: { x: { time: false } },
      axes: [epochAxis(), axis("W₂² (weight²)", { size: 70, values: (u, splits) => splits.map(short) })],
      series: [{ label: "epoch" }, ...layers.map((layer, i) => line(`L${layer}`, layerColours[i % layerColours.length], false, { value: (u, v) => short(v) }))],
    }, [epochs, ...columns]);
  }

  function renderDeviations(layerFits, shown) {
    if (!layerFits.length) return slots.deviations.clear();
    const epochs = layerFits.map(fit => fit.epoch);
    const columns = shown.map(invariant => layerFits.map(fit => fit.invariants.find(other => other.id === invariant.id)?.deviation ?? null));
    const samples = layerFits[layerFits.length - 1].samples;
    const caption = slots.deviations.heading;
    const title = "Deviation of the cubic and quartic invariants from the fitted PIGMM";
    slots.deviations.show(`deviations:${state.layer}:${shown.map(invariant => invariant.id)}`, {
      height: 420,
      legend: { show: false },
      focus: { alpha: 0.25 },
      cursor: { focus: { prox: 12 } },
      scales: { x: { time: false } },
      axes: [epochAxis(), axis("deviation (ensemble s.d.)")],
      series: [
        { label: "epoch" },
        ...shown.map(invariant => {
          const nodeClass = classOf(invariant);
          return line(describe(invariant), nodeClass.colour, nodeClass.dashed);
        }),
        { label: "1/√N", stroke: reference, width: 1, dash: [2, 3], points: { show: false } },
      ],
      hooks: {
        setSeries: [(u, index) => { caption.textContent = index == null || index > shown.length ? title : `${title}: ${u.series[index].label}`; }],
      },
    }, [epochs, ...columns, epochs.map(() => samples > 0 ? 1 / Math.sqrt(samples) : null)]);
  }

  function renderChange(layerFits, shown) {
    if (layerFits.length < 2 || !shown.length) return slots.change.clear();
    const first = layerFits[0], last = layerFits[layerFits.length - 1];
    slots.change.heading.textContent = `Normalised change of the deviations of L${state.layer}: epoch ${last.epoch} against epoch ${first.epoch}`;
    const change = shown.map(invariant => {
      const before = first.invariants.find(other => other.id === invariant.id)?.deviation;
      const after = last.invariants.find(other => other.id === invariant.id)?.deviation;
      return before != null && after != null && Number.isFinite(before + after) && before + after > 0 ? (after - before) / (after + before) : null;
    });
    const x = shown.map((_, i) => i);
    const present = classes.filter(nodeClass => shown.some(invariant => classOf(invariant) === nodeClass));
    slots.change.show(`change:${state.layer}:${shown.map(invariant => invariant.id)}`, {
      height: 260,
      scales: { x: { time: false, range: [-0.6, shown.length - 0.4] }, y: { range: [-1, 1] } },
      axes: [
        axis("invariant", { space: 10, incrs: [1], grid: { show: false }, values: (u, splits) => splits.map(i => shown[i]?.id ?? "") }),
        axis("normalised change"),
      ],
      series: [
        { label: "invariant", value: (u, i) => shown[i]?.id ?? "" },
        ...present.map(nodeClass => ({
          label: nodeClass.name, stroke: nodeClass.colour, fill: nodeClass.colour, width: 0,
          paths: uPlot.paths.bars({ size: [0.7, 40] }), points: { show: false }, value: (u, v) => short(v),
        })),
      ],
    }, [x, ...present.map(nodeClass => change.map((value, i) => classOf(shown[i]) === nodeClass ? value : null))]);
  }

  function renderParameters(layerFits) {
    const epochs = layerFits.map(fit => fit.epoch);
    const band = state.bands?.layers.find(entry => entry.layer === state.layer);
    part("band-note").textContent = band
      ? `Layer L${state.layer}. Shaded: the epoch-0 value ± ${state.bands.width} s.d. of the scatter of the fit between independent ensembles `
        + `of ${band.samples} matrices with i.i.d. entries of the initial variance; movement inside it is initialisation noise.`
      : state.bands?.note ?? `Layer L${state.layer ?? "–"}.`;
    slots.parameters.forEach((slot, k) => {
      const values = layerFits.map(fit => fit.params[k] ?? null);
      const series = [{ label: "epoch" }, line(`f${k + 1}`, single, false, { value: (u, v) => short(v) })];
      const data = [epochs, values];
      const options = {
        height: 170,
        legend: { show: false },
        scales: { x: { time: false } },
        axes: [epochAxis(), axis("", { size: 64, values: (u, splits) => splits.map(short) })],
        series,
      };
      if (band && epochs.length) {
        const low = band.centre[k] - band.halfWidth[k], high = band.centre[k] + band.halfWidth[k];
        series.push({ label: "band high", stroke: "transparent", points: { show: false } }, { label: "band low", stroke: "transparent", points: { show: false } });
        data.push(epochs.map(() => high), epochs.map(() => low));
        options.bands = [{ series: [2, 3], fill: "rgba(27, 79, 156, 0.15)" }];
      }
      slot.show(`parameter:${state.layer}:${band ? band.samples : "none"}`, options, data);
      slot.points = values.filter(v => v != null).length;
    });
  }
}
