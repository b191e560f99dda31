// The dashboard's entry: /experiments/{id} shows one experiment live, anything else the list.

import { showExperiment } from "./experiment.js";
import { showExperiments } from "./experiments.js";

const app = document.getElementById("app");
const match = /^\/experiments\/([^/]+)$/.exec(location.pathname);
if (match) {
  showExperiment(app, decodeURIComponent(match[1]));
} else {
  showExperiments(app);
}
