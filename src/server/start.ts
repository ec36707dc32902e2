import type { FastifyInstance } from "fastify";
import type { Config } from "../config.ts";
import { importReference, referenceLoaded } from "../core/reference/service.ts";
import type { Actor } from "../core/shared/actor.ts";
import { ensureBuiltinAdministrator } from "../core/units/service.ts";
import { type Database, openDatabase } from "../db/connection.ts";
import { useDatabase } from "../db/current.ts";
import { migrateToLatest } from "../db/migrate.ts";
import { buildApp } from "./app.ts";

export interface Running {
  app: FastifyInstance;
  database: Database;
  url: string;
  stop(): Promise<void>;
}

/** Opens the database, migrates, ensures the administrator and reference data. */
export async function openLiaison(config: Config, log: (line: string) => void = () => {}): Promise<{ database: Database; admin: Actor }> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    useDatabase(database);
    const applied = await migrateToLatest(database.db);
    if (applied.length > 0) log(`Applied migrations: ${applied.join(", ")}`);
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
  const { database, admin } = await openLiaison(config, log);
  try {
    if (!config.skipReference && !(await referenceLoaded())) {
      log("First start: loading the reference registry (countries, regions, Party Facts parties)…");
      const summary = await importReference(admin);
      log(`Loaded ${summary.countriesAdded} countries and territories and ${summary.parties.added} political parties.`);
    }
    const app = await buildApp({ resolveActor: () => admin, logLevel: "warn" });
    await app.listen({ port: config.port, host: config.host });
    const address = app.server.address();
    const port = typeof address === "object" && address ? address.port : config.port;
    const host = config.host.includes(":") ? `[${config.host}]` : config.host;
    const url = `http://${host}:${port}/`;
    let stopped = false;
    return {
      app,
      database,
      url,
      async stop() {
        if (stopped) return;
        stopped = true;
        await app.close();
        await database.close();
        useDatabase(undefined);
      },
    };
  } catch (error) {
    await database.close();
    useDatabase(undefined);
    throw error;
  }
}
