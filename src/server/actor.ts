import type { FastifyRequest } from "fastify";
import type { Actor } from "../core/shared/actor.ts";
import { AppError } from "../core/shared/errors.ts";

declare module "fastify" {
  interface FastifyRequest {
    actor: Actor | undefined;
  }
}

/** The actor of a request; every route passes it to the service it calls. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new AppError("UNAUTHENTICATED", "Sign in first.");
  return request.actor;
}
