// Runs before every test file: a quiet, test-mode environment.
const env = process.env as Record<string, string | undefined>;
env.NODE_ENV ??= "test";
env.LOG_LEVEL ??= "silent";
