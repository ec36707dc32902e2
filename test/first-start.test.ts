import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { startServer } from "../src/server/start.ts";
import { freshInstallation, testEngine } from "./support/database.ts";

const installation = freshInstallation("first-start");

describe(`a first start (${testEngine})`, () => {
  it("loads the reference registry and the demo once, so that the first screen shows a living system", async () => {
    const config = { ...loadConfig({}), port: 0, ...installation };
    const log: string[] = [];
    const first = await startServer(config, (line) => log.push(line));
    try {
      expect(log.join("\n")).toMatch(/Loaded \d+ demo engagements with \d+ participants/);
      // The administrator's password is printed once; sign in with it.
      const password = /user "admin", password (\S+)/.exec(log.join("\n"))?.[1];
      expect(password).toBeTruthy();
      expect((await fetch(`${first.url}api/stats`)).status).toBe(401);
      const login = await fetch(`${first.url}api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "admin", password }),
      });
      expect(login.status).toBe(200);
      const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
      const signedIn = (url: string) => fetch(url, { headers: { cookie } });
      const stats = (await (await signedIn(`${first.url}api/stats`)).json()) as { demoEngagements: number; engagements: number };
      expect(stats.demoEngagements).toBeGreaterThan(5000);
      expect(stats.demoEngagements).toBe(stats.engagements);
      const page = (await (await signedIn(`${first.url}api/engagements?demo=true&pageSize=5`)).json()) as {
        items: Array<{ demo: boolean }>;
      };
      expect(page.items).toHaveLength(5);
      expect(page.items.every((i) => i.demo)).toBe(true);
      const units = (await (await signedIn(`${first.url}api/units`)).json()) as Array<{ demo: boolean }>;
      expect(units.filter((u) => u.demo).length).toBeGreaterThanOrEqual(20);
    } finally {
      await first.stop();
    }
    const again: string[] = [];
    const second = await startServer(config, (line) => again.push(line));
    await second.stop();
    expect(again.join("\n")).not.toContain("First start");
    expect(again.join("\n")).not.toContain("password");
  }, 180_000);
});
