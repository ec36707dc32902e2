import path from "node:path";
import { z } from "zod";
import type { S3Options } from "./core/files/storage.ts";
import { AppError } from "./core/shared/errors.ts";

const environment = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default("127.0.0.1"),
  LIAISON_DATA_DIR: z.string().min(1).default("./liaison-data"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "DATABASE_URL must start with postgres:// or postgresql://")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  LIAISON_SKIP_REFERENCE: z.enum(["0", "1"]).default("0"),
  LIAISON_DEMO: z.enum(["0", "1"]).default("1"),
  LIAISON_ADMIN_PASSWORD: z.string().min(1).optional(),
  LIAISON_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(10_080).default(120),
  LIAISON_SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(720).default(12),
  LIAISON_TRUST_PROXY: z.enum(["0", "1"]).default("0"),
  LIAISON_S3_ENDPOINT: z
    .url()
    .optional()
    .or(z.literal("").transform(() => undefined)),
  LIAISON_S3_BUCKET: z.string().optional(),
  LIAISON_S3_REGION: z.string().default("us-east-1"),
  LIAISON_S3_ACCESS_KEY_ID: z.string().optional(),
  LIAISON_S3_SECRET_ACCESS_KEY: z.string().optional(),
});

/** Liaison's configuration, read from the environment (see README). */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  skipReference: boolean;
  /** Load the demo data on first start (LIAISON_DEMO=1, the default). */
  demo: boolean;
  /** The first administrator's password; a random one is printed once when absent. */
  adminPassword: string | undefined;
  session: { idleMinutes: number; maxHours: number };
  /** Behind a TLS-terminating proxy (X-Forwarded-Proto decides whether cookies are Secure). */
  trustProxy: boolean;
  /** An S3-compatible bucket for attachments; the data directory's files/ folder when absent. */
  s3: S3Options | undefined;
}

/** Reads and checks the configuration; a bad value is a clear error, not a crash later. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = environment.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError("VALIDATION_FAILED", `Configuration: ${issue?.path.join(".")}: ${issue?.message}`);
  }
  const e = parsed.data;
  let s3: S3Options | undefined;
  if (e.LIAISON_S3_ENDPOINT) {
    if (!e.LIAISON_S3_BUCKET || !e.LIAISON_S3_ACCESS_KEY_ID || !e.LIAISON_S3_SECRET_ACCESS_KEY) {
      throw new AppError(
        "VALIDATION_FAILED",
        "Configuration: LIAISON_S3_ENDPOINT needs LIAISON_S3_BUCKET, LIAISON_S3_ACCESS_KEY_ID and LIAISON_S3_SECRET_ACCESS_KEY.",
      );
    }
    s3 = {
      endpoint: e.LIAISON_S3_ENDPOINT,
      bucket: e.LIAISON_S3_BUCKET,
      region: e.LIAISON_S3_REGION,
      accessKeyId: e.LIAISON_S3_ACCESS_KEY_ID,
      secretAccessKey: e.LIAISON_S3_SECRET_ACCESS_KEY,
    };
  }
  return {
    demo: e.LIAISON_DEMO === "1",
    adminPassword: e.LIAISON_ADMIN_PASSWORD,
    session: { idleMinutes: e.LIAISON_SESSION_IDLE_MINUTES, maxHours: e.LIAISON_SESSION_MAX_HOURS },
    trustProxy: e.LIAISON_TRUST_PROXY === "1",
    s3,
    port: parsed.data.PORT,
    host: parsed.data.HOST,
    dataDir: path.resolve(parsed.data.LIAISON_DATA_DIR),
    databaseUrl: parsed.data.DATABASE_URL,
    skipReference: parsed.data.LIAISON_SKIP_REFERENCE === "1",
  };
}
