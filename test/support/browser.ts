import type { FastifyInstance } from "fastify";

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** A browser for `app.inject`: keeps the cookies the server sets and sends them back, with the CSRF token. */
export class Browser {
  cookies = new Map<string, string>();
  csrf = "";
  constructor(
    readonly app: FastifyInstance,
    readonly headers: Record<string, string> = {},
  ) {}

  /** One request; `payload` is JSON unless it is a Buffer (an upload, with its Content-Type in `extra`). */
  async call(method: Method, url: string, payload?: object | Buffer, extra: Record<string, string> = {}) {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const response = await this.app.inject({
      method,
      url,
      ...(payload ? { payload } : {}),
      headers: { ...this.headers, ...(cookie ? { cookie } : {}), ...(this.csrf ? { "x-csrf-token": this.csrf } : {}), ...extra },
    });
    for (const c of response.cookies as Array<{ name: string; value: string }>) {
      if (c.value) this.cookies.set(c.name, c.value);
      else this.cookies.delete(c.name);
    }
    return response;
  }

  /** Signs in; on success keeps the session cookie and the CSRF token. */
  async login(username: string, password: string) {
    const response = await this.call("POST", "/api/auth/login", { username, password });
    if (response.statusCode === 200) this.csrf = response.json().csrfToken;
    return response;
  }
}
