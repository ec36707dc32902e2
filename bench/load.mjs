// Load generator, run as a child process so that it does not share the server's event loop.
// Usage: node bench/load.mjs SPEC_JSON  -> prints JSON
//   SPEC: { base, paths: [path, ...] | idRange: { prefix, lo, hi }, connections, seconds, headers? }
// Each request takes the next path of the list (or a random id of the range). Each run warms up
// unmeasured first (one second, or two for autocannon).
// One connection: a sequential loop timed to the microsecond. More: autocannon.
import http from "node:http";
import autocannon from "autocannon";

const spec = JSON.parse(process.argv[2]);
const headers = spec.headers ?? {};
let turn = 0;
const pathFor = spec.paths
  ? () => spec.paths[turn++ % spec.paths.length]
  : () => `${spec.idRange.prefix}${spec.idRange.lo + Math.floor(Math.random() * (spec.idRange.hi - spec.idRange.lo + 1))}`;

if (spec.connections === 1) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = () =>
    new Promise((resolve, reject) => {
      http
        .get(new URL(pathFor(), spec.base), { agent, headers }, (response) => {
          response.resume();
          response.on("end", () => resolve(response.statusCode));
        })
        .on("error", reject);
    });
  const samples = [];
  let non2xx = 0;
  const end = Date.now() + spec.seconds * 1000;
  const warm = Date.now() + 1000;
  for (let i = 0; i < 50 && Date.now() < warm; i++) await get();
  while (Date.now() < end) {
    const t0 = performance.now();
    const status = await get();
    samples.push(performance.now() - t0);
    if (status < 200 || status > 299) non2xx++;
  }
  samples.sort((a, b) => a - b);
  const at = (p) => Number(samples[Math.floor((p / 100) * samples.length)].toFixed(3));
  console.log(
    JSON.stringify({ requestsPerSecond: samples.length / spec.seconds, latencyP50: at(50), latencyP99: at(99), non2xx, errors: 0 }),
  );
} else {
  // Two seconds unmeasured first, as the sequential loop warms up: the server's JIT and pools settle.
  await autocannon({
    url: spec.base,
    connections: spec.connections,
    duration: 2,
    headers,
    requests: [{ setupRequest: (request) => ({ ...request, path: pathFor() }) }],
  });
  const result = await autocannon({
    url: spec.base,
    connections: spec.connections,
    duration: spec.seconds,
    headers,
    requests: [{ setupRequest: (request) => ({ ...request, path: pathFor() }) }],
  });
  console.log(
    JSON.stringify({
      requestsPerSecond: result.requests.average,
      latencyP50: result.latency.p50,
      latencyP99: result.latency.p99,
      non2xx: result.non2xx,
      errors: result.errors,
    }),
  );
}
