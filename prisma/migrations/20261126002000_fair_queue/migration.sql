-- Fair queue (issue 14): a task waits in the portal, holding no Kling slot,
-- until the account's concurrency (KLING_MAX_CONCURRENCY) has room for it.
ALTER TYPE "TaskStatus" ADD VALUE IF NOT EXISTS 'waiting' BEFORE 'queued';
