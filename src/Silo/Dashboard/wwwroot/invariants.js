// The paper's four classes of cubic and quartic invariants (I14..I52), by which the report
// colours them: degree 3 or 4, with 1-2 graph vertices (low-node) or 2k-1 to 2k (high-node).

export const classes = [
  { key: "low-cubic", name: "low-node cubic (1–2 nodes)", colour: "#5AAEE0", dashed: false },
  { key: "high-cubic", name: "high-node cubic (5–6 nodes)", colour: "#1B4F9C", dashed: false },
  { key: "low-quartic", name: "low-node quartic (1–2 nodes)", colour: "#F39B4C", dashed: true },
  { key: "high-quartic", name: "high-node quartic (7–8 nodes)", colour: "#A8420B", dashed: true },
];

/** The class of an invariant of a fit document, or null outside the four. */
export function classOf(invariant) {
  const { degree, nodes } = invariant;
  if (degree !== 3 && degree !== 4) return null;
  const kind = degree === 3 ? "cubic" : "quartic";
  if (nodes <= 2) return classes.find(c => c.key === `low-${kind}`);
  if (nodes >= 2 * degree - 1) return classes.find(c => c.key === `high-${kind}`);
  return null;
}

/** The number k of a paper invariant "Ik", or null. */
export function numberOf(id) {
  const match = /^I(\d+)$/.exec(id);
  return match ? Number(match[1]) : null;
}

/** The cubic and quartic paper invariants (I14..I52) of a fit that fall into a class, in order of k. */
export function higherDegree(fit) {
  return fit.invariants
    .filter(invariant => { const k = numberOf(invariant.id); return k >= 14 && k <= 52 && classOf(invariant); })
    .sort((a, b) => numberOf(a.id) - numberOf(b.id));
}

/** E.g. "I22 = ij,ij,ij (cubic, 2 nodes)". */
export function describe(invariant) {
  const degree = invariant.degree === 3 ? "cubic" : "quartic";
  return `${invariant.id} = ${invariant.spec} (${degree}, ${invariant.nodes} node${invariant.nodes === 1 ? "" : "s"})`;
}
