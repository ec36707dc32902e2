import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Actor } from "../core/shared/actor.ts";
import { isLoopbackAddress, sameSecret } from "./local-caller.ts";

/**
 * The running server's control file in its data directory: its address and a secret that lets
 * the `liaison` command on the same machine ask it for a backup while it holds the embedded
 * database. Whoever can read the data directory can read the database itself, so the secret
 * gives nothing more; the file is the owner's alone (mode 600) and removed when the server stops.
 */
export const controlFileName = "liaison.control.json";

export interface ControlFile {
  pid: number;
  url: string;
  secret: string;
}

let control: { secret: Buffer; actor: Actor } | undefined;

/** Writes the control file and remembers whom its secret stands for (the built-in administrator). */
export function openControl(dataDir: string, url: string, actor: Actor): () => void {
  const secret = randomBytes(32).toString("base64url");
  const file = path.join(dataDir, controlFileName);
  // A new file of the owner's alone: one left behind (or planted as a link) is removed first.
  fs.rmSync(file, { force: true });
  const handle = fs.openSync(file, "wx", 0o600);
  try {
    fs.fchmodSync(handle, 0o600);
    fs.writeSync(handle, JSON.stringify({ pid: process.pid, url, secret } satisfies ControlFile));
  } finally {
    fs.closeSync(handle);
  }
  control = { secret: Buffer.from(secret), actor };
  return () => {
    control = undefined;
    fs.rmSync(file, { force: true });
  };
}

/** The actor a request's control secret stands for, if it carries the right one from this machine. */
export function controlActor(header: string | string[] | undefined, address: string): Actor | undefined {
  if (!control || typeof header !== "string") return undefined;
  if (!isLoopbackAddress(address)) return undefined;
  return sameSecret(header, control.secret) ? control.actor : undefined;
}

/** The control file of the server holding a data directory, if one is running. */
export function readControl(dataDir: string): ControlFile | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(dataDir, controlFileName), "utf8")) as ControlFile;
  } catch {
    return null;
  }
}
