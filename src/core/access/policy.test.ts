import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { type Actor, roles } from "../shared/actor.ts";
import { type Action, authorize, can, permissions } from "./policy.ts";

const src = path.resolve(import.meta.dirname, "../..");

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [full] : [];
  });
}

const actorWith = (role: (typeof roles)[number]): Actor => ({ userId: 1, username: "u", unitId: 1, roles: [{ unitId: 1, role }] });

describe("the role × action table", () => {
  it("declares every action a service asks about, and none that no service asks about", () => {
    const asked = new Set<string>();
    for (const file of sourceFiles(src)) {
      // Asked at the gate (authorize) or per unit, through the actor's data context.
      const asks =
        /(?:authorize\(\w+, |unitAllows\(|assertUnitAllows\([^"]*|lock(?:Engagement|Note)\([^"]*|(?:update|delete)(?:Engagements|Notes)\(\w+, |defaultUnit\(|reachesEveryUnit\()"([a-z]+\.[a-z_]+)"/g;
      for (const match of fs.readFileSync(file, "utf8").matchAll(asks)) asked.add(match[1] as string);
    }
    expect([...asked].filter((a) => !(a in permissions))).toEqual([]);
    expect(Object.keys(permissions).filter((a) => !asked.has(a))).toEqual([]);
  });

  it("grants each role exactly what the table says, and denies by default", () => {
    for (const action of Object.keys(permissions) as Action[]) {
      for (const role of roles) {
        const allowed = (permissions[action] as readonly string[]).includes(role);
        expect(can(actorWith(role), action), `${role} ${action}`).toBe(allowed);
        if (allowed) expect(() => authorize(actorWith(role), action)).not.toThrow();
        else expect(() => authorize(actorWith(role), action)).toThrow(expect.objectContaining({ code: "FORBIDDEN" }));
      }
      expect(() => authorize(undefined, action)).toThrow(expect.objectContaining({ code: "UNAUTHENTICATED" }));
      expect(can({ ...actorWith("administrator"), roles: [] }, action)).toBe(false);
    }
    expect(can(actorWith("administrator"), "no.such.action" as Action)).toBe(false);
  });
});
