-- CreateIndex
CREATE INDEX "Task_due_idx" ON "Task"("nextCheckAt") WHERE (status IN ('queued', 'submitted', 'processing') OR (status = 'failed' AND "upstreamSucceededAt" IS NOT NULL AND "finishedAt" IS NULL));
