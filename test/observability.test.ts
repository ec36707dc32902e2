/**
 * What an operator watches: one JSON log line per request carrying its request id (also sent back
 * as X-Request-Id), and /metrics in Prometheus's text format, served to this machine or to a
 * scraper holding the metrics token.
 */
import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { createEngagement } from "../src/core/engagements/service.ts";
import { importGeography } from "../src/core/reference/service.ts";
import type { Actor } from "../src/core/shared/actor.ts";
import type { Database } from "../src/db/connection.ts";
import { buildApp } from "../src/server/app.ts";
import { openTestDatabase } from "./support/database.ts";
import { actorInFreshUnit, administrator } from "./support/factories.ts";

let database: Database;
let admin: Actor;
let app: FastifyInstance;
let guarded: FastifyInstance;
const lines: Array<Record<string, unknown>> = [];
const token = "a-metrics-token-of-some-length";

beforeAll(async () => {
  database = await openTestDatabase();
  admin = await administrator();
  await importGeography(admin);
  const editor = await actorInFreshUnit("editor");
  await createEngagement(editor, {
    leadUnitId: editor.roles[0]?.unitId,
    type: "talks",
    direction: "none",
    status: "done",
    titleEn: "Talks counted by the rollups",
    startDate: "2021-04-01",
    endDate: "2021-04-01",
  });
  app = await buildApp({
    resolveActor: () => admin,
    logLevel: "info",
    logStream: { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  guarded = await buildApp({ resolveActor: () => admin, metricsToken: token });
}, 120_000);
afterAll(async () => {
  await app?.close();
  await guarded?.close();
  await database.close();
});

/** The value of one series in an exposition text, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("request logs", () => {
  it("writes one JSON line per request with its id, route, status and time, and sends the id back", async () => {
    lines.length = 0;
    const answer = await app.inject({ method: "GET", url: "/api/organisations?q=secret+words&pageSize=5" });
    expect(answer.statusCode).toBe(200);
    const id = answer.headers["x-request-id"];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const line = lines.find((l) => l.reqId === id);
    expect(line).toMatchObject({ msg: "request", method: "GET", route: "/api/organisations", path: "/api/organisations", status: 200 });
    expect(typeof line?.ms).toBe("number");
    expect(line?.user).toBe(admin.userId);
    // The query string (search words, names) stays out of the log.
    expect(JSON.stringify(lines)).not.toContain("secret");
    expect(lines.filter((l) => l.reqId === id)).toHaveLength(1);
  });

  it("keeps a proxy's request id when it is a plain token, and replaces anything else", async () => {
    const kept = await app.inject({ method: "GET", url: "/health/live", headers: { "x-request-id": "edge-7f3a.42" } });
    expect(kept.headers["x-request-id"]).toBe("edge-7f3a.42");
    expect(lines.some((l) => l.reqId === "edge-7f3a.42" && l.route === "/health/live")).toBe(true);
    for (const bad of ["has spaces in it", "x".repeat(65), "line\\nbreak", "<script>"]) {
      const replaced = await app.inject({ method: "GET", url: "/health/live", headers: { "x-request-id": bad } });
      expect(replaced.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it("keeps a calendar feed's secret address out of the log", async () => {
    lines.length = 0;
    const secret = "feed-secret-0123456789abcdef";
    const answer = await app.inject({ method: "GET", url: `/ical/${secret}.ics` });
    expect(answer.statusCode).toBe(404);
    expect(lines.find((l) => l.reqId === answer.headers["x-request-id"])).toMatchObject({ route: "/ical/:file", path: "/ical/:file" });
    expect(JSON.stringify(lines)).not.toContain(secret);
  });

  it("logs a refused request under its id too, with the route's pattern rather than the id in the URL", async () => {
    lines.length = 0;
    const missing = await app.inject({ method: "GET", url: "/api/organisations/987654321" });
    expect(missing.statusCode).toBe(404);
    const line = lines.find((l) => l.reqId === missing.headers["x-request-id"]);
    expect(line).toMatchObject({ route: "/api/organisations/:id", status: 404 });
  });
});

describe("/metrics", () => {
  it("counts requests per route pattern and status, with a duration histogram", async () => {
    for (let i = 0; i < 3; i++) await app.inject({ method: "GET", url: `/api/organisations/${900000 + i}` });
    const answer = await app.inject({ method: "GET", url: "/metrics" });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers["content-type"]).toContain("text/plain; version=0.0.4");
    const text = answer.body;
    expect(sample(text, 'liaison_http_requests_total{method="GET",route="/api/organisations/:id",status="404"}')).toBeGreaterThanOrEqual(3);
    const count = sample(text, 'liaison_http_request_duration_seconds_count{method="GET",route="/api/organisations/:id"}') ?? 0;
    expect(count).toBeGreaterThanOrEqual(3);
    expect(sample(text, 'liaison_http_request_duration_seconds_bucket{method="GET",route="/api/organisations/:id",le="+Inf"}')).toBe(count);
    // Buckets only grow with their bound.
    const buckets = text
      .split("\n")
      .filter((l) => l.startsWith('liaison_http_request_duration_seconds_bucket{method="GET",route="/api/organisations/:id"'))
      .map((l) => Number(l.split(" ")[1]));
    expect(buckets).toEqual([...buckets].sort((a, b) => a - b));
    // No series per id: the URL's numbers never become labels.
    expect(text).not.toContain("900001");
  });

  it("reports the pool, the rollups' distance from the record, imports, memory and the event loop", async () => {
    const text = (await app.inject({ method: "GET", url: "/metrics" })).body;
    expect(text).toMatch(/^liaison_info\{version="[^"]+",engine="(pglite|postgres)",node="[\d.]+"\} 1$/m);
    expect(sample(text, 'liaison_db_pool_connections{state="open"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'liaison_db_pool_connections{state="waiting"}')).toBeGreaterThanOrEqual(0);
    expect(sample(text, "liaison_rollup_lag_engagements")).toBe(0);
    expect(sample(text, "liaison_imports_running")).toBe(0);
    expect(sample(text, "liaison_db_up")).toBe(1);
    expect(sample(text, "process_resident_memory_bytes")).toBeGreaterThan(10_000_000);
    expect(sample(text, 'nodejs_eventloop_delay_seconds{quantile="0.99"}')).toBeGreaterThanOrEqual(0);
    // Every series has its HELP and TYPE.
    const names = new Set(
      text
        .split("\n")
        .filter((l) => l && !l.startsWith("#"))
        .map((l) => l.split(/[{ ]/)[0]?.replace(/_(bucket|sum|count)$/, "")),
    );
    for (const name of names) expect(text, name).toContain(`# TYPE ${name} `);
  });

  it("shows rollups that disagree with the record", async () => {
    // A done engagement written around the rollups (as a faulty import would): the lag says so within a minute.
    const unit = await database.db.selectFrom("units").select("id").orderBy("id").executeTakeFirstOrThrow();
    await sql`INSERT INTO engagements (type, direction, status, title_en, start_date, end_date, lead_unit_id, details)
      VALUES ('talks', 'none', 'done', 'Written around the rollups', '2021-05-01', '2021-05-01', ${unit.id}, '{}')`.execute(database.db);
    const fresh = await buildApp({ resolveActor: () => admin });
    try {
      // Another server's figure is measured anew after a minute; this one shares the module's cache, so wait it out by time travel.
      const { vi } = await import("vitest");
      vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 61_000 });
      const text = (await fresh.inject({ method: "GET", url: "/metrics" })).body;
      vi.useRealTimers();
      expect(sample(text, "liaison_rollup_lag_engagements")).toBe(1);
    } finally {
      await fresh.close();
      await sql`DELETE FROM engagements WHERE title_en = 'Written around the rollups'`.execute(database.db);
    }
  });

  it("answers this machine only, unless the caller holds the metrics token", async () => {
    const outside = await app.inject({ method: "GET", url: "/metrics", remoteAddress: "10.1.2.3" });
    expect(outside.statusCode).toBe(403);
    expect(outside.json()).toMatchObject({ code: "FORBIDDEN" });
    // Through a proxy every caller looks local: a request that came through one is refused, whichever header says so.
    for (const header of ["x-forwarded-for", "x-real-ip", "forwarded", "via"]) {
      const proxied = await app.inject({ method: "GET", url: "/metrics", headers: { [header]: "203.0.113.9" } });
      expect(proxied.statusCode, header).toBe(403);
    }
    // A web page that rebinds its own name to 127.0.0.1 still names itself in Host.
    expect((await app.inject({ method: "GET", url: "/metrics", headers: { host: "attacker.example:8080" } })).statusCode).toBe(403);
    expect((await app.inject({ method: "GET", url: "/metrics", headers: { host: "127.0.0.1:8080" } })).statusCode).toBe(200);
    // Behind a configured proxy only the token opens it.
    const behind = await buildApp({ resolveActor: () => admin, trustProxy: 1 });
    try {
      expect((await behind.inject({ method: "GET", url: "/metrics" })).statusCode).toBe(403);
    } finally {
      await behind.close();
    }
    // With a token configured, the token decides, wherever the caller is.
    expect((await guarded.inject({ method: "GET", url: "/metrics" })).statusCode).toBe(403);
    expect((await guarded.inject({ method: "GET", url: "/metrics", headers: { authorization: `Bearer ${token}x` } })).statusCode).toBe(403);
    const scraped = await guarded.inject({
      method: "GET",
      url: "/metrics",
      remoteAddress: "10.1.2.3",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(scraped.statusCode).toBe(200);
    expect(scraped.body).toContain("liaison_http_requests_total");
  });
});

describe("their configuration", () => {
  it("reads the log level, the metrics token and the pool's settings, and names a bad value", () => {
    expect(loadConfig({})).toMatchObject({ logLevel: "info", metricsToken: undefined, poolSize: 10, preparedStatements: true });
    expect(
      loadConfig({
        LIAISON_LOG_LEVEL: "warn",
        LIAISON_METRICS_TOKEN: token,
        LIAISON_DB_POOL_SIZE: "40",
        LIAISON_DB_PREPARED_STATEMENTS: "0",
      }),
    ).toMatchObject({ logLevel: "warn", metricsToken: token, poolSize: 40, preparedStatements: false });
    expect(() => loadConfig({ LIAISON_LOG_LEVEL: "debug" })).toThrow(/LIAISON_LOG_LEVEL is error, warn or info/);
    expect(() => loadConfig({ LIAISON_METRICS_TOKEN: "short" })).toThrow(/LIAISON_METRICS_TOKEN must be at least 16 characters/);
    for (const size of ["0", "many", "501"]) expect(() => loadConfig({ LIAISON_DB_POOL_SIZE: size }), size).toThrow(/LIAISON_DB_POOL_SIZE/);
  });
});
