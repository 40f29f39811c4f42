-- Image budgets (issue 14): a ledger of charges, refunds and grants per user
-- and calendar month (UTC), never a counter, so every figure can be audited.
-- CreateEnum
CREATE TYPE "UsageKind" AS ENUM ('charge', 'refund', 'grant');

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "monthlyImageQuota" INTEGER,
ADD COLUMN     "quotaUnlimited" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "UsageEntry" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "taskId" TEXT,
    "kind" "UsageKind" NOT NULL,
    "images" INTEGER NOT NULL,
    "periodStart" TIMESTAMP(3) NOT NULL,
    "note" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "UsageEntry_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "UsageEntry_userId_periodStart_idx" ON "UsageEntry"("userId", "periodStart");

-- CreateIndex
CREATE INDEX "UsageEntry_taskId_idx" ON "UsageEntry"("taskId");

-- AddForeignKey
ALTER TABLE "UsageEntry" ADD CONSTRAINT "UsageEntry_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UsageEntry" ADD CONSTRAINT "UsageEntry_taskId_fkey" FOREIGN KEY ("taskId") REFERENCES "Task"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Charges and refunds are written here, in the transaction that changes the
-- task, so every path that stores or fails a task (web, gateway, rerun,
-- reconciler, callbacks, admin commands, another instance) keeps the ledger
-- right without having to remember it:
--   a task is stored            -> charge n in the current month;
--   it becomes failed           -> refund what it still has charged, in the month of its last charge;
--   it leaves failed (upstream  -> charge it again (the images exist after all)
--     finished after all)
--   it is deleted before it was -> refund (the entry keeps the task id in its note, as the row goes).
--     ever sent upstream
-- Statuses are compared with 'failed' and 'succeed' only, so a new in-flight status needs no change here.
-- The body spells its semicolons as \073: the driver-adapter migrator splits a script at every semicolon.
CREATE FUNCTION "kling_task_usage"() RETURNS trigger LANGUAGE plpgsql AS E'
DECLARE
  net_ INTEGER\073
  period_ TIMESTAMP(3)\073
BEGIN
  IF TG_OP = ''INSERT'' THEN
    IF NEW.status <> ''failed'' THEN
      INSERT INTO "UsageEntry" (id, "userId", "taskId", kind, images, "periodStart")
        VALUES (gen_random_uuid()::text, NEW."userId", NEW.id, ''charge'', NEW.n, date_trunc(''month'', now() AT TIME ZONE ''UTC''))\073
    END IF\073
    RETURN NULL\073
  END IF\073
  IF TG_OP = ''DELETE'' THEN
    -- Deleting the user deletes its tasks too: nothing to refund to a user that is going.
    IF NOT EXISTS (SELECT 1 FROM "User" WHERE id = OLD."userId") THEN RETURN OLD\073 END IF\073
    -- The entries lose their task link with the row: the note keeps which task they were for.
    UPDATE "UsageEntry" SET note = coalesce(note || '' '', '''') || ''(task '' || OLD.id || '' deleted)'' WHERE "taskId" = OLD.id\073
    IF OLD."upstreamTaskId" IS NULL AND OLD."submitSentAt" IS NULL AND OLD.status <> ''succeed'' THEN
      SELECT coalesce(sum(CASE WHEN kind = ''charge'' THEN images ELSE -images END), 0) INTO net_
        FROM "UsageEntry" WHERE "taskId" = OLD.id AND kind IN (''charge'', ''refund'')\073
      IF net_ > 0 THEN
        SELECT "periodStart" INTO period_ FROM "UsageEntry" WHERE "taskId" = OLD.id AND kind = ''charge'' ORDER BY "createdAt" DESC LIMIT 1\073
        INSERT INTO "UsageEntry" (id, "userId", "taskId", kind, images, "periodStart", note)
          VALUES (gen_random_uuid()::text, OLD."userId", NULL, ''refund'', net_, period_, ''task '' || OLD.id || '' deleted before it was sent'')\073
      END IF\073
    END IF\073
    RETURN OLD\073
  END IF\073
  SELECT coalesce(sum(CASE WHEN kind = ''charge'' THEN images ELSE -images END), 0) INTO net_
    FROM "UsageEntry" WHERE "taskId" = NEW.id AND kind IN (''charge'', ''refund'')\073
  IF NEW.status = ''failed'' THEN
    IF net_ > 0 THEN
      SELECT "periodStart" INTO period_ FROM "UsageEntry" WHERE "taskId" = NEW.id AND kind = ''charge'' ORDER BY "createdAt" DESC LIMIT 1\073
      INSERT INTO "UsageEntry" (id, "userId", "taskId", kind, images, "periodStart")
        VALUES (gen_random_uuid()::text, NEW."userId", NEW.id, ''refund'', net_, period_)\073
    END IF\073
  ELSIF net_ <= 0 THEN
    INSERT INTO "UsageEntry" (id, "userId", "taskId", kind, images, "periodStart")
      VALUES (gen_random_uuid()::text, NEW."userId", NEW.id, ''charge'', NEW.n, date_trunc(''month'', now() AT TIME ZONE ''UTC''))\073
  END IF\073
  RETURN NULL\073
END';

CREATE TRIGGER "Task_usage_insert" AFTER INSERT ON "Task"
  FOR EACH ROW EXECUTE FUNCTION "kling_task_usage"();

CREATE TRIGGER "Task_usage_status" AFTER UPDATE OF status ON "Task"
  FOR EACH ROW WHEN ((OLD.status = 'failed') IS DISTINCT FROM (NEW.status = 'failed'))
  EXECUTE FUNCTION "kling_task_usage"();

-- BEFORE, so the task's entries are still linked to it when they are summed.
CREATE TRIGGER "Task_usage_delete" BEFORE DELETE ON "Task"
  FOR EACH ROW EXECUTE FUNCTION "kling_task_usage"();

-- Tasks stored before budgets existed: each one not failed is charged in the month it was made.
INSERT INTO "UsageEntry" (id, "userId", "taskId", kind, images, "periodStart", note, "createdAt")
  SELECT gen_random_uuid()::text, t."userId", t.id, 'charge', t.n, date_trunc('month', t."createdAt"), 'backfill', t."createdAt"
  FROM "Task" t WHERE t.status <> 'failed';
