import path from "node:path";
import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import type { Config } from "../config.ts";
import { generatePassword } from "../core/auth/passwords.ts";
import { ensureAdministratorPassword } from "../core/auth/service.ts";
import { runScheduledBackup } from "../core/backup/schedule.ts";
import { demoState, seedDemo } from "../core/demo/service.ts";
import { migrateWithRollups } from "../core/engagements/rollup.ts";
import { fileStore, LocalFileStore, S3FileStore, useFileStore } from "../core/files/storage.ts";
import { refreshSuggestions } from "../core/names/service.ts";
import { closeMail, deliverPendingEmails } from "../core/notifications/mail.ts";
import { configureMail } from "../core/notifications/mail-settings.ts";
import { repairStanding } from "../core/organisations/store.ts";
import { importReference, referenceLoaded } from "../core/reference/service.ts";
import type { Actor } from "../core/shared/actor.ts";
import { notifyOverdueTasks } from "../core/tasks/service.ts";
import { ensureBuiltinAdministrator } from "../core/units/service.ts";
import { type Database, openDatabase } from "../db/connection.ts";
import { credentialProbeChannel, followCredentialNotices, followCredentialNoticesOnPool } from "../db/credential-notices.ts";
import { useDatabase } from "../db/current.ts";
import { refreshStatistics } from "../db/statistics.ts";
import { openControl } from "./control.ts";

export interface Running {
  app: FastifyInstance;
  database: Database;
  url: string;
  stop(): Promise<void>;
}

/** Opens the database, migrates, ensures the administrator and reference data. */
export async function openLiaison(config: Config, log: (line: string) => void = () => {}): Promise<{ database: Database; admin: Actor }> {
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: config.poolSize,
    replicaUrl: config.replicaUrl,
    preparedStatements: config.preparedStatements,
  });
  try {
    useDatabase(database);
    useFileStore(config.s3 ? new S3FileStore(config.s3) : new LocalFileStore(path.join(config.dataDir, "files")));
    const { applied, rebuilt } = await migrateWithRollups(database.db);
    if (applied.length > 0) log(`Applied migrations: ${applied.join(", ")}`);
    if (rebuilt && rebuilt.engagements > 0)
      log(`Rebuilt the counts' rollups over ${rebuilt.engagements} engagements in ${Math.round(rebuilt.ms)} ms`);
    // An installation from before Chinese-name suggestions gets them for its registry once.
    if (applied.includes("0012_chinese_names")) await database.db.transaction().execute((trx) => refreshSuggestions(trx));
    const admin = await ensureBuiltinAdministrator();
    return { database, admin };
  } catch (error) {
    await database.close();
    useDatabase(undefined);
    throw error;
  }
}

/** Starts Liaison: database, migrations, reference data on first start, HTTP server. */
export async function startServer(config: Config, log: (line: string) => void = console.log): Promise<Running> {
  // The embedded database boots in its worker thread while this thread loads and builds
  // the HTTP server: the two together take about as long as the slower one alone.
  const opening = openLiaison(config, log);
  const building = import("./app.ts").then(({ buildApp }) =>
    buildApp({
      logLevel: config.logLevel,
      metricsToken: config.metricsToken,
      sessionPolicy: config.session,
      trustProxy: config.trustProxy,
      writeRateLimit: config.writeRateLimit,
    }),
  );
  const [opened, app] = await Promise.allSettled([opening, building]);
  if (opened.status === "rejected") {
    if (app.status === "fulfilled") await app.value.close();
    throw opened.reason;
  }
  const { database, admin } = opened.value;
  if (app.status === "rejected") {
    await database.close();
    useDatabase(undefined);
    throw app.reason;
  }
  return listen(config, database, admin, app.value, log);
}

