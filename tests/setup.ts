// Runs before every test file: a quiet, test-mode environment with its own
// data folder (removed afterwards), so no test touches ./data.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll } from "vitest";

const env = process.env as Record<string, string | undefined>;
env.NODE_ENV ??= "test";
env.LOG_LEVEL ??= "silent";
const dataDir = mkdtempSync(path.join(os.tmpdir(), "kling-portal-test-"));
env.DATA_DIR = dataDir;
env.AUTH_SECRET ??= "test-secret-test-secret-test-secret-0123";

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
