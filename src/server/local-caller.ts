import { timingSafeEqual } from "node:crypto";

const loopback = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

/** Whether a socket's remote address is this machine (IPv4, IPv6, or IPv4 written as IPv6). */
export function isLoopbackAddress(address: string | undefined): boolean {
  return loopback.has(address ?? "");
}

/** Whether a presented secret equals the expected one, compared in constant time. */
export function sameSecret(given: string, expected: Buffer): boolean {
  const bytes = Buffer.from(given);
  return bytes.length === expected.length && timingSafeEqual(bytes, expected);
}
