import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import {
  apiTokenCreated,
  apiTokenCreateInput,
  apiTokenOutput,
  loginInput,
  passwordChangeInput,
  passwordSetInput,
  preferencesInput,
  preferencesOutput,
  sessionListItem,
  sessionOutput,
} from "../../core/auth/schema.ts";
import {
  changePassword,
  createApiToken,
  endAllSessions,
  endSession,
  getPreferences,
  listApiTokens,
  listSessions,
  login,
  logout,
  resolveSession,
  revokeApiToken,
  type SessionPolicy,
  setPreferences,
  setUserPassword,
} from "../../core/auth/service.ts";
import type { Actor } from "../../core/shared/actor.ts";
import { AppError } from "../../core/shared/errors.ts";
import { idParam } from "../../core/shared/schema.ts";
import { actorOf } from "../actor.ts";
import { clearSessionCookie, requestContext, sessionCookie, setSessionCookie } from "../auth.ts";
import { errorResponses, errorSchema, noContent } from "./shared.ts";

const tags = ["Sign-in"];

/** What the client learns of its session: who, with which roles, the CSRF token, until when. */
function sessionBody(session: { actor: Actor; displayName: string; expiresAt: Date }, csrfToken: string) {
  return {
    user: { id: session.actor.userId, username: session.actor.username, displayName: session.displayName },
    roles: session.actor.roles.map((r) => ({ unitId: r.unitId, role: r.role, subunits: r.subunits !== false })),
    csrfToken,
    expiresAt: session.expiresAt.toISOString(),
  };
}

/** Sign-in, sessions, passwords and API tokens. */
export const authRoutes: FastifyPluginAsyncZod<{ sessionPolicy: SessionPolicy }> = async (app, { sessionPolicy }) => {
  app.post(
    "/auth/login",
    {
      schema: {
        tags,
        summary: "Sign in: sets the session cookie and returns the CSRF token",
        body: loginInput,
        response: { 200: sessionOutput, ...errorResponses, 429: errorSchema },
      },
    },
    async (request, reply) => {
      const session = await login(request.body, requestContext(request), {
        previousToken: request.cookies[sessionCookie],
        policy: sessionPolicy,
      });
      setSessionCookie(request, reply, session.token, session.expiresAt);
      return sessionBody(session, reply.generateCsrf());
    },
  );
  app.get(
    "/auth/session",
    { schema: { tags, summary: "The signed-in user, roles and a CSRF token", response: { 200: sessionOutput, ...errorResponses } } },
    async (request, reply) => {
      const token = request.cookies[sessionCookie];
      const session = token ? await resolveSession(token, sessionPolicy) : undefined;
      if (!session) throw new AppError("UNAUTHENTICATED", "Sign in first.");
      return sessionBody(session, reply.generateCsrf());
    },
  );
  app.post(
    "/auth/logout",
    { schema: { tags, summary: "Sign out: ends this session", response: { ...noContent, ...errorResponses } } },
    async (request, reply) => {
      const token = request.cookies[sessionCookie];
      if (token) await logout(actorOf(request), token);
      clearSessionCookie(reply);
      return reply.status(204).send(null);
    },
  );
  app.post(
    "/auth/password",
    {
      schema: {
        tags,
        summary: "Change your password: every session of yours ends, this one is renewed",
        body: passwordChangeInput,
        response: { ...noContent, ...errorResponses },
      },
    },
    async (request, reply) => {
      const session = await changePassword(actorOf(request), request.body, requestContext(request), sessionPolicy);
      setSessionCookie(request, reply, session.token, session.expiresAt);
      return reply.status(204).send(null);
    },
  );
  app.post(
    "/users/:id/password",
    {
      schema: {
        tags,
        summary: "Set a user's password (administrators); their sessions end",
        params: idParam,
        body: passwordSetInput,
        response: { ...noContent, ...errorResponses },
      },
    },
    async (request, reply) => {
      await setUserPassword(actorOf(request), request.params.id, request.body);
      return reply.status(204).send(null);
    },
  );
  app.get(
    "/auth/preferences",
    { schema: { tags, summary: "Your preferences (the web app's language)", response: { 200: preferencesOutput, ...errorResponses } } },
    (request) => getPreferences(actorOf(request)),
  );
  app.put(
    "/auth/preferences",
    {
      schema: {
        tags,
        summary: "Keep your language for every browser you sign in from",
        body: preferencesInput,
        response: { 200: preferencesOutput, ...errorResponses },
      },
    },
    (request) => setPreferences(actorOf(request), request.body),
  );
  app.get(
    "/auth/sessions",
    {
      schema: {
        tags,
        summary: "Your open sessions (browsers signed in as you)",
        response: { 200: z.array(sessionListItem), ...errorResponses },
      },
    },
    (request) => listSessions(actorOf(request), sessionPolicy),
  );
  app.delete(
    "/auth/sessions/:id",
    { schema: { tags, summary: "End one of your sessions", params: idParam, response: { ...noContent, ...errorResponses } } },
    async (request, reply) => {
      await endSession(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
  app.delete(
    "/auth/sessions",
    {
      schema: {
        tags,
        summary: "Sign out everywhere: every session of yours ends, this one too",
        response: { 200: z.object({ ended: z.number() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const result = await endAllSessions(actorOf(request));
      clearSessionCookie(reply);
      return result;
    },
  );
  app.get(
    "/auth/tokens",
    { schema: { tags, summary: "Your API tokens (administrators: all)", response: { 200: z.array(apiTokenOutput), ...errorResponses } } },
    (request) => listApiTokens(actorOf(request)),
  );
  app.post(
    "/auth/tokens",
    {
      schema: {
        tags,
        summary: "Create an API token for one unit and role; the token is shown once",
        body: apiTokenCreateInput,
        response: { 201: apiTokenCreated, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await createApiToken(actorOf(request), request.body)),
  );
  app.delete(
    "/auth/tokens/:id",
    { schema: { tags, summary: "Revoke an API token", params: idParam, response: { ...noContent, ...errorResponses } } },
    async (request, reply) => {
      await revokeApiToken(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
};
