/**
 * Runs PGlite in a worker thread and serves it on a private Unix socket, so that the
 * main thread talks to it through `pg` like any PostgreSQL server and a long query
 * never blocks the HTTP server's event loop. Plain JavaScript: worker threads do not
 * inherit the TypeScript loader.
 */
import { parentPort, workerData } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

/** @type {{ dataDir: string | undefined, socketPath: string }} */
const { dataDir, socketPath } = workerData;
const port = parentPort;
if (!port) throw new Error("pglite-worker must run as a worker thread");

try {
  // 64 MB of shared buffers (PostgreSQL's default is 128 MB) keeps an idle embedded
  // server well under 400 MB; the operating system still caches the data files.
  const db = await PGlite.create({ dataDir, extensions: { pg_trgm }, postgresqlconf: ["shared_buffers = 64MB"] });
  const server = new PGLiteSocketServer({ db, path: socketPath });
  await server.start();
  port.on("message", async (message) => {
    if (message === "close") {
      await server.stop();
      await db.close();
      port.postMessage({ type: "closed" });
    }
  });
  port.postMessage({ type: "ready" });
} catch (error) {
  port.postMessage({ type: "error", message: error instanceof Error ? error.message : String(error) });
}