/** Loads the reference data on first start, then opens the HTTP port. */
async function listen(
  config: Config,
  database: Database,
  admin: Actor,
  app: FastifyInstance,
  log: (line: string) => void,
): Promise<Running> {
  try {
    if (!config.skipReference && !(await referenceLoaded())) {
      log("First start: loading the reference registry (countries, regions, Party Facts parties)…");
      const summary = await importReference(admin);
      log(`Loaded ${summary.countriesAdded} countries and territories and ${summary.parties.added} political parties.`);
    }
    const password = await ensureAdministratorPassword(config.adminPassword, generatePassword);
    if (password && !config.adminPassword) {
      log(`Created the administrator: user "admin", password ${password}  (shown once; change it after signing in)`);
      log(`已创建管理员：用户名 admin，密码 ${password}（仅显示一次）`);
    }
    if (config.demo && !config.skipReference && (await demoState()) === "never") {
      log("First start: loading the demo data (2012–2022, marked as demo; `liaison demo remove` takes it out)…");
      const demo = await seedDemo(admin);
      log(`Loaded ${demo.engagements} demo engagements with ${demo.participants} participants in ${(demo.ms / 1000).toFixed(1)} s.`);
    }
    await app.listen({ port: config.port, host: config.host });
    const address = app.server.address();
    const port = typeof address === "object" && address ? address.port : config.port;
    const host = config.host.includes(":") ? `[${config.host}]` : config.host;
    const url = `http://${host}:${port}/`;
    // Owners hear of overdue tasks at start and then every hour; a failed round is tried the next hour.
    const remind = () => notifyOverdueTasks().catch((error: unknown) => log(`Could not send the overdue-task reminders: ${String(error)}`));
    void remind();
    const reminders = setInterval(remind, 60 * 60_000);
    reminders.unref();
    // Whether each partner is engaged, as a name search ranks it, is set right where its one race left it wrong.
    const repairing = setInterval(() => {
      repairStanding(database.db)
        .then((ids) => {
          if (ids.length > 0) log(`Set right whether ${ids.length} organisations are engaged, for ranking searches`);
        })
        .catch((error: unknown) => log(`Could not check the organisations' standing: ${String(error)}`));
    }, 10 * 60_000);
    repairing.unref();
    // Notifications go out by mail every half minute, after they committed, when an SMTP server is set.
    configureMail(config.mail ?? null);
    const mailing = config.mail
      ? setInterval(() => {
          deliverPendingEmails().catch((error: unknown) => log(`Could not mail the notifications: ${String(error)}`));
        }, 30_000)
      : null;
    mailing?.unref();
    // The embedded engine has no autovacuum: its planner statistics are refreshed here, soon after
    // the start and then every few minutes, for the tables that changed (a server's autovacuum does it there).
    // One run at a time; the server waits for a run in progress before it closes the database.
    let analysing: Promise<void> | null = null;
    const analyse = () => {
      analysing ??= refreshStatistics(database.db)
        .then((tables) => {
          if (tables.length > 0) log(`Refreshed the planner statistics of ${tables.length} changed tables`);
        })
        .catch((error: unknown) => log(`Could not refresh the planner statistics: ${String(error)}`))
        .finally(() => {
          analysing = null;
        });
    };
    const statistics = database.engine === "pglite" ? [setTimeout(analyse, 10_000), setInterval(analyse, 5 * 60_000)] : [];
    for (const timer of statistics) timer.unref();
    // The callers of requests are kept between them while the database's notices of credential
    // changes are heard (src/core/auth/credential-cache.ts): on the embedded engine on its one
    // connection, on PostgreSQL on one of their own (not behind a pooler in transaction mode).
    const notices =
      database.engine === "pglite"
        ? await followCredentialNoticesOnPool(database.pool)
        : config.databaseUrl && config.preparedStatements !== false
          ? followCredentialNotices(
              config.databaseUrl,
              { send: (payload) => sql`SELECT pg_notify(${credentialProbeChannel}, ${payload})`.execute(database.db) },
              log,
            )
          : null;
    // The `liaison` command on this machine asks the server for a backup while it holds the embedded database.
    const closeControl = database.dataDir ? openControl(database.dataDir, url, admin) : () => {};
    const backups = config.backup;
    // One backup at a time: a slow one is not overtaken by the next.
    let backupRunning = false;
    const backingUp = backups
      ? setInterval(() => {
          if (backupRunning) return;
          backupRunning = true;
          void runScheduledBackup(backups, database, fileStore(), log).finally(() => {
            backupRunning = false;
          });
        }, backups.everyMs)
      : null;
    backingUp?.unref();
    if (backups) log(`Backups every ${backups.everyMs / 60_000} minutes into ${backups.dir}, keeping the last ${backups.keep}.`);
    let stopped = false;
    return {
      app,
      database,
      url,
      async stop() {
        if (stopped) return;
        stopped = true;
        clearInterval(reminders);
        clearInterval(repairing);
        if (mailing) clearInterval(mailing);
        if (backingUp) clearInterval(backingUp);
        for (const timer of statistics) clearTimeout(timer);
        await analysing;
        await notices?.stop();
        closeControl();
        closeMail();
        await app.close();
        await database.close();
        useDatabase(undefined);
      },
    };
  } catch (error) {
    await app.close();
    await database.close();
    useDatabase(undefined);
    throw error;
  }
}
