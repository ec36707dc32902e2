// Load generator, run as a child process so that it does not share the server's event loop.
// Usage: node bench/load.mjs URL_PREFIX MIN_ID MAX_ID CONNECTIONS SECONDS  -> prints JSON
import autocannon from "autocannon";

const [prefix, minId, maxId, connections, seconds] = process.argv.slice(2);
const lo = Number(minId);
const span = Number(maxId) - lo + 1;
const result = await autocannon({
  url: prefix,
  connections: Number(connections),
  duration: Number(seconds),
  requests: [
    {
      setupRequest(request) {
        return { ...request, path: `${new URL(prefix).pathname}${lo + Math.floor(Math.random() * span)}` };
      },
    },
  ],
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
