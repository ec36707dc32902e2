/**
 * A full disk: writes are refused with STORAGE_FULL (507) and a clear message, /health says
 * the server cannot save, a restart on the full disk says why instead of aborting, and once
 * space is freed the server starts cleanly with every acknowledged write there. The embedded
 * engine's data directory is put on a small filesystem of its own (skipped where the machine
 * cannot mount one).
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { testEngine } from "../support/database.ts";
import { fillDisk, type ServerProcess, signIn, smallFilesystem, startServerProcess } from "../support/server.ts";

const disk = testEngine === "pglite" ? smallFilesystem(96) : null;
const password = "a long passphrase for a full disk";
let server: ServerProcess | undefined;

afterAll(async () => {
  await server?.kill();
  disk?.remove();
});

const reason =
  testEngine !== "pglite"
    ? "the PostgreSQL server's own disk is its administrator's; the mapping of its disk_full error is tested in the API suite"
    : "this machine cannot mount a small filesystem (needs root and mount permission)";

describe.skipIf(!disk)(`a full disk (embedded engine; skipped when ${reason})`, () => {
  it("refuses writes clearly, keeps every acknowledged one, says so at start, and recovers once space is freed", async () => {
    const dataDir = path.join((disk as { dir: string }).dir, "data");
    const env = {
      LIAISON_DATA_DIR: dataDir,
      LIAISON_SKIP_REFERENCE: "1",
      LIAISON_ADMIN_PASSWORD: password,
      LIAISON_WRITE_RATE_LIMIT: "1000000",
    };
    server = await startServerProcess(env);
    const call = await signIn(server.url, "admin", password);
    expect((await fetch(`${server.url}health`)).status).toBe(200);
    const filler = fillDisk((disk as { dir: string }).dir, 3 * 1024 * 1024);
    const acknowledged: number[] = [];
    let refusal: { status: number; body: { code: string; message: string } } | undefined;
    for (let i = 0; i < 2000 && !refusal; i++) {
      const response = await call("POST", "/api/organisations", {
        kind: "movement",
        names: [{ kind: "official", lang: "en", value: `Movement ${i}` }],
        // Random text: the database would compress a repeated one to nothing.
        description: randomBytes(12_000).toString("base64"),
      });
      if (response.status === 201) acknowledged.push(((await response.json()) as { id: number }).id);
      else refusal = { status: response.status, body: (await response.json()) as { code: string; message: string } };
    }
    expect(acknowledged.length).toBeGreaterThan(0);
    expect(refusal?.status).toBe(507);
    expect(refusal?.body.code).toBe("STORAGE_FULL");
    expect(refusal?.body.message).toMatch(/disk .* is full/);
    const health = await fetch(`${server.url}health`);
    expect(health.status).toBe(503);
    expect(((await health.json()) as { checks: { storage: string } }).checks.storage).toBe("full");
    expect((await fetch(`${server.url}health/live`)).status).toBe(200);

    // A hard stop, then a start on the still-full disk: a clear message, not "Aborted()".
    await server.kill();
    server = undefined;
    const refused = await startServerProcess(env, 60_000).then(
      () => null,
      (error: { code: number | null; output: string }) => error,
    );
    expect(refused?.code).not.toBe(0);
    expect(refused?.output).toMatch(/disk holding .* is full/);
    expect(refused?.output).not.toContain("Aborted()");

    fs.rmSync(filler);
    server = await startServerProcess(env);
    const again = await signIn(server.url, "admin", password);
    expect((await fetch(`${server.url}health`)).status).toBe(200);
    for (const id of acknowledged) expect((await again("GET", `/api/organisations/${id}`)).status, `organisation ${id}`).toBe(200);
    expect((await again("POST", "/api/tags", { key: "after-the-disk", nameEn: "After", nameZh: "之后" })).status).toBe(201);
  }, 240_000);
});
