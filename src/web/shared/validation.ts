import type { TFunction } from "i18next";
import type { z } from "zod";

/** Field messages keyed by dotted path. */
export type FieldErrors = Record<string, string>;

/**
 * Validates a form's value with the same zod schema the server uses, and says what is wrong
 * with each field in the reader's language (by the kind of problem, not zod's English text).
 */
export function validate<T extends z.ZodType>(schema: T, value: unknown, t: TFunction): { data?: z.output<T>; errors: FieldErrors } {
  const result = schema.safeParse(value);
  if (result.success) return { data: result.data, errors: {} };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const path = issue.path.map(String).join(".") || "(root)";
    if (errors[path]) continue;
    errors[path] = describeIssue(issue, t);
  }
  return { errors };
}

function describeIssue(issue: z.core.$ZodIssue, t: TFunction): string {
  switch (issue.code) {
    case "too_small":
      return issue.origin === "string" && Number(issue.minimum) <= 1
        ? t("validation.required")
        : issue.origin === "array"
          ? t("validation.atLeastItems", { count: Number(issue.minimum) })
          : t("validation.tooSmall", { minimum: String(issue.minimum) });
    case "too_big":
      return issue.origin === "string"
        ? t("validation.tooLong", { maximum: String(issue.maximum) })
        : t("validation.tooBig", { maximum: String(issue.maximum) });
    case "invalid_format":
      return issue.format === "date" ? t("validation.date") : issue.format === "url" ? t("validation.url") : t("validation.format");
    case "invalid_value":
      return t("validation.choose");
    case "invalid_type":
      return issue.input === undefined || issue.input === null || issue.input === "" ? t("validation.required") : t("validation.type");
    case "custom": {
      // A rule of our own says what it wants in both languages ("English. / 中文。"): the reader's half.
      const [en, zh] = issue.message.split(" / ");
      if (zh) return t("validation.ownRule", { en, zh });
      return t("validation.check");
    }
    default:
      return t("validation.check");
  }
}

/** The server's field problems, shown beside the fields: in the reader's language where its kind is known. */
export function serverFieldErrors(fields: Array<{ path: string; message: string }>, t: TFunction): FieldErrors {
  const errors: FieldErrors = {};
  for (const f of fields) errors[f.path] ??= t("validation.server", { message: f.message });
  return errors;
}
