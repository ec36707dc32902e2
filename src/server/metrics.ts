import { timingSafeEqual } from "node:crypto";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { FastifyReply, FastifyRequest } from "fastify";
import { sql } from "kysely";
import { lastScheduledBackup } from "../core/backup/schedule.ts";
import { AppError } from "../core/shared/errors.ts";
import { currentDatabase } from "../db/current.ts";
import { appVersion } from "../paths.ts";

/** Upper bounds (seconds) of the request-duration histogram's buckets. */
const durationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

/** A Prometheus label value: backslash, quote and line breaks escaped. */
function label(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** How far the rollups are from the record, measured at most once a minute (it counts the engagements). */
let rollupLag: { at: number; value: number } | undefined;
const rollupLagEveryMs = 60_000;

/**
 * The server's own figures for Prometheus: requests and their durations per route (the route's
 * pattern, never the URL, so that ids and queries do not make new series), the database pool, the
 * rollups' distance from the record, imports under way, the last scheduled backup, memory and the
 * event loop's delay.
 */
export class ServerMetrics {
  private readonly requests = new Map<string, number>();
  private readonly durations = new Map<string, Histogram>();
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 10 });
  private readonly started = Date.now();

  constructor() {
    this.loopDelay.enable();
  }

  /** Counts one answered request. */
  observe(method: string, route: string, status: number, seconds: number): void {
    const requestKey = `${method}\u0000${route}\u0000${status}`;
    this.requests.set(requestKey, (this.requests.get(requestKey) ?? 0) + 1);
    const durationKey = `${method}\u0000${route}`;
    let histogram = this.durations.get(durationKey);
    if (!histogram) {
      histogram = { counts: durationBuckets.map(() => 0), sum: 0, count: 0 };
      this.durations.set(durationKey, histogram);
    }
    for (const [i, bound] of durationBuckets.entries()) if (seconds <= bound) histogram.counts[i] = (histogram.counts[i] ?? 0) + 1;
    histogram.sum += seconds;
    histogram.count += 1;
  }

  /** Stops the event-loop monitor (when the server closes). */
  close(): void {
    this.loopDelay.disable();
  }

  /** The exposition text (Prometheus text format 0.0.4). */
  async render(): Promise<string> {
    const lines: string[] = [];
    const metric = (name: string, type: string, help: string) => lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    const database = currentDatabase();

    metric("liaison_info", "gauge", "Liaison's version, database engine and Node.js version.");
    lines.push(`liaison_info{version="${label(appVersion)}",engine="${database.engine}",node="${process.versions.node}"} 1`);

    metric("liaison_http_requests_total", "counter", "HTTP requests answered, by method, route pattern and status.");
    for (const [key, n] of this.requests) {
      const [method, route, status] = key.split("\u0000") as [string, string, string];
      lines.push(`liaison_http_requests_total{method="${method}",route="${label(route)}",status="${status}"} ${n}`);
    }
    metric(
      "liaison_http_request_duration_seconds",
      "histogram",
      "Time from receiving a request to answering it, by method and route pattern.",
    );
    for (const [key, h] of this.durations) {
      const [method, route] = key.split("\u0000") as [string, string];
      const labels = `method="${method}",route="${label(route)}"`;
      for (const [i, bound] of durationBuckets.entries()) {
        lines.push(`liaison_http_request_duration_seconds_bucket{${labels},le="${bound}"} ${h.counts[i] ?? 0}`);
      }
      lines.push(`liaison_http_request_duration_seconds_bucket{${labels},le="+Inf"} ${h.count}`);
      lines.push(`liaison_http_request_duration_seconds_sum{${labels}} ${h.sum}`);
      lines.push(`liaison_http_request_duration_seconds_count{${labels}} ${h.count}`);
    }

    metric("liaison_db_pool_connections", "gauge", "Database connections of the pool: open, idle, and requests waiting for one.");
    lines.push(`liaison_db_pool_connections{state="open"} ${database.pool.totalCount}`);
    lines.push(`liaison_db_pool_connections{state="idle"} ${database.pool.idleCount}`);
    lines.push(`liaison_db_pool_connections{state="waiting"} ${database.pool.waitingCount}`);

    // The rollups move in the same transaction as the record, so this is 0 unless something went wrong.
    if (!rollupLag || Date.now() - rollupLag.at > rollupLagEveryMs) {
      const counted = await sql<{ lag: number }>`SELECT abs(
          (SELECT count(*) FROM engagements WHERE status = 'done')
          - (SELECT coalesce(sum(n), 0) FROM engagement_rollup WHERE dim = 'all'))::int AS lag`.execute(database.db);
      rollupLag = { at: Date.now(), value: counted.rows[0]?.lag ?? 0 };
    }
    metric(
      "liaison_rollup_lag_engagements",
      "gauge",
      "Done engagements the counts' rollups disagree with the record about (measured at most once a minute; 0 when they agree).",
    );
    lines.push(`liaison_rollup_lag_engagements ${rollupLag.value}`);

    const imports = await sql<{ id: number; rows: number | null }>`SELECT id, (counts->>'rows')::int AS rows
      FROM imports WHERE status = 'running' ORDER BY id`.execute(database.db);
    metric("liaison_imports_running", "gauge", "Imports being written now.");
    lines.push(`liaison_imports_running ${imports.rows.length}`);
    metric("liaison_import_rows_written", "gauge", "Rows written so far by each import under way.");
    for (const row of imports.rows) lines.push(`liaison_import_rows_written{import="${row.id}"} ${row.rows ?? 0}`);

    const backup = lastScheduledBackup();
    if (backup) {
      metric("liaison_backup_last_ok", "gauge", "Whether the last scheduled backup succeeded (1) or failed (0).");
      lines.push(`liaison_backup_last_ok ${backup.ok ? 1 : 0}`);
      metric("liaison_backup_last_run_timestamp_seconds", "gauge", "When the last scheduled backup ran.");
      lines.push(`liaison_backup_last_run_timestamp_seconds ${Math.round(new Date(backup.at).getTime() / 1000)}`);
    }

    const memory = process.memoryUsage();
    metric("process_resident_memory_bytes", "gauge", "Resident memory of the server process.");
    lines.push(`process_resident_memory_bytes ${memory.rss}`);
    metric("nodejs_heap_used_bytes", "gauge", "JavaScript heap in use.");
    lines.push(`nodejs_heap_used_bytes ${memory.heapUsed}`);
    metric("nodejs_eventloop_delay_seconds", "gauge", "Event loop delay since start: median, 99th percentile and maximum.");
    lines.push(`nodejs_eventloop_delay_seconds{quantile="0.5"} ${this.loopDelay.percentile(50) / 1e9}`);
    lines.push(`nodejs_eventloop_delay_seconds{quantile="0.99"} ${this.loopDelay.percentile(99) / 1e9}`);
    lines.push(`nodejs_eventloop_delay_seconds{quantile="1"} ${this.loopDelay.max / 1e9}`);
    metric("process_uptime_seconds", "gauge", "Seconds since the server started.");
    lines.push(`process_uptime_seconds ${Math.round((Date.now() - this.started) / 1000)}`);
    return `${lines.join("\n")}\n`;
  }
}

const loopback = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

/**
 * Who may read /metrics: a caller with the configured bearer token, or, without one configured, a
 * caller on this machine that did not come through a proxy (a proxy's forwarded headers would make
 * every outside caller look local). The figures hold no records, but route names and load are
 * still the office's business.
 */
export function mayReadMetrics(request: FastifyRequest, token: string | undefined): boolean {
  if (token) {
    const given = Buffer.from(/^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1] ?? "");
    const expected = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
  const forwarded = request.headers["x-forwarded-for"] !== undefined || request.headers.forwarded !== undefined;
  return !forwarded && loopback.has(request.socket.remoteAddress ?? "");
}

/** GET /metrics. */
export function metricsRoute(metrics: ServerMetrics, token: string | undefined) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (!mayReadMetrics(request, token)) {
      throw new AppError(
        "FORBIDDEN",
        token
          ? "Send the metrics token as 'Authorization: Bearer …'."
          : "Metrics are served to this machine only; set LIAISON_METRICS_TOKEN to scrape them from elsewhere.",
      );
    }
    return reply
      .type("text/plain; version=0.0.4; charset=utf-8")
      .header("cache-control", "no-store")
      .send(await metrics.render());
  };
}
