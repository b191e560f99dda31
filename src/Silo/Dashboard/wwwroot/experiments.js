// The list of the store's experiments, refreshed every few seconds (new ones appear, running ones move).

import { escapeHtml } from "./charts.js";

const refresh = 3000;

export async function showExperiments(app) {
  app.dataset.view = "experiments";
  app.innerHTML = `<h2>Experiments</h2><div data-role="list"><p class="note">Loading…</p></div>
    <p class="caption">Submit one with <code>POST /api/experiments</code> (a bearer token is needed) or <code>pigmm submit</code>; it appears here.</p>`;
  const list = app.querySelector('[data-role="list"]');
  while (app.dataset.view === "experiments") {
    const response = await fetch("/api/experiments");
    const experiments = response.ok ? await response.json() : [];
    app.dataset.count = String(experiments.length);
    list.innerHTML = experiments.length === 0 ? '<p class="note">No experiments in this silo’s store yet.</p>' : `
      <table>
        <thead><tr><th>experiment</th><th>phase</th><th>progress</th><th>replicas</th><th>epochs</th><th>layers</th><th>mean test accuracy</th></tr></thead>
        <tbody>${experiments.map(row).join("")}</tbody>
      </table>`;
    await new Promise(resolve => setTimeout(resolve, refresh));
  }
}

function row(experiment) {
  const done = experiment.replicaEpochsCommitted / Math.max(1, experiment.replicaEpochsTotal);
  const accuracy = experiment.meanTestAccuracy == null ? "–" : `${(100 * experiment.meanTestAccuracy).toFixed(2)} % (epoch ${experiment.latestEpoch})`;
  const id = escapeHtml(experiment.experimentId);
  return `<tr>
    <td><a href="/experiments/${encodeURIComponent(experiment.experimentId)}"><code>${id}</code></a></td>
    <td><span class="phase ${escapeHtml(experiment.phase)}">${escapeHtml(experiment.phase)}</span></td>
    <td><progress max="1" value="${done}"></progress> ${(100 * done).toFixed(0)} %</td>
    <td>${experiment.replicas}</td><td>${experiment.epochs}</td><td>${experiment.layers} × ${experiment.matrixSize}²</td><td>${accuracy}</td>
  </tr>`;
}
