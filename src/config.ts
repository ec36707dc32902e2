import path from "node:path";
import { z } from "zod";
import type { S3Options } from "./core/files/storage.ts";
import type { MailSettings } from "./core/notifications/mail-settings.ts";
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
  LIAISON_WRITE_RATE_LIMIT: z.coerce.number().int().min(1).max(10_000_000).default(1200),
  LIAISON_TRUST_PROXY: z
    .string()
    .trim()
    .default("0")
    .refine(
      (v) => /^\d{1,2}$/.test(v) || v.split(",").every((a) => /^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(a.trim())),
      "LIAISON_TRUST_PROXY is 0, a number of proxy hops (1 for one proxy in front), or a comma-separated list of proxy addresses or CIDR ranges",
    ),
  LIAISON_S3_ENDPOINT: z
    .url()
    .optional()
    .or(z.literal("").transform(() => undefined)),
  LIAISON_S3_BUCKET: z.string().optional(),
  LIAISON_S3_REGION: z.string().default("us-east-1"),
  LIAISON_S3_ACCESS_KEY_ID: z.string().optional(),
  LIAISON_S3_SECRET_ACCESS_KEY: z.string().optional(),
  LIAISON_SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^\s]+$/, "LIAISON_SMTP_URL must look like smtp://user:password@host:587 or smtps://host:465")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  LIAISON_SMTP_FROM: z.string().min(3).max(320).optional(),
  LIAISON_PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: "LIAISON_PUBLIC_URL must be the web app's address, e.g. https://liaison.example.org" })
    .optional()
    .or(z.literal("").transform(() => undefined)),
  LIAISON_BACKUP_DIR: z.string().min(1).optional(),
  LIAISON_BACKUP_EVERY: z
    .string()
    .regex(/^\d+(m|h|d)$/, "LIAISON_BACKUP_EVERY is a number and a unit: 30m, 6h, 1d")
    .default("24h"),
  LIAISON_BACKUP_KEEP: z.coerce.number().int().min(1).max(1000).default(7),
  LIAISON_LOG_LEVEL: z.enum(["error", "warn", "info"], { error: "LIAISON_LOG_LEVEL is error, warn or info" }).default("info"),
  LIAISON_METRICS_TOKEN: z.string().min(16, "LIAISON_METRICS_TOKEN must be at least 16 characters").optional(),
  DATABASE_REPLICA_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "DATABASE_REPLICA_URL must be a postgres:// URL")
    .optional(),
  LIAISON_DB_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(10),
  LIAISON_DB_PREPARED_STATEMENTS: z.enum(["0", "1"]).default("1"),
});

/** A period as the configuration writes it (30m, 6h, 1d), in milliseconds. */
function periodMs(value: string): number {
  const amount = Number.parseInt(value, 10);
  const unit = value.at(-1);
  return amount * (unit === "m" ? 60_000 : unit === "h" ? 3_600_000 : 86_400_000);
}

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
  /**
   * Which proxies' X-Forwarded-* headers to believe (the client address for rate limits and the
   * audit, the protocol for Secure cookies): none (false), the nearest N hops, or these addresses.
   */
  trustProxy: TrustProxy;
  /** Changes accepted per client address and minute (LIAISON_WRITE_RATE_LIMIT). */
  writeRateLimit: number;
  /** An S3-compatible bucket for attachments; the data directory's files/ folder when absent. */
  s3: S3Options | undefined;
  /** Notifications by mail through an SMTP server (LIAISON_SMTP_URL, LIAISON_SMTP_FROM); none when absent. */
  mail: MailSettings | undefined;
  /** Scheduled backups into a folder (LIAISON_BACKUP_DIR), every so often, keeping the last few; none when absent. */
  backup: { dir: string; everyMs: number; keep: number } | undefined;
  /** JSON log lines at this level and above; "info" logs every request (LIAISON_LOG_LEVEL). */
  logLevel: "error" | "warn" | "info";
  /** The bearer token for /metrics from other machines (LIAISON_METRICS_TOKEN); this machine only when absent. */
  metricsToken: string | undefined;
  /** A streaming replica for reports, counts and search lists (DATABASE_REPLICA_URL); needs DATABASE_URL. */
  replicaUrl: string | undefined;
  /** Connections to PostgreSQL per process (LIAISON_DB_POOL_SIZE); the embedded engine has one. */
  poolSize: number;
  /** Named prepared statements (LIAISON_DB_PREPARED_STATEMENTS=0 behind PgBouncer in transaction mode). */
  preparedStatements: boolean;
}

/** Whom to believe about the client: nobody, the nearest N proxies, or listed proxy addresses. */
export type TrustProxy = false | number | string[];

function parseTrustProxy(value: string): TrustProxy {
  if (/^\d+$/.test(value)) return Number(value) === 0 ? false : Number(value);
  return value.split(",").map((a) => a.trim());
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
  if (e.LIAISON_SMTP_URL && !e.LIAISON_SMTP_FROM) {
    throw new AppError(
      "VALIDATION_FAILED",
      'Configuration: LIAISON_SMTP_URL needs LIAISON_SMTP_FROM (the sender, e.g. "Liaison <liaison@example.org>").',
    );
  }
  const mail = e.LIAISON_SMTP_URL
    ? { url: e.LIAISON_SMTP_URL, from: e.LIAISON_SMTP_FROM as string, publicUrl: e.LIAISON_PUBLIC_URL ?? null }
    : undefined;
  if (e.DATABASE_REPLICA_URL && !e.DATABASE_URL)
    throw new AppError(
      "VALIDATION_FAILED",
      "Configuration: DATABASE_REPLICA_URL is a replica of the server in DATABASE_URL, which is not set.",
    );
  const backupEvery = periodMs(e.LIAISON_BACKUP_EVERY);
  // Node's timers hold at most 24.8 days; a longer period would fire at once, again and again.
  if (e.LIAISON_BACKUP_DIR && (backupEvery < 60_000 || backupEvery > 24 * 86_400_000))
    throw new AppError("VALIDATION_FAILED", "Configuration: LIAISON_BACKUP_EVERY must be between 1m and 24d.");
  return {
    mail,
    backup: e.LIAISON_BACKUP_DIR
      ? { dir: path.resolve(e.LIAISON_BACKUP_DIR), everyMs: backupEvery, keep: e.LIAISON_BACKUP_KEEP }
      : undefined,
    demo: e.LIAISON_DEMO === "1",
    adminPassword: e.LIAISON_ADMIN_PASSWORD,
    session: { idleMinutes: e.LIAISON_SESSION_IDLE_MINUTES, maxHours: e.LIAISON_SESSION_MAX_HOURS },
    trustProxy: parseTrustProxy(e.LIAISON_TRUST_PROXY),
    writeRateLimit: e.LIAISON_WRITE_RATE_LIMIT,
    logLevel: e.LIAISON_LOG_LEVEL,
    metricsToken: e.LIAISON_METRICS_TOKEN,
    poolSize: e.LIAISON_DB_POOL_SIZE,
    replicaUrl: e.DATABASE_REPLICA_URL,
    preparedStatements: e.LIAISON_DB_PREPARED_STATEMENTS === "1",
    s3,
    port: parsed.data.PORT,
    host: parsed.data.HOST,
    dataDir: path.resolve(parsed.data.LIAISON_DATA_DIR),
    databaseUrl: parsed.data.DATABASE_URL,
    skipReference: parsed.data.LIAISON_SKIP_REFERENCE === "1",
  };
}
