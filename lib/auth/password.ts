// Passwords are hashed with Argon2id (OWASP's first choice), never stored plain.
import { hash, verify } from "@node-rs/argon2";

export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

// A fixed hash to verify against when the user does not exist, so a wrong email
// and a wrong password take the same time.
const decoy = "$argon2id$v=19$m=19456,t=2,p=1$OGJM03rY7vychABex1hYJg$pwPzSVMemgHLuilKWCb7/8+S8+feKhVLNmVlpFTKhvk";

export async function verifyPassword(storedHash: string | null | undefined, password: string): Promise<boolean> {
  try {
    const ok = await verify(storedHash ?? decoy, password);
    return ok && !!storedHash;
  } catch {
    return false;
  }
}
