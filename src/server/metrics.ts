import { monitorEventLoopDelay } from "node:perf_hooks";
import type { FastifyReply, FastifyRequest } from "fastify";
import { sql } from "kysely";
import { lastScheduledBackup } from "../core/backup/schedule.ts";
import { isMonthCode } from "../core/engagements/rollup.ts";
import { AppError } from "../core/shared/errors.ts";
import { currentDatabase } from "../db/current.ts";
import { appVersion } from "../paths.ts";
import { isLoopbackAddress, sameSecret } from "./local-caller.ts";

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
let rollupLag: { at: number; value: Promise<number> } | undefined;
const rollupLagEveryMs = 60_000;

/** The rollups' distance from the record; one measurement at a time, shared by the scrapes of a minute. */
function measureRollupLag(): Promise<number> {
  if (!rollupLag || Date.now() - rollupLag.at > rollupLagEveryMs) {
    // The rollups move in the same transaction as the record, so this is 0 unless something went wrong.
    const value = sql<{ lag: number }>`SELECT abs(
        (SELECT count(*) FROM engagements WHERE status = 'done')
        - (SELECT coalesce(sum(n), 0) FROM engagement_rollup WHERE dim = 'all' AND lead_unit_id = 0 AND NOT ${isMonthCode(sql.ref("year"))}))::int AS lag`
      .execute(currentDatabase().db)
      .then((counted) => counted.rows[0]?.lag ?? 0);
    rollupLag = { at: Date.now(), value };
    // A failed measurement is tried again at the next scrape.
    value.catch(() => {
      rollupLag = undefined;
    });
  }
  return rollupLag.value;
}

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

    // The figures read from the database; when it cannot answer, the process's own figures still go out.
    let databaseUp = 1;
    try {
      const lag = await measureRollupLag();
      metric(
        "liaison_rollup_lag_engagements",
        "gauge",
        "Done engagements the counts' rollups disagree with the record about (measured at most once a minute; 0 when they agree).",
      );
      lines.push(`liaison_rollup_lag_engagements ${lag}`);
      // An import whose writer has gone silent (a process killed mid-import) is not under way, whatever its row says.
      const imports = await sql<{ id: number; rows: number | null }>`SELECT id, (counts->>'rows')::int AS rows
        FROM imports WHERE status = 'running' AND heartbeat_at > now() - interval '2 minutes' ORDER BY id`.execute(database.db);
      metric("liaison_imports_running", "gauge", "Imports being written now.");
      lines.push(`liaison_imports_running ${imports.rows.length}`);
      metric("liaison_import_rows_written", "gauge", "Rows written so far by each import under way.");
      for (const row of imports.rows) lines.push(`liaison_import_rows_written{import="${row.id}"} ${row.rows ?? 0}`);
    } catch {
      databaseUp = 0;
    }
    metric("liaison_db_up", "gauge", "Whether the database answered this scrape's queries (1) or not (0).");
    lines.push(`liaison_db_up ${databaseUp}`);

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

const localHosts = new Set(["localhost", "127.0.0.1", "[::1]"]);
/** Headers a proxy adds; through a proxy on this machine every outside caller looks local. */
const proxyHeaders = ["x-forwarded-for", "forwarded", "x-real-ip", "x-forwarded-proto", "x-forwarded-host", "via"];

/**
 * Who may read /metrics: a caller with the configured bearer token, or, without one configured, a
 * caller on this machine that did not come through a proxy and named this machine (a web page
 * that rebinds its own name to 127.0.0.1 names itself). Behind a proxy (LIAISON_TRUST_PROXY set)
 * only the token opens it. The figures hold no records, but route names and load are still the
 * office's business.
 */
export function mayReadMetrics(request: FastifyRequest, token: string | undefined, behindProxy: boolean): boolean {
  if (token) {
    return sameSecret(/^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1] ?? "", Buffer.from(token));
  }
  if (behindProxy || proxyHeaders.some((name) => request.headers[name] !== undefined)) return false;
  const host = (request.headers.host ?? "").replace(/:\d+$/, "").toLowerCase();
  return isLoopbackAddress(request.socket.remoteAddress) && localHosts.has(host);
}

/** GET /metrics. */
export function metricsRoute(metrics: ServerMetrics, token: string | undefined, behindProxy: boolean) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (!mayReadMetrics(request, token, behindProxy)) {
      throw new AppError(
        "FORBIDDEN",
        token
          ? "Send the metrics token as 'Authorization: Bearer …'."
          : "Metrics are served to this machine only (not through a proxy); set LIAISON_METRICS_TOKEN to scrape them from elsewhere.",
      );
    }
    return reply
      .type("text/plain; version=0.0.4; charset=utf-8")
      .header("cache-control", "no-store")
      .send(await metrics.render());
  };
}
