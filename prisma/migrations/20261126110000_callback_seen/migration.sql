-- Callback-aware polling (issue 11): when an upstream callback last reached a
-- running task. From then on callbacks carry the task and the reconciler only
-- looks at it every 30 s, as a safety net for a lost final callback.
ALTER TABLE "Task" ADD COLUMN "callbackAt" TIMESTAMP(3);
