import { readFileSync } from "node:fs";

// The security headers that never vary, on every response (pages, API, static files,
// errors); also sent by the custom server's own answers (lib/http/method-guard.ts).
// X-Frame-Options is for browsers older than CSP's frame-ancestors. The per-request
// ones (CSP with its nonce, HSTS) come from proxy.ts: headers() is evaluated at build
// time, before PUBLIC_URL and the nonce are known.
const fixedSecurityHeaders = JSON.parse(readFileSync(new URL("./lib/http/fixed-security-headers.json", import.meta.url), "utf8"));

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  // Native, WebAssembly and worker-thread packages load from node_modules at run time.
  serverExternalPackages: [
    "@electric-sql/pglite",
    "pglite-prisma-adapter",
    "@prisma/schema-engine-wasm",
    "@node-rs/argon2",
    "sharp",
    "pino",
    "prom-client",
    "pg",
    "undici",
  ],
  turbopack: { root: import.meta.dirname },
  // Load each route's code on its first request, not all at start: a smaller idle process.
  experimental: { preloadEntriesOnStart: false },
  images: { unoptimized: true },
  async headers() {
    return [{ source: "/:path*", headers: fixedSecurityHeaders }];
  },
};

export default nextConfig;
