import type { FastifyReply, FastifyRequest } from "fastify";
import { resolveApiToken, resolveSession, type SessionPolicy } from "../core/auth/service.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** How the request was authenticated: a session cookie (changes need the CSRF token) or an API token. */
    authKind: "session" | "token" | undefined;
  }
}

/** The session cookie's name. */
export const sessionCookie = "liaison_session";

/** Finds the actor of a request from its `Authorization: Bearer` API token or its session cookie. */
export async function authenticate(request: FastifyRequest, policy: SessionPolicy): Promise<void> {
  const authorization = request.headers.authorization;
  if (authorization?.startsWith("Bearer ")) {
    request.actor = await resolveApiToken(authorization.slice(7).trim());
    request.authKind = request.actor ? "token" : undefined;
    return;
  }
  const token = request.cookies[sessionCookie];
  if (!token) return;
  const session = await resolveSession(token, policy);
  request.actor = session?.actor;
  request.authKind = session ? "session" : undefined;
}

/** Sets the session cookie: HttpOnly, SameSite=Lax, Secure when the request came over TLS. */
export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string, expiresAt: Date): void {
  reply.setCookie(sessionCookie, token, {
    path: "/",
    httpOnly: true,
    sameSite: "lax",
    secure: request.protocol === "https",
    expires: expiresAt,
  });
}

/** Removes the session cookie. */
export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(sessionCookie, { path: "/" });
}

/** Where the request comes from, for sessions, rate limits and the audit. */
export function requestContext(request: FastifyRequest) {
  const agent = request.headers["user-agent"];
  return { ip: request.ip, userAgent: typeof agent === "string" ? agent : null };
}
