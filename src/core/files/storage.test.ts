import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { S3FileStore, signV4 } from "./storage.ts";

describe("the S3-compatible file store", () => {
  it("signs requests as AWS's published Signature Version 4 example does", () => {
    // docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html, "GET Object".
    const authorization = signV4({
      method: "GET",
      url: new URL("https://examplebucket.s3.amazonaws.com/test.txt"),
      headers: {
        host: "examplebucket.s3.amazonaws.com",
        range: "bytes=0-9",
        "x-amz-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "x-amz-date": "20130524T000000Z",
      },
      payloadHash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      region: "us-east-1",
      accessKeyId: "AKIAIOSFODNN7EXAMPLE",
      secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      amzDate: "20130524T000000Z",
    });
    expect(authorization).toBe(
      "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
    );
  });

  it("puts, gets and removes objects path-style, and reports an unreachable store clearly", async () => {
    const objects = new Map<string, Buffer>();
    const seen: string[] = [];
    const server = createServer((request, response) => {
      seen.push(`${request.method} ${request.url} ${String(request.headers.authorization).slice(0, 16)}`);
      const chunks: Buffer[] = [];
      request.on("data", (c: Buffer) => chunks.push(c));
      request.on("end", () => {
        const key = request.url ?? "";
        if (request.method === "PUT") objects.set(key, Buffer.concat(chunks));
        if (request.method === "DELETE") objects.delete(key);
        if (request.method === "GET" && !objects.has(key)) response.statusCode = 404;
        response.end(request.method === "GET" ? objects.get(key) : undefined);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    const store = new S3FileStore({
      endpoint: `http://127.0.0.1:${port}`,
      bucket: "liaison",
      region: "us-east-1",
      accessKeyId: "k",
      secretAccessKey: "s",
    });
    try {
      await store.put("attachments/ab/abc", Buffer.from("hello"), "text/plain");
      expect((await store.get("attachments/ab/abc")).toString()).toBe("hello");
      await store.remove("attachments/ab/abc");
      await expect(store.get("attachments/ab/abc")).rejects.toMatchObject({ code: "NOT_FOUND" });
      expect(seen[0]).toBe("PUT /liaison/attachments/ab/abc AWS4-HMAC-SHA256");
    } finally {
      server.close();
    }
    const gone = new S3FileStore({
      endpoint: `http://127.0.0.1:${port}`,
      bucket: "b",
      region: "r",
      accessKeyId: "k",
      secretAccessKey: "s",
    });
    await expect(gone.get("x")).rejects.toMatchObject({ code: "FILE_STORE_UNAVAILABLE" });
  });
});
