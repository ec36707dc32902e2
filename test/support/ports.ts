import net from "node:net";

/** A loopback port nothing listens on now, as the system hands one out (for a server a test or the benchmark starts). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === "string") throw new Error("No loopback port was handed out.");
  return address.port;
}
