/**
 * The ceiling for bench/http.ts: the same SQL behind a bare `node:http` server on the same driver
 * and pool (PostgreSQL from DATABASE_URL, or the embedded engine in LIAISON_DATA_DIR), with no
 * framework, no authentication and no JSON sub-queries. Answers GET /api/organisations/:id (the
 * table's row) and GET /api/organisations?q= (the name search's page of 20).
 */
import http from "node:http";
import { buildSearchQuery } from "../src/core/search/text.ts";
import { openDatabase } from "../src/db/connection.ts";

const database = await openDatabase({ databaseUrl: process.env.DATABASE_URL || undefined, dataDir: process.env.LIAISON_DATA_DIR });
const pool = database.pool;

const server = http.createServer(async (request, response) => {
  try {
    const url = new URL(request.url ?? "/", "http://localhost");
    const id = /^\/api\/organisations\/(\d+)$/.exec(url.pathname)?.[1];
    const result = id
      ? await pool.query({ name: "raw_one", text: "SELECT * FROM organisations WHERE id = $1", values: [Number(id)] })
      : await pool.query({
          name: "raw_search",
          text: "SELECT id, name_en, name_zh, country_code FROM organisations WHERE search_vector @@ to_tsquery('simple', $1) ORDER BY name_en, id LIMIT 20",
          values: [buildSearchQuery(url.searchParams.get("q") ?? "")],
        });
    const body = JSON.stringify(id ? result.rows[0] : result.rows);
    response.writeHead(200, { "content-type": "application/json" });
    response.end(body);
  } catch (error) {
    response.writeHead(500);
    response.end(String(error));
  }
});
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  const address = server.address();
  console.log(`Liaison is running at http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/ (bare server)`);
});
process.on("SIGTERM", () => {
  server.close();
  void database.close().then(() => process.exit(0));
});
