// The official API's bearer JWT as the emulator checks it: HS256, iss = an
// access key, exp in the future, nbf at most 5 s ahead. With key pairs
// configured the signature must match the issuer's secret key.
import { compactVerify, decodeJwt, decodeProtectedHeader } from "jose";
import type { OfficialKeyPair } from "./options";

export type AuthFailure = { code: 1001 | 1002 | 1004; message: string };

const NBF_LEEWAY_S = 5;

/** null when the Authorization header carries an acceptable token, else the official error code and message. */
export async function checkOfficialToken(authorization: string | undefined, keys: OfficialKeyPair[], now = Date.now()): Promise<AuthFailure | null> {
  const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "")?.[1];
  if (!token) return { code: 1001, message: "Authorization is empty" };
  let iss: unknown, exp: unknown, nbf: unknown;
  try {
    if (decodeProtectedHeader(token).alg !== "HS256") return { code: 1002, message: "Authorization is invalid: alg must be HS256" };
    ({ iss, exp, nbf } = decodeJwt(token));
  } catch {
    return { code: 1002, message: "Authorization is invalid: not a JWT" };
  }
  if (typeof iss !== "string" || !iss) return { code: 1002, message: "Authorization is invalid: iss is missing" };
  if (keys.length) {
    const pair = keys.find((k) => k.accessKey === iss);
    if (!pair) return { code: 1002, message: "Authorization is invalid: unknown access key" };
    try {
      await compactVerify(token, new TextEncoder().encode(pair.secretKey), { algorithms: ["HS256"] });
    } catch {
      return { code: 1002, message: "Authorization is invalid: signature does not match" };
    }
  }
  const t = now / 1000;
  if (typeof exp !== "number") return { code: 1002, message: "Authorization is invalid: exp is missing" };
  if (exp <= t) return { code: 1004, message: "Authorization is expired" };
  if (typeof nbf === "number" && nbf > t + NBF_LEEWAY_S) return { code: 1002, message: "Authorization is not yet valid" };
  return null;
}
