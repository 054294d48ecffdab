// The view's state lives in the URL's hash, so a view can be shared:
// /#graph=ID&input=NODE&output=NODE&size=224,224&at=3,4&node=NAME&tab=regions&view=d2

const KEYS = ["graph", "input", "output", "size", "at", "node", "tab", "axis", "view"];

export function readHash() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ""));
  const state = {};
  for (const k of KEYS) if (params.has(k)) state[k] = params.get(k);
  return state;
}

export function writeHash(state) {
  const params = new URLSearchParams();
  for (const k of KEYS) if (state[k] !== undefined && state[k] !== null && state[k] !== "") params.set(k, state[k]);
  const hash = "#" + params.toString();
  if (hash !== location.hash) history.replaceState(null, "", hash === "#" ? location.pathname : hash);
}
