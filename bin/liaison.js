#!/usr/bin/env node
// The `liaison` command. It runs the compiled server (dist/server/liaison.js, made by
// `npm run build`) when that is at least as new as the sources; otherwise, in a development
// checkout, the TypeScript sources through tsx (a development dependency).
import { isFresh, serverSources } from "../scripts/build-freshness.mjs";

const compiled = "dist/server/liaison.js";
if (process.env.LIAISON_FROM_SOURCE !== "1" && isFresh(compiled, serverSources())) {
  await import(new URL(`../${compiled}`, import.meta.url).href);
} else {
  let tsx;
  try {
    tsx = await import("tsx/esm/api");
  } catch {
    console.error(
      "Liaison is not built, or its build is older than its sources: run `npm run build` (with the development dependencies installed).\n" +
        "Liaison 尚未构建或构建已过期：请先运行 `npm run build`（需安装开发依赖）。",
    );
    process.exit(1);
  }
  tsx.register();
  await import("../src/cli/main.ts");
}
