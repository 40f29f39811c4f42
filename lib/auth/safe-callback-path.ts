// Where to go after sign-in: a same-origin path only, so a crafted link cannot send people off-site. Browser-safe.

// C0/C1 controls and whitespace: browsers drop tabs and newlines inside URLs, so "/\t/evil.com" means "//evil.com".
const IGNORED = /[\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200f\u2028\u2029\u202f\u205f\u3000\ufeff]/g;

// A single "/" then anything but "/" or "\" (both start a host: "//evil.com", "/\evil.com"), or "/" alone.
const isLocalPath = (value: string) => value === "/" || /^\/[^/\\]/.test(value);

/** value when it is a same-origin path (also once percent-decoded), else "/". */
export function safeCallbackPath(value: unknown): string {
  if (typeof value !== "string") return "/";
  const stripped = value.replace(IGNORED, "");
  if (!isLocalPath(stripped)) return "/";
  // Decoding must not reveal a host either ("/%5Cevil.com", "/%2F%2Fevil.com", double-encoded too).
  let decoded = stripped;
  for (let i = 0; i < 5; i++) {
    let next: string;
    try {
      next = decodeURIComponent(decoded);
    } catch {
      return "/";
    }
    if (next === decoded) break;
    decoded = next;
    if (!isLocalPath(decoded.replace(IGNORED, ""))) return "/";
  }
  return stripped;
}
