// The dashboard's entry: /experiments/{id} shows one experiment live, anything else the list,
// once the API lets this page read (see access.js).

import { ensureReadAccess } from "./access.js";
import { showExperiment } from "./experiment.js";
import { showExperiments } from "./experiments.js";

const app = document.getElementById("app");
const match = /^\/experiments\/([^/]+)$/.exec(location.pathname);
await ensureReadAccess(app, match ? `/api/experiments/${match[1]}` : "/api/experiments");
if (match) {
  showExperiment(app, decodeURIComponent(match[1]));
} else {
  showExperiments(app);
}
