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
    "pg",
    "undici",
  ],
  turbopack: { root: import.meta.dirname },
  images: { unoptimized: true },
};

export default nextConfig;
