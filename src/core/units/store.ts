import { invalidField } from "../shared/errors.ts";
import type { Executor } from "../shared/mutation.ts";

/** Refuses a unit id that does not exist, as a field error on `path` (nothing to check when absent). */
export async function assertUnitExists(executor: Executor, unitId: number | null | undefined, path = "leadUnitId"): Promise<void> {
  if (unitId === undefined || unitId === null) return;
  const unit = await executor.selectFrom("units").select("id").where("id", "=", unitId).executeTakeFirst();
  if (!unit) throw invalidField(path, `No unit ${unitId}.`);
}
