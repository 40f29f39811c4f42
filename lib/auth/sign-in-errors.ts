// The sign-in page's ?error= codes and what each tells the user. Browser-safe:
// shared by the sign-in page, its form and the server that sets the codes.

const TOO_MANY = "TooManyAttempts";

const PROVIDER_NAMES: Record<string, string> = { github: "GitHub", google: "Google" };

function notLinkedMessage(provider: string): string {
  return `An account with this email already exists and has a password: sign in with your password, then link ${provider} from Settings → Account.`;
}

/** "OAuthAccountNotLinked:github": the code that names the provider in its message. */
export function notLinkedCode(provider: string): string {
  return PROVIDER_NAMES[provider] ? `OAuthAccountNotLinked:${provider}` : "OAuthAccountNotLinked";
}

const messages: Record<string, string> = {
  CredentialsSignin: "That email and password don't match an account.",
  OAuthNoEmail: "Your provider did not share an email address.",
  OAuthEmailUnverified: "Your provider has not verified your email address. Verify it there, or sign in with your email and password.",
  OAuthAccountNotLinked: notLinkedMessage("GitHub or Google"),
  LinkNoSession: "Linking needs you signed in as the account that asked for it: sign in, then link from Settings → Account again.",
  LinkIntentExpired: "That link request is more than 10 minutes old. Start again from Settings → Account.",
  LinkIntentInvalid: "That link request could not be checked. Start again from Settings → Account.",
  LinkWrongProvider: "You came back from a different provider than the one you asked to link. Start again from Settings → Account.",
  OAuthLinkedElsewhere: "That provider account is already linked to another portal account. Sign in with it instead.",
  SessionRequired: "Sign in to continue.",
  AccountDisabled: "This account has been disabled by an administrator.",
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
  const notLinked = /^OAuthAccountNotLinked:(github|google)$/.exec(code);
  if (notLinked) return notLinkedMessage(PROVIDER_NAMES[notLinked[1]]);
  return messages[code] ?? "Sign-in failed. Try again.";
}
