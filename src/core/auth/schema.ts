import { z } from "zod";
import { roles } from "../shared/actor.ts";
import { id, text } from "../shared/schema.ts";

// Lengths are checked by the password policy, which gives the clearer message.
const password = z.string().max(1024);

export const loginInput = z.object({ username: z.string().trim().min(1).max(100), password: password.min(1) }).strict();
export const passwordChangeInput = z.object({ currentPassword: password.min(1), newPassword: password }).strict();
export const passwordSetInput = z.object({ password }).strict();
export const apiTokenCreateInput = z
  .object({
    name: text(200),
    unitId: id,
    role: z.enum(roles),
    expiresAt: z.iso.datetime({ offset: true }).nullish(),
  })
  .strict();

export const sessionOutput = z.object({
  user: z.object({ id: z.number(), username: z.string(), displayName: z.string() }),
  roles: z.array(z.object({ unitId: z.number(), role: z.string(), subunits: z.boolean() })),
  csrfToken: z.string().describe("Send it as the x-csrf-token header with every change made with this session."),
  expiresAt: z.string(),
});
export type SessionOutput = z.infer<typeof sessionOutput>;

export const apiTokenOutput = z.object({
  id: z.number(),
  name: z.string(),
  unitId: z.number(),
  role: z.string(),
  prefix: z.string().describe("The token's first characters, to recognise it."),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type ApiTokenOutput = z.infer<typeof apiTokenOutput>;
export const apiTokenCreated = apiTokenOutput.extend({ token: z.string().describe("Shown once: only its hash is kept.") });

export const locales = ["zh-CN", "en"] as const;
export const preferencesInput = z
  .object({
    locale: z.enum(locales).nullable().optional().describe("null: follow the browser"),
    email: z
      .email()
      .max(254)
      .nullable()
      .optional()
      .describe("Where notifications are mailed (when the server has an SMTP server); null: none."),
    emailNotifications: z.boolean().optional().describe("Whether notifications are mailed to you."),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { path: ["locale"], message: "Nothing to change." });
export const preferencesOutput = z.object({
  locale: z.enum(locales).nullable(),
  email: z.string().nullable(),
  emailNotifications: z.boolean(),
  mailConfigured: z.boolean().describe("Whether this server mails notifications at all."),
});
export type Preferences = z.output<typeof preferencesOutput>;

export const sessionListItem = z.object({
  id: z.number(),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  expiresAt: z.string(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  current: z.boolean().describe("The session this request came with."),
});
export type SessionListItem = z.infer<typeof sessionListItem>;
