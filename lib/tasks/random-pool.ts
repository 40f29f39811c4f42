// Random bytes for the ids and secrets of every new task, cut from a buffer
// refilled by the same CSPRNG 4 KiB at a time (as Node's randomUUID does): a
// submit asked OpenSSL twice for a few bytes, about 35 µs of the server's CPU
// under load (README, Performance). Each byte is handed out once.
import { randomFillSync } from "node:crypto";

const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let used = POOL_BYTES;

function take(n: number): [number, number] {
  if (n > POOL_BYTES) throw new RangeError(`at most ${POOL_BYTES} random bytes at a time`);
  if (used + n > POOL_BYTES) {
    randomFillSync(pool);
    used = 0;
  }
  const start = used;
  used += n;
  return [start, used];
}

/** n random bytes as 2n hex digits. */
export function randomHex(n: number): string {
  return pool.toString("hex", ...take(n));
}

/** n random bytes in base64url (no padding). */
export function randomBase64url(n: number): string {
  return pool.toString("base64url", ...take(n));
}
