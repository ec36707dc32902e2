import { db } from "../../db/current.ts";
import type { Actor } from "./actor.ts";
import { writeAudit } from "./mutation.ts";

/** Where a download writes its text; a returned promise means "wait before the next chunk". */
export type ChunkWriter = (chunk: string) => Promise<void> | void;

/** A download's producer: writes everything through `write`, and says what it wrote. */
export type Producer<T> = (write: ChunkWriter) => Promise<T>;

/**
 * Starts an audited download. The first audit row (who asked for what) is written now,
 * before a byte goes out, so that even a download cut short is on the record; the producer
 * returned writes a second row when it ends, saying whether it completed (with `summary` of
 * its result) or was cut off and why (the client went away, the data could not be read).
 */
export async function auditedDownload<T>(
  actor: Actor,
  entry: { action: string; asked: unknown },
  produce: Producer<T>,
  summary: (result: T) => unknown,
): Promise<Producer<T>> {
  // What a cleared reader exports may hold restricted work: its rows say so.
  const restricted = actor.clearance ?? false;
  const record = (after: Record<string, unknown>) =>
    writeAudit(db(), actor, { entity: "export", entityId: null, action: entry.action, after, restricted });
  await record({ state: "started", ...wrap(entry.asked) });
  return async (write) => {
    let chunks = 0;
    try {
      const result = await produce((chunk) => {
        chunks++;
        return write(chunk);
      });
      await record({ state: "completed", ...wrap(summary(result)) });
      return result;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      await record({ state: "aborted", chunks, reason });
      throw error;
    }
  };
}

function wrap(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : { value };
}
