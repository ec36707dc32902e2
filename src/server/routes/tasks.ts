import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { idParam } from "../../core/shared/schema.ts";
import { assignee, assigneeQuery, taskCreateInput, taskListQuery, taskOutput, taskUpdateInput } from "../../core/tasks/schema.ts";
import { createTask, deleteTask, listAssignees, listTasks, updateTask } from "../../core/tasks/service.ts";
import { actorOf } from "../actor.ts";
import { errorResponses, noContent } from "./shared.ts";

const tags = ["Tasks"];

/** Follow-up tasks on engagements and partners: who does what by when. */
export const taskRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    "/tasks",
    {
      schema: {
        tags,
        summary: "Follow-up tasks you may read: yours, an engagement's, a partner's; open ones unless asked",
        querystring: taskListQuery,
        response: { 200: z.array(taskOutput), ...errorResponses },
      },
    },
    (request) => listTasks(actorOf(request), request.query),
  );
  app.post(
    "/tasks",
    {
      schema: {
        tags,
        summary: "Record a follow-up task on an engagement (its lead unit's) or a partner; its owner is told",
        body: taskCreateInput,
        response: { 201: taskOutput, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await createTask(actorOf(request), request.body)),
  );
  app.get(
    "/tasks/assignees",
    {
      schema: {
        tags,
        summary: "Who may be given a task of this engagement (or unit)",
        querystring: assigneeQuery,
        response: { 200: z.array(assignee), ...errorResponses },
      },
    },
    (request) => listAssignees(actorOf(request), request.query),
  );
  app.patch(
    "/tasks/:id",
    {
      schema: {
        tags,
        summary: "Change a task: done, dropped, another owner or due date",
        params: idParam,
        body: taskUpdateInput,
        response: { 200: taskOutput, ...errorResponses },
      },
    },
    (request) => updateTask(actorOf(request), request.params.id, request.body),
  );
  app.delete(
    "/tasks/:id",
    { schema: { tags, summary: "Remove a mistaken task", params: idParam, response: { ...noContent, ...errorResponses } } },
    async (request, reply) => {
      await deleteTask(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
};
