import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./support/cli.ts";
import { createServerDatabase, testEngine } from "./support/database.ts";

let env: Record<string, string>;
let cleanup: () => Promise<void>;
const work = fs.mkdtempSync(path.join(os.tmpdir(), "liaison-cli-"));

beforeAll(async () => {
  if (testEngine === "postgres") {
    const server = await createServerDatabase();
    env = { DATABASE_URL: server.url, LIAISON_DATA_DIR: path.join(work, "unused") };
    cleanup = server.drop;
  } else {
    env = { DATABASE_URL: "", LIAISON_DATA_DIR: path.join(work, "data") };
    cleanup = async () => {};
  }
});
afterAll(async () => {
  await cleanup();
  fs.rmSync(work, { recursive: true, force: true });
});

describe(`the liaison CLI (${testEngine})`, () => {
  it("imports the reference registry with progress, then finds nothing to do", async () => {
    const first = await runCli(["import-reference"], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("Parties / 政党: 5558 in the file, 5558 added, 0 updated, 0 unchanged.");
    expect(first.stderr).toMatch(/parties: 5558\/5558 \(100%\)/);
    const second = await runCli(["import-reference"], env);
    expect(second.stdout).toContain("nothing to do");
  });

  it("prints statistics, bilingual or as JSON", async () => {
    const text = await runCli(["stats"], env);
    expect(text.stdout).toMatch(/Organisations \/ 组织\s+5558/);
    expect(text.stdout).toMatch(/Political party \/ 政党\s+5558/);
    const json = JSON.parse((await runCli(["stats", "--json"], env)).stdout);
    expect(json).toMatchObject({ politicalParties: 5558, countriesWithParties: 215, countries: 263 });
  });

  it("exports everything as JSON to a file", async () => {
    const out = path.join(work, "export.json");
    const result = await runCli(["export", "--out", out], env);
    expect(result.code).toBe(0);
    const data = JSON.parse(fs.readFileSync(out, "utf8"));
    expect(data.tables.organisations).toHaveLength(5558);
    expect(data.tables.organisationNames.length).toBeGreaterThan(5558);
    expect(data.tables.countries).toHaveLength(263);
    expect(result.stderr).toMatch(/Exported \d+ rows from \d{2} tables/);
    // Every table but the secret ones, the gifts register and the audit log among them.
    expect(Object.keys(data.tables)).toEqual(expect.arrayContaining(["gifts", "auditLog", "tasks", "organisationCongresses"]));
    expect(Object.keys(data.tables)).not.toEqual(expect.arrayContaining(["sessions"]));
    expect(data.migration).toMatch(/^\d{4}_/);
  });

  it("loads the demo, counts it in both languages, rebuilds the rollups and removes the demo", async () => {
    const seeded = await runCli(["seed-demo"], env);
    expect(seeded.code).toBe(0);
    expect(seeded.stdout).toMatch(/Demo data loaded in [\d.]+ s: \d+ engagements/);
    const counts = await runCli(
      [
        "counts",
        "--by",
        "type",
        "--type",
        "correspondence",
        "--subtype",
        "congratulatory_message",
        "--from",
        "2021-01-01",
        "--to",
        "2021-12-31",
      ],
      env,
    );
    expect(counts.stdout).toMatch(/Correspondence received \/ 收到函电\s+1,5\d\d\s+6\d\d\s+17\d/);
    const json = JSON.parse((await runCli(["counts", "--by", "region", "--json"], env)).stdout);
    expect(json.source).toBe("rollup");
    expect(json.rows.map((r: { label: { zh: string } }) => r.label.zh)).toEqual(expect.arrayContaining(["非洲", "亚洲", "美洲", "欧洲"]));
    const rebuilt = await runCli(["rollups", "rebuild"], env);
    expect(rebuilt.stdout).toMatch(/Rebuilt the rollups of \d+ done engagements/);
    expect(JSON.parse((await runCli(["counts", "--by", "region", "--json"], env)).stdout)).toEqual(json);
    const badCounts = await runCli(["counts", "--by", "planet"], env);
    expect(badCounts.code).toBe(1);
    expect(badCounts.stderr).toContain("by:");
    const removed = await runCli(["demo", "remove"], env);
    expect(removed.stdout).toMatch(/Demo data removed: \d+ engagements/);
    const after = JSON.parse((await runCli(["counts", "--by", "none", "--json"], env)).stdout);
    expect(after.total).toEqual({ engagements: 0, organisations: 0, countries: 0, regions: 0 });
    expect((await runCli(["demo"], env)).code).toBe(2);
  }, 240_000);

  it("explains bad commands and bad configuration without a stack trace", async () => {
    const unknown = await runCli(["frobnicate"], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown command: frobnicate");
    const badPort = await runCli(["stats"], { ...env, PORT: "eighty" });
    expect(badPort.code).toBe(1);
    expect(badPort.stderr).toContain("Configuration: PORT");
    const badUrl = await runCli(["stats"], { ...env, DATABASE_URL: "mysql://x" });
    expect(badUrl.stderr).toContain("DATABASE_URL must start with postgres://");
    const unreachable = await runCli(["stats"], { ...env, DATABASE_URL: "postgres://liaison@127.0.0.1:1/nowhere" });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain("Cannot use the PostgreSQL database at 127.0.0.1:1/nowhere");
    for (const r of [unknown, badPort, badUrl, unreachable]) expect(r.stderr).not.toMatch(/\n\s+at /);
    const help = await runCli(["help"], env);
    expect(help.stdout).toContain("import-reference");
  });
});
