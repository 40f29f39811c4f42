// Image links handed to API callers: signed with a key derived from the auth
// secret, so they need no session and stay valid as long as the image is kept
// (upstream URLs expire; ours do not). Deleting the task revokes them.
import { createHmac, timingSafeEqual } from "node:crypto";
import { getAuthSecret } from "../auth/secret";
import { getConfig } from "../config";

const sign = (taskId: string, index: number) =>
  createHmac("sha256", `image-links:${getAuthSecret()}`).update(`${taskId}/${index}`).digest("base64url").slice(0, 32);

export function signedImageUrl(taskId: string, index: number): string {
  return `${getConfig().PUBLIC_URL}/api/files/${taskId}/${index}.png?sig=${sign(taskId, index)}`;
}

export function verifyImageSignature(taskId: string, index: number, sig: string | null): boolean {
  if (!sig) return false;
  const want = Buffer.from(sign(taskId, index));
  const got = Buffer.from(sig);
  return want.length === got.length && timingSafeEqual(want, got);
}
