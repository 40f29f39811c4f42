// Runs before every test file: a quiet, test-mode environment with its own
// data folder, so no test touches ./data.
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const env = process.env as Record<string, string | undefined>;
env.NODE_ENV ??= "test";
env.LOG_LEVEL ??= "silent";
env.DATA_DIR = mkdtempSync(path.join(os.tmpdir(), "kling-portal-test-"));
env.AUTH_SECRET ??= "test-secret-test-secret-test-secret-0123";
