import { describe, expect, it } from "vitest";
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

  it("never shows an unknown error's text", () => {
    const { status, body } = toErrorResponse(new Error("relation secret_table does not exist at /srv/x.ts:12"));
    expect(status).toBe(500);
    expect(body.message).not.toContain("secret_table");
  });
});
