/** The error every API call rejects with: the server's typed code, its message and field issues. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Array<{ path: string; message: string }> = [],
    /** The server's reason in both languages, where it gives one (a file that cannot be read, and why). */
    readonly reason: { zh: string; en: string } | null = null,
  ) {
    super(message);
  }
}

let csrfToken = "";

/** Remembers the CSRF token that sign-in and the session answer hand out. */
export function setCsrfToken(token: string): void {
  csrfToken = token;
}

/** Calls the API as the signed-in user: JSON in and out, the CSRF token on every change. */
export async function api<T>(path: string, init: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  const method = init.method ?? "GET";
  const headers: Record<string, string> = { accept: "application/json" };
  if (init.body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET" && csrfToken) headers["x-csrf-token"] = csrfToken;
  let response: Response;
  try {
    response = await fetch(`/api${path}`, {
      method,
      headers,
      credentials: "same-origin",
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      ...(init.signal ? { signal: init.signal } : {}),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError(0, "NETWORK", "The server cannot be reached.");
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) throw errorFrom(response, body);
  return body as T;
}

/** The API's error from a response that is not OK. */
async function errorOf(response: Response): Promise<ApiError> {
  const text = await response.text();
  try {
    return errorFrom(response, text ? JSON.parse(text) : null);
  } catch {
    return errorFrom(response, null);
  }
}

/** The API's error from a reply's body (`{code, message, details}`), whatever of it there is. */
function errorFrom(response: Response, body: unknown): ApiError {
  const e = (body ?? {}) as {
    code?: string;
    message?: string;
    details?: { fields?: Array<{ path: string; message: string }>; reason?: { zh?: unknown; en?: unknown } };
  };
  const reason = e.details?.reason;
  const both = reason && typeof reason.zh === "string" && typeof reason.en === "string" ? { zh: reason.zh, en: reason.en } : null;
  return new ApiError(response.status, e.code ?? "INTERNAL", e.message ?? response.statusText, e.details?.fields ?? [], both);
}

/** Sends a file as the body (an upload: no multipart), with the CSRF token; JSON back. */
export async function apiUpload<T>(path: string, file: Blob, contentType: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`/api${path}`, {
      method: "POST",
      headers: { accept: "application/json", "content-type": contentType, ...(csrfToken ? { "x-csrf-token": csrfToken } : {}) },
      credentials: "same-origin",
      body: file,
    });
  } catch {
    throw new ApiError(0, "NETWORK", "The server cannot be reached.");
  }
  if (!response.ok) throw await errorOf(response);
  return (await response.json()) as T;
}

/** Posts JSON and saves the file that comes back (a spreadsheet made on the server). */
export async function apiDownload(path: string, body: unknown, fileName: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(`/api${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(csrfToken ? { "x-csrf-token": csrfToken } : {}) },
      credentials: "same-origin",
      body: JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "NETWORK", "The server cannot be reached.");
  }
  if (!response.ok) throw await errorOf(response);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A query string from a record, leaving out empty values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") search.set(k, String(v));
  const s = search.toString();
  return s ? `?${s}` : "";
}
