"use client";

// Radix dialogs lock scrolling with a <style> element made at run time; the
// page CSP accepts it only with this response's nonce, which get-nonce hands it.
import { setNonce } from "get-nonce";

export function StyleNonce({ nonce }: { nonce: string | null }) {
  // During render, so it is set before any dialog mounts.
  if (nonce && typeof document !== "undefined") setNonce(nonce);
  return null;
}
