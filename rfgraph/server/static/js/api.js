// The HTTP API (the contract in the README and /api/openapi.json). Every error is
// {"version": 1, "error": "..."}; callers get an ApiError carrying that message.

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

const cache = new Map(); // answers never change for a content-addressed id

async function request(url, options = {}) {
  let response;
  try {
    response = await fetch(url, options);
  } catch (e) {
    throw new ApiError(0, `the service does not answer (${e.message}): is rfgraph serve still running?`);
  }
  const type = response.headers.get("content-type") || "";
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    if (type.startsWith("application/json")) {
      try { message = (await response.json()).error || message; } catch { /* keep the status line */ }
    }
    throw new ApiError(response.status, message);
  }
  return type.startsWith("application/json") ? response.json() : response.text();
}

/** GET with a cache of answers (the same question about the same id has the same answer). */
export function get(path, params = {}) {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === "" && k !== "from_output") continue;
    query.set(k, Array.isArray(v) ? v.join(",") : String(v));
  }
  const url = query.toString() ? `${path}?${query}` : path;
  if (!cache.has(url)) {
    const pending = request(url);
    cache.set(url, pending);
    pending.catch(() => cache.delete(url));
  }
  return cache.get(url);
}

export const listGraphs = () => get("/api/graphs");
export const graph = (id) => get(`/api/graphs/${encodeURIComponent(id)}`);
export const ask = (id, question, params) => get(`/api/graphs/${encodeURIComponent(id)}/${question}`, params);
export const diagram = (id, params) => get(`/api/graphs/${encodeURIComponent(id)}/diagram.svg`, params);

/** Upload a file's bytes; resolves to the graph's record. */
export async function upload(file) {
  const body = await file.arrayBuffer();
  return request(`/api/graphs?name=${encodeURIComponent(file.name)}`, {
    method: "POST", body, headers: { "Content-Type": "application/octet-stream" },
  });
}
