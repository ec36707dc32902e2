// Load generator, run as a child process so that it does not share the server's event loop.
// Usage: node bench/load.mjs URL_PREFIX MIN_ID MAX_ID CONNECTIONS SECONDS  -> prints JSON
// One connection: a sequential loop timed to the microsecond. More: autocannon.
import http from "node:http";
import autocannon from "autocannon";

const [prefix, minId, maxId, connections, seconds] = process.argv.slice(2);
const lo = Number(minId);
const span = Number(maxId) - lo + 1;
const pathFor = () => `${new URL(prefix).pathname}${lo + Math.floor(Math.random() * span)}`;

if (Number(connections) === 1) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = () =>
    new Promise((resolve, reject) => {
      http
        .get(new URL(pathFor(), prefix), { agent }, (response) => {
          response.resume();
          response.on("end", () => resolve(response.statusCode));
        })
        .on("error", reject);
    });
  const samples = [];
  let non2xx = 0;
  const end = Date.now() + Number(seconds) * 1000;
  for (let i = 0; i < 50; i++) await get();
  while (Date.now() < end) {
    const t0 = performance.now();
    const status = await get();
    samples.push(performance.now() - t0);
    if (status < 200 || status > 299) non2xx++;
  }
  samples.sort((a, b) => a - b);
  const at = (p) => Number(samples[Math.floor((p / 100) * samples.length)].toFixed(3));
  console.log(
    JSON.stringify({ requestsPerSecond: samples.length / Number(seconds), latencyP50: at(50), latencyP99: at(99), non2xx, errors: 0 }),
  );
} else {
  const result = await autocannon({
    url: prefix,
    connections: Number(connections),
    duration: Number(seconds),
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
