// The sign-in page's ?error= codes and what each tells the user. Browser-safe:
// shared by the sign-in page, its form and the server that sets the codes.

const TOO_MANY = "TooManyAttempts";

const messages: Record<string, string> = {
  CredentialsSignin: "That email and password don't match an account.",
  OAuthNoEmail: "Your provider did not share an email address.",
  OAuthEmailUnverified: "Your provider has not verified your email address. Verify it there, or sign in with your email and password.",
  OAuthAccountNotLinked: "An account with this email already exists and has a password: sign in with your email and password instead.",
  SessionRequired: "Sign in to continue.",
};

/** The code next-auth carries to the page when sign-in is throttled: "TooManyAttempts:42". */
export function tooManyAttemptsCode(retryAfterSeconds: number): string {
  return `${TOO_MANY}:${Math.max(1, Math.ceil(retryAfterSeconds))}`;
}

/** Seconds to wait when code is a throttling code, else null. */
export function retryAfterOf(code: string | null | undefined): number | null {
  const m = code ? /^TooManyAttempts:(\d{1,9})$/.exec(code) : null;
  return m ? Number(m[1]) : null;
}

export function tooManyAttemptsMessage(seconds: number): string {
  return `Too many attempts, try again in ${seconds} ${seconds === 1 ? "second" : "seconds"}.`;
}

/** What to show for an error code; unknown codes get a generic line (never the raw code). */
export function signInErrorMessage(code: string): string {
  const wait = retryAfterOf(code);
  if (wait !== null) return tooManyAttemptsMessage(wait);
  return messages[code] ?? "Sign-in failed. Try again.";
}
