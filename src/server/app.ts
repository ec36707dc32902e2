import { randomUUID } from "node:crypto";
import cookie from "@fastify/cookie";
import csrf from "@fastify/csrf-protection";
import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, LogController } from "fastify";
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import type { ZodType } from "zod";
import type { TrustProxy } from "../config.ts";
import { defaultSessionPolicy, type SessionPolicy } from "../core/auth/service.ts";
import type { Actor } from "../core/shared/actor.ts";
import { AppError } from "../core/shared/errors.ts";
import { findIllFormedText, parseQueryString } from "../core/shared/wellformed.ts";
import { authenticate } from "./auth.ts";
import { handleError } from "./errors.ts";
import { readiness } from "./health.ts";
import { metricsRoute, ServerMetrics } from "./metrics.ts";
import { WriteLimitStore } from "./rate-limit-store.ts";
import { authRoutes } from "./routes/auth.ts";
import { calendarFeedRoutes, calendarFileRoutes } from "./routes/calendar.ts";
import { engagementRoutes } from "./routes/engagements.ts";
import { geographyRoutes } from "./routes/geography.ts";
import { giftRoutes } from "./routes/gifts.ts";
import { importRoutes } from "./routes/imports.ts";
import { tagRoutes, topicRoutes } from "./routes/labels.ts";
import { nameRoutes } from "./routes/names.ts";
import { noteRoutes } from "./routes/notes.ts";
import { notificationRoutes } from "./routes/notifications.ts";
import { organisationRoutes } from "./routes/organisations.ts";
import { peopleRoutes } from "./routes/people.ts";
import { mechanismRoutes, programmeRoutes } from "./routes/programmes.ts";
import { registryRoutes } from "./routes/registry.ts";
import { reportRoutes } from "./routes/reports.ts";
import { systemRoutes } from "./routes/system.ts";
import { taskRoutes } from "./routes/tasks.ts";
import { unitRoutes } from "./routes/units.ts";
import { securityHeaders } from "./security-headers.ts";
import { serveWebApp, webAppBuilt, webAppDir } from "./web.ts";

declare module "fastify" {
  interface FastifyInstance {
    apiRoutes: ReadonlyArray<ApiRoute>;
  }
}

/** An API route, and which parts of a request its schema checks (the bad-input tests send ill-formed text to each). */
export interface ApiRoute {
  method: string;
  url: string;
  validates: { body: boolean; query: boolean; params: boolean };
}

export interface AppOptions {
  /**
   * Tests and benchmarks only: the actor of every request, in place of sign-in. Without
   * it, requests are authenticated by their session cookie or API token.
   */
  resolveActor?: () => Actor | undefined;
  /** Session lifetimes (idle and absolute). */
  sessionPolicy?: SessionPolicy;
  /**
   * Behind a TLS-terminating proxy: whose X-Forwarded-* headers to believe (the nearest N hops,
   * or listed proxy addresses). Anyone else's are ignored, so a client cannot pick its own address.
   */
  trustProxy?: TrustProxy;
  /** Log level (JSON lines; "info" adds one line per request); server faults are logged at "error". Off when absent (tests). */
  logLevel?: "error" | "warn" | "info";
  /** Where the log lines go (standard output by default). */
  logStream?: { write(line: string): void };
  /** The bearer token /metrics asks for; without one, /metrics answers this machine only. */
  metricsToken?: string | undefined;
  /** Writes allowed per client address and minute. */
  writeRateLimit?: number;
  /** Where the built web app is (default: dist/web); null serves none, and `/` leads to the API docs. */
  webAppDir?: string | null;
}

