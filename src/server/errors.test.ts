import pg from "pg";
import { describe, expect, it } from "vitest";
import { testEngine, testServerUrl } from "../../test/support/database.ts";
import { storageState } from "../db/storage.ts";
import { toErrorResponse } from "./errors.ts";

describe("the error mapping", () => {
  it("answers a full disk with STORAGE_FULL (507) and a message that says what to do, never a 500", () => {
    storageState.recordWrite();
    for (const error of [
      Object.assign(new Error('could not extend file "base/5/16667": No space left on device'), { code: "53100" }),
      Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" }),
    ]) {
      const { status, body } = toErrorResponse(error);
      expect(status).toBe(507);
      expect(body.code).toBe("STORAGE_FULL");
      expect(body.message).toMatch(/full.*Free some space/);
      expect(JSON.stringify(body)).not.toContain("base/5");
    }
    // Until a write succeeds again, readiness reports the storage full.
    expect(storageState.fullSince).not.toBeNull();
    storageState.recordWrite();
    expect(storageState.fullSince).toBeNull();
  });

  it("answers a save cancelled by a deadlock or a serialisation failure with CONFLICT (409) and asks to try again", () => {
    for (const code of ["40P01", "40001"]) {
      const { status, body } = toErrorResponse(Object.assign(new Error("deadlock detected: Process 12 waits for ShareLock"), { code }));
      expect(status).toBe(409);
      expect(body).toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/nothing was saved\. Try again/) });
      expect(body.message).not.toContain("Process");
    }
  });

  it.runIf(testEngine === "postgres")("answers a real deadlock between two PostgreSQL connections with CONFLICT (409)", async () => {
    const [a, b] = [new pg.Client(testServerUrl), new pg.Client(testServerUrl)];
    await a.connect();
    await b.connect();
    try {
      // Two transactions take two locks in opposite orders: the server cancels one of them.
      await a.query("BEGIN");
      await b.query("BEGIN");
      await a.query("SELECT pg_advisory_xact_lock(4471901)");
      await b.query("SELECT pg_advisory_xact_lock(4471902)");
      const outcomes = await Promise.allSettled([
        a.query("SELECT pg_advisory_xact_lock(4471902)"),
        b.query("SELECT pg_advisory_xact_lock(4471901)"),
      ]);
      const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
      expect(failed).toHaveLength(1);
      expect(toErrorResponse(failed[0]?.reason)).toMatchObject({ status: 409, body: { code: "CONFLICT" } });
    } finally {
      await a.query("ROLLBACK").catch(() => undefined);
      await b.query("ROLLBACK").catch(() => undefined);
      await a.end();
      await b.end();
    }
  });

  it("never shows an unknown error's text", () => {
    const { status, body } = toErrorResponse(new Error("relation secret_table does not exist at /srv/x.ts:12"));
    expect(status).toBe(500);
    expect(body.message).not.toContain("secret_table");
  });
});
