// What every free-text field accepts, shared by the zod schemas of the forms,
// the portal API and the gateway. PostgreSQL refuses U+0000 in text (an
// unvalidated NUL became a 500), other control characters are invisible in
// the history and in e-mails, and a lone surrogate is not Unicode at all:
// the database would store U+FFFD and silently change what was sent.
import type { z } from "zod";

// Tab, line feed and carriage return stay allowed where text may span lines (prompts).
const CONTROL_MULTILINE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const CONTROL_SINGLE_LINE = /[\u0000-\u001F\u007F-\u009F]/;
// With the u flag a surrogate matches only when it is not half of a pair.
const LONE_SURROGATE = /\p{Cs}/u;

/** Why `value` is not acceptable text for `field`, or null when it is. */
export function textProblem(field: string, value: string, opts: { multiline?: boolean } = {}): string | null {
  if ((opts.multiline ? CONTROL_MULTILINE : CONTROL_SINGLE_LINE).test(value)) {
    return `${field} must not contain control characters${value.includes("\u0000") ? " (it has a NUL byte)" : ""}`;
  }
  if (LONE_SURROGATE.test(value)) return `${field} must be valid Unicode text (it has a lone surrogate)`;
  return null;
}

/** A zod superRefine that adds textProblem's message as an issue on the field. */
export function plainText(field: string, opts: { multiline?: boolean } = {}) {
  return (value: string, ctx: z.RefinementCtx<string>) => {
    const problem = textProblem(field, value, opts);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  };
}
