import { createHash, createHmac, randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { AppError } from "../shared/errors.ts";

/** Where attachment bytes live: a folder under the data directory, or an S3-compatible bucket. */
export interface FileStore {
  readonly kind: "local" | "s3";
  put(key: string, data: Buffer, contentType: string): Promise<void>;
  /** Stores a file from disk (a staged upload) without reading it into memory where the store allows. */
  putFile(key: string, file: string, contentType: string): Promise<void>;
  get(key: string): Promise<Buffer>;
  remove(key: string): Promise<void>;
}

/** Files in a folder, written to a temporary name and renamed, so a crash never leaves half a file. */
export class LocalFileStore implements FileStore {
  readonly kind = "local" as const;
  constructor(readonly root: string) {}

  private pathOf(key: string): string {
    if (!/^[a-z0-9/._-]+$/.test(key) || key.includes("..")) throw new AppError("BAD_REQUEST", "Invalid storage key.");
    return path.join(this.root, key);
  }

  async put(key: string, data: Buffer): Promise<void> {
    const target = this.pathOf(key);
    await fs.mkdir(path.dirname(target), { recursive: true });
    const temporary = `${target}.${randomUUID()}.tmp`;
    const handle = await fs.open(temporary, "w");
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temporary, target);
  }

  async putFile(key: string, file: string): Promise<void> {
    const target = this.pathOf(key);
    await fs.mkdir(path.dirname(target), { recursive: true });
    const temporary = `${target}.${randomUUID()}.tmp`;
    await fs.copyFile(file, temporary);
    const handle = await fs.open(temporary, "r+");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temporary, target);
  }

  async get(key: string): Promise<Buffer> {
    try {
      return await fs.readFile(this.pathOf(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new AppError("NOT_FOUND", "The file is missing from storage.");
      throw error;
    }
  }

  async remove(key: string): Promise<void> {
    await fs.rm(this.pathOf(key), { force: true });
  }
}

export interface S3Options {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

const sha256Hex = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");
const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data).digest();

/**
 * The AWS Signature Version 4 Authorization header for one request (path-style URL).
 * Exported so that it can be checked against AWS's published example.
 */
export function signV4(input: {
  method: string;
  url: URL;
  headers: Record<string, string>;
  payloadHash: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  amzDate: string;
}): string {
  const headerNames = Object.keys(input.headers)
    .map((h) => h.toLowerCase())
    .sort();
  const lower = Object.fromEntries(Object.entries(input.headers).map(([k, v]) => [k.toLowerCase(), v.trim()]));
  const canonicalHeaders = headerNames.map((h) => `${h}:${lower[h]}\n`).join("");
  const signedHeaders = headerNames.join(";");
  const query = [...input.url.searchParams]
    .map(([k, v]) => [encodeURIComponent(k), encodeURIComponent(v)])
    .sort(([a], [b]) => ((a as string) < (b as string) ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const canonicalRequest = [input.method, input.url.pathname, query, canonicalHeaders, signedHeaders, input.payloadHash].join("\n");
  const day = input.amzDate.slice(0, 8);
  const scope = `${day}/${input.region}/s3/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", input.amzDate, scope, sha256Hex(canonicalRequest)].join("\n");
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${input.secretAccessKey}`, day), input.region), "s3"), "aws4_request");
  const signature = createHmac("sha256", signingKey).update(stringToSign).digest("hex");
  return `AWS4-HMAC-SHA256 Credential=${input.accessKeyId}/${scope},SignedHeaders=${signedHeaders},Signature=${signature}`;
}

/** Objects in an S3-compatible bucket (AWS, MinIO, Ceph…), addressed path-style. */
export class S3FileStore implements FileStore {
  readonly kind = "s3" as const;
  constructor(readonly options: S3Options) {}

  private async request(method: "PUT" | "GET" | "DELETE", key: string, body?: Buffer, contentType?: string): Promise<Response> {
    // The same rule as the local store's: a key never leaves the bucket (no "..", no escapes).
    if (!/^[a-z0-9/._-]+$/.test(key) || key.includes("..")) throw new AppError("BAD_REQUEST", "Invalid storage key.");
    const url = new URL(`${this.options.endpoint.replace(/\/$/, "")}/${this.options.bucket}/${key}`);
    const payloadHash = sha256Hex(body ?? "");
    const amzDate = `${new Date().toISOString().replace(/[-:]/g, "").slice(0, 15)}Z`;
    const headers: Record<string, string> = { host: url.host, "x-amz-content-sha256": payloadHash, "x-amz-date": amzDate };
    if (contentType) headers["content-type"] = contentType;
    const authorization = signV4({ method, url, headers, payloadHash, amzDate, ...this.options });
    const { host: _host, ...sent } = headers;
    try {
      return await fetch(url, { method, headers: { ...sent, authorization }, ...(body ? { body: new Uint8Array(body) } : {}) });
    } catch (error) {
      throw new AppError("FILE_STORE_UNAVAILABLE", `The file store at ${url.origin} cannot be reached.`, {
        cause: error instanceof Error ? error.message : String(error),
      });
    }
  }

  async put(key: string, data: Buffer, contentType: string): Promise<void> {
    const response = await this.request("PUT", key, data, contentType);
    if (!response.ok) throw new AppError("FILE_STORE_UNAVAILABLE", `The file store refused the upload (HTTP ${response.status}).`);
  }

  async putFile(key: string, file: string, contentType: string): Promise<void> {
    // Signing needs the payload's hash and length up front; an upload is at most the attachment limit.
    await this.put(key, await fs.readFile(file), contentType);
  }

  async get(key: string): Promise<Buffer> {
    const response = await this.request("GET", key);
    if (response.status === 404) throw new AppError("NOT_FOUND", "The file is missing from storage.");
    if (!response.ok) throw new AppError("FILE_STORE_UNAVAILABLE", `The file store refused the download (HTTP ${response.status}).`);
    return Buffer.from(await response.arrayBuffer());
  }

  async remove(key: string): Promise<void> {
    const response = await this.request("DELETE", key);
    if (!response.ok && response.status !== 404)
      throw new AppError("FILE_STORE_UNAVAILABLE", `The file store refused the removal (HTTP ${response.status}).`);
  }
}

let current: FileStore | undefined;

/** Sets the file store the services use (at start, and in tests). */
export function useFileStore(store: FileStore | undefined): void {
  current = store;
}

/** The file store in use. */
export function fileStore(): FileStore {
  if (!current) throw new AppError("INTERNAL", "No file store is configured.");
  return current;
}
