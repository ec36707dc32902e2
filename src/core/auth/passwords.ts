import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";
import { createRequire } from "node:module";
import type { FieldIssue } from "../shared/errors.ts";

// scrypt with N = 2^15, r = 8, p = 1: about 32 MiB and 50–100 ms per hash here.
const params = { N: 2 ** 15, r: 8, p: 1 };
const keyLength = 32;

/**
 * Hashes computed at once. scrypt runs on libuv's thread pool (four threads), which also reads
 * files (the web app's assets, attachments): a wave of sign-ins holding every thread would stall
 * those. Two at a time keep both cores busy and leave threads free; the rest wait their turn.
 */
const hashesAtOnce = 2;
let hashing = 0;
const waiting: Array<() => void> = [];

async function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  if (hashing >= hashesAtOnce) await new Promise<void>((resolve) => waiting.push(resolve));
  else hashing++;
  try {
    return await new Promise((resolve, reject) =>
      scrypt(password.normalize("NFKC"), salt, keyLength, { ...options, maxmem: 64 * 1024 * 1024 }, (error, key) =>
        error ? reject(error) : resolve(key),
      ),
    );
  } finally {
    // The turn passes to the next in line (the count stays), or is given back.
    const next = waiting.shift();
    if (next) next();
    else hashing--;
  }
}

/** Hashes a password as `scrypt$N$r$p$salt$hash` (base64url), so the parameters can change later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, params);
  return ["scrypt", params.N, params.r, params.p, salt.toString("base64url"), key.toString("base64url")].join("$");
}

/** Checks a password against a stored hash in constant time; false for anything malformed. */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const parts = (stored ?? "").split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") {
    // Spend the same time as a real check, so that unknown users cannot be told apart.
    await derive(password, Buffer.alloc(16), params);
    return false;
  }
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, "base64url");
  // Parameters scrypt refuses (a hash damaged by hand) are a wrong password, not a fault.
  const key = await derive(password, Buffer.from(salt, "base64url"), { N: Number(n), r: Number(r), p: Number(p) }).catch(() => null);
  return key !== null && key.length === expected.length && timingSafeEqual(key, expected);
}

let common: Set<string> | undefined;

/** The 49,233 most common passwords (zxcvbn-ts's list, MIT), loaded on first use. */
function commonPasswords(): Set<string> {
  if (!common) {
    const require = createRequire(import.meta.url);
    const { dictionary } = require("@zxcvbn-ts/language-common") as { dictionary: Record<string, string[]> };
    common = new Set((dictionary["passwords-common"] ?? []).map((p) => p.toLowerCase()));
  }
  return common;
}

/** What is wrong with a new password: 8 to 128 characters, not a common one, not the username. */
export function passwordIssues(password: string, username: string | null, path = "password"): FieldIssue[] {
  const length = [...password].length;
  if (length < 8) return [{ path, message: "Use at least 8 characters. / 密码至少 8 个字符。" }];
  if (length > 128) return [{ path, message: "Use at most 128 characters. / 密码最多 128 个字符。" }];
  if (commonPasswords().has(password.toLowerCase())) {
    return [{ path, message: "This password is among the most common ones; choose another. / 该密码过于常见。" }];
  }
  if (username && password.toLowerCase().includes(username.toLowerCase())) {
    return [{ path, message: "The password must not contain the username. / 密码不能包含用户名。" }];
  }
  return [];
}

/** A random password that passes the policy, for the first administrator. */
export function generatePassword(): string {
  return randomBytes(18).toString("base64url");
}