const mutating = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Routes whose path carries a secret (a calendar feed's address): never written to the log. */
const secretPaths = new Set(["/ical/:file"]);

/** A request's id: the caller's X-Request-Id when it is a sane token (a proxy's), otherwise a new one. */
function requestIdOf(request: { headers: Record<string, string | string[] | undefined> }): string {
  const given = request.headers["x-request-id"];
  return typeof given === "string" && /^[A-Za-z0-9._:-]{1,64}$/.test(given) ? given : randomUUID();
}
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
/** The API routes that need no signed-in caller. */
// The backup route also answers the local `liaison backup` command's control secret (checked there).
const openRoutes = new Set(["/api/auth/login", "/api/auth/logout", "/api/openapi.json", "/api/backup"]);

function originHost(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

/**
 * Fastify's form of the proxy trust: listed addresses as they are; a number of hops as "the
 * nearest N hops" (only safe when Liaison cannot be reached but through those proxies).
 */
function proxyTrust(trust: TrustProxy | undefined): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (trust === undefined || trust === false) return false;
  if (typeof trust === "number") return (_address, hop) => hop < trust;
  return trust;
}

/** Builds the Fastify server: security plugins, error mapping, OpenAPI and every route. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const webAppDirectory = options.webAppDir === undefined ? webAppDir : options.webAppDir;
  const webApp = webAppBuilt(webAppDirectory);
  const app = Fastify({
    trustProxy: proxyTrust(options.trustProxy),
    logger: options.logLevel ? { level: options.logLevel, ...(options.logStream ? { stream: options.logStream } : {}) } : false,
    // One line per request, written when it is answered (below), instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: requestIdOf,
    bodyLimit: 1024 * 1024,
    ajv: { customOptions: { coerceTypes: false } },
    routerOptions: { querystringParser: parseQueryString },
  });
  // Every part of every request (body, query, path) is refused with a clear 400 when a string
  // in it cannot be stored as text (a NUL byte, an unpaired surrogate), before its own schema runs.
  app.setValidatorCompiler<ZodType>((route) => {
    const validate = validatorCompiler(route);
    const part = route.httpPart === "querystring" ? "query" : (route.httpPart ?? "body");
    return (data: unknown) => {
      const bad = findIllFormedText(data);
      if (bad) {
        const path = bad.path || "(root)";
        return {
          error: new AppError("VALIDATION_FAILED", `${path}: ${bad.message}`, { fields: [{ path, message: bad.message }], in: part }),
        };
      }
      return validate(data);
    };
  });
  // JSON must be valid UTF-8: a malformed byte is refused, not silently turned into U+FFFD.
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, (request, body, done) => {
    let text: string;
    try {
      text = strictUtf8.decode(body as Buffer);
    } catch {
      return done(new AppError("BAD_REQUEST", "The request body is not valid UTF-8."), undefined);
    }
    parseJson(request, text, done);
  });
  app.setSerializerCompiler(serializerCompiler);
  // The request id goes back in every answer, so that a user's report of an error finds its log line.
  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });
  const metrics = new ServerMetrics();
  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "(no route)";
    metrics.observe(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    request.log.info(
      {
        method: request.method,
        route,
        // A calendar feed's address is its secret: its line shows the route only.
        path: secretPaths.has(route) ? route : request.url.split("?")[0],
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        ...(request.actor ? { user: request.actor.userId } : {}),
      },
      "request",
    );
  });
  app.addHook("onClose", async () => metrics.close());
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => {
    // The web app's own paths (/organisations/12, /engagements?type=visit…) are its routes: serve its page.
    if (request.method === "GET" && webApp && !request.url.startsWith("/api/") && request.headers.accept?.includes("text/html")) {
      return reply.type("text/html; charset=utf-8").header("cache-control", "no-cache").sendFile("index.html");
    }
    return reply.status(404).send({ code: "NOT_FOUND", message: `No route ${request.method} ${request.url.split("?")[0]}.`, details: {} });
  });
  app.decorateRequest("actor", undefined);
  app.decorateRequest("authKind", undefined);
  // Every API route, for the route-coverage tests (bad input now, the security matrix later).
  const routes: ApiRoute[] = [];
  app.decorate("apiRoutes", routes);
  app.addHook("onRoute", (route) => {
    if (!route.url.startsWith("/api/") || route.url.startsWith("/api/docs") || route.schema?.hide) return;
    const validates = {
      body: Boolean(route.schema?.body),
      query: Boolean(route.schema?.querystring),
      params: Boolean(route.schema?.params),
    };
    for (const method of [route.method].flat()) if (method !== "HEAD") routes.push({ method, url: route.url, validates });
  });
  const headers = securityHeaders({
    // Styles may be inline (Mantine and ECharts set them); scripts may not.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        // No inline script anywhere: neither the web app nor the API docs need one, and a
        // name that smuggles in a <script> or an <iframe srcdoc> then cannot run.
        scriptSrc: ["'self'"],
        objectSrc: ["'none'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", "data:"],
        // Liaison is often served over plain HTTP on an office network; upgrading its
        // requests to HTTPS there would break every page.
        upgradeInsecureRequests: null,
      },
    },
  });
  app.addHook("onRequest", (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
  await app.register(cookie);
  // CSRF for changes made with a session cookie: a secret in an HttpOnly cookie, and a token
  // derived from it that the client sends back as the x-csrf-token header.
  await app.register(csrf, {
    sessionPlugin: "@fastify/cookie",
    // Secure when the request came over TLS (directly or through a trusted proxy).
    cookieOpts: { path: "/", sameSite: "lax", httpOnly: true, secure: "auto" },
    getToken: (request) => {
      const header = request.headers["x-csrf-token"];
      return typeof header === "string" ? header : undefined;
    },
  });
  // Reads are cheap and cached by nobody; writes are limited per client address.
  await app.register(rateLimit, {
    global: true,
    store: WriteLimitStore,
    // A counter that cannot be read (the database unreachable, its disk full) does not refuse the
    // write by itself: the write then meets the same fault and is answered with its own clear error.
    skipOnError: true,
    max: options.writeRateLimit ?? 1200,
    timeWindow: "1 minute",
    allowList: (request) => !mutating.has(request.method),
  });
  app.addHook("onRequest", async (request) => {
    // Writes from a page on another origin are refused, so that a web page the user
    // happens to visit cannot act on their behalf.
    if (mutating.has(request.method)) {
      const origin = request.headers.origin;
      if (origin !== undefined && originHost(origin) !== request.headers.host) {
        throw new AppError("FORBIDDEN", "Cross-origin writes are not allowed.");
      }
    }
    if (options.resolveActor) request.actor = options.resolveActor();
    else await authenticate(request, options.sessionPolicy ?? defaultSessionPolicy);
    // Before any validation: an anonymous caller learns nothing about a route but "sign in".
    const url = request.routeOptions.url;
    if (!request.actor && url?.startsWith("/api/") && !openRoutes.has(url) && !url.startsWith("/api/docs")) {
      throw new AppError("UNAUTHENTICATED", "Sign in first.");
    }
  });
  app.addHook("onRequest", (request, reply, done) => {
    // Browsers send cookies on their own; a change made with one must also carry the token.
    // Signing in is exempt: it has no session to protect yet (the Origin check still applies).
    if (mutating.has(request.method) && request.authKind === "session" && request.routeOptions.url !== "/api/auth/login") {
      return app.csrfProtection(request, reply, done);
    }
    done();
  });
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Liaison API",
        version: "0.1.0",
        description:
          "The shared partner registry (organisations, people, countries, units, relationships) and the engagement record (visits, talks, events, correspondence, statements, assistance, training, programmes, mechanisms). 中文和英文。",
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: "/api/docs" });
  app.get("/api/openapi.json", { schema: { hide: true } }, () => app.swagger());
  // Readiness (can it save?) for load balancers and monitoring; /health/live says only that the process answers.
  const answerReadiness = async (_request: FastifyRequest, reply: FastifyReply) => {
    const ready = await readiness();
    return reply.status(ready.status === "ok" ? 200 : 503).send(ready);
  };
  app.get("/health", { schema: { hide: true } }, answerReadiness);
  app.get("/health/ready", { schema: { hide: true } }, answerReadiness);
  app.get("/health/live", { schema: { hide: true } }, () => ({ status: "ok" }));
  app.get(
    "/metrics",
    { schema: { hide: true } },
    metricsRoute(metrics, options.metricsToken, options.trustProxy !== undefined && options.trustProxy !== false),
  );
  await app.register(calendarFileRoutes);
  await serveWebApp(app, webAppDirectory);
  await app.register(
    async (api) => {
      await api.register(authRoutes, { sessionPolicy: options.sessionPolicy ?? defaultSessionPolicy });
      await api.register(organisationRoutes);
      await api.register(peopleRoutes);
      await api.register(geographyRoutes);
      await api.register(tagRoutes);
      await api.register(topicRoutes);
      await api.register(unitRoutes);
      await api.register(engagementRoutes);
      await api.register(programmeRoutes);
      await api.register(mechanismRoutes);
      await api.register(noteRoutes);
      await api.register(reportRoutes);
      await api.register(notificationRoutes);
      await api.register(taskRoutes);
      await api.register(giftRoutes);
      await api.register(calendarFeedRoutes);
      await api.register(nameRoutes);
      await api.register(registryRoutes);
      await api.register(systemRoutes);
      await api.register(importRoutes);
    },
    { prefix: "/api" },
  );
  return app;
}
