import fs from "node:fs";
import path from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";
import { installRoot } from "../paths.ts";

/** Where `npm run build` puts the web app. */
export const webAppDir = path.join(installRoot, "dist/web");

/** True when a built web app is in `dir` (npm start builds it first). */
export function webAppBuilt(dir: string | null = webAppDir): dir is string {
  return dir !== null && fs.existsSync(path.join(dir, "index.html"));
}

/**
 * Serves the built web app from the same server as the API: hashed assets cached for a year,
 * the page itself never. Without a build, `/` leads to the API docs.
 */
export async function serveWebApp(app: FastifyInstance, dir: string | null = webAppDir): Promise<void> {
  if (!webAppBuilt(dir)) {
    app.get("/", { schema: { hide: true } }, (_request, reply) => reply.redirect("/api/docs"));
    return;
  }
  await app.register(fastifyStatic, {
    root: dir,
    prefix: "/",
    // Files are looked up per request, so a new build is served without a restart; a missing one falls to the not-found handler.
    wildcard: true,
    index: false,
    // The build's .br and .gz copies go to browsers that accept them.
    preCompressed: true,
    setHeaders: (reply, file) => {
      reply.header("cache-control", file.includes(`${path.sep}assets${path.sep}`) ? "public, max-age=31536000, immutable" : "no-cache");
    },
  });
  app.get("/", { schema: { hide: true } }, (_request, reply) =>
    reply.type("text/html; charset=utf-8").header("cache-control", "no-cache").sendFile("index.html"),
  );
}
