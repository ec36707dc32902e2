/** Every error Liaison reports on purpose carries one of these codes. */
export const errorCodes = {
  // A merged record: the reply points at the record that absorbed it.
  MOVED_PERMANENTLY: 301,
  VALIDATION_FAILED: 400,
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  // A backup archive that is truncated, altered or not ours: refused before anything changes.
  BAD_ARCHIVE: 422,
  RATE_LIMITED: 429,
  STORAGE_FULL: 507,
  DATA_DIR_LOCKED: 503,
  DATABASE_UNAVAILABLE: 503,
  FILE_STORE_UNAVAILABLE: 503,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof errorCodes;

/** A field-level problem with the input, addressed by its path, e.g. `names.0.value`. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** An error with a typed code; the server maps the code to an HTTP status in one place. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: { fields?: FieldIssue[]; [key: string]: unknown } = {},
  ) {
    super(message);
    this.name = "AppError";
  }
}

/** Shorthand for the "record does not exist or is outside your scope" error. */
export function notFound(entity: string, id: unknown): AppError {
  return new AppError("NOT_FOUND", `No ${entity} with id ${String(id)}.`, { entity, id });
}

/** A reason given in both languages, for a user to read as it is (a file that cannot be read, and why). */
export interface BilingualReason {
  zh: string;
  en: string;
}

/** Input refused with a reason in both languages: the web shows the reader's, the API carries both. */
export function refused(reason: BilingualReason, path = "file"): AppError {
  return new AppError("VALIDATION_FAILED", reason.en, { fields: [{ path, message: reason.en }], reason });
}

/** Shorthand for a single invalid field. */
export function invalidField(path: string, message: string): AppError {
  return new AppError("VALIDATION_FAILED", message, { fields: [{ path, message }] });
}
