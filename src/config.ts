import path from "node:path";
import { z } from "zod";
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
});

/** Liaison's configuration, read from the environment (see README). */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  skipReference: boolean;
}

/** Reads and checks the configuration; a bad value is a clear error, not a crash later. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = environment.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError("VALIDATION_FAILED", `Configuration: ${issue?.path.join(".")}: ${issue?.message}`);
  }
  return {
    port: parsed.data.PORT,
    host: parsed.data.HOST,
    dataDir: path.resolve(parsed.data.LIAISON_DATA_DIR),
    databaseUrl: parsed.data.DATABASE_URL,
    skipReference: parsed.data.LIAISON_SKIP_REFERENCE === "1",
  };
}
