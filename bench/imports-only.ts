/**
 * The import figures alone (`npm run bench:imports`), without the registry and record the whole
 * bench builds first: N organisations (100,000) from CSV and XLSX, then a register of E engagements
 * (10,000) naming them. On PGlite in a temporary directory, or on BENCH_DATABASE_URL.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { importGeography } from "../src/core/reference/service.ts";
import { ensureBuiltinAdministrator } from "../src/core/units/service.ts";
import { openDatabase } from "../src/db/connection.ts";
import { useDatabase } from "../src/db/current.ts";
import { migrateToLatest } from "../src/db/migrate.ts";
import { benchImports } from "./imports.ts";

const url = process.env.BENCH_DATABASE_URL;
const dataDir = url ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), "liaison-bench-io-"));
const database = await openDatabase(url ? { databaseUrl: url } : { dataDir: dataDir as string });
useDatabase(database);
await migrateToLatest(database.db);
const admin = await ensureBuiltinAdministrator();
await importGeography(admin);
for (const f of await benchImports(database.db, admin, Number(process.env.N ?? 100000), Number(process.env.E ?? 10000)))
  console.log(
    `${url ? "postgres" : "pglite"}  ${f.name}: ${Math.round(f.rowsPerSecond)} rows/s, raw ${Math.round(f.rawRowsPerSecond)}, +${f.peakMb.toFixed(0)} MB`,
  );
await database.close();
