-- CreateTable
CREATE TABLE "UserTotals" (
    "userId" TEXT NOT NULL,
    "tasks" INTEGER NOT NULL DEFAULT 0,
    "images" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "UserTotals_pkey" PRIMARY KEY ("userId")
);

-- CreateTable
CREATE TABLE "UsageTotals" (
    "userId" TEXT NOT NULL,
    "periodStart" TIMESTAMP(3) NOT NULL,
    "used" INTEGER NOT NULL DEFAULT 0,
    "granted" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "UsageTotals_pkey" PRIMARY KEY ("userId","periodStart")
);

-- AddForeignKey
ALTER TABLE "UserTotals" ADD CONSTRAINT "UserTotals_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UsageTotals" ADD CONSTRAINT "UsageTotals_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Kept by triggers in the same transaction as the rows they sum, so they can
-- never disagree with them. Statement-level with transition tables where rows
-- come in bulk: one update per user and statement, not one per row (a row
-- updated thousands of times in one transaction would slow each update down).
-- Function bodies write the semicolon as \073 (and comments have none): the PostgreSQL migrator splits a script at every semicolon.
CREATE FUNCTION "kling_totals_tasks_inserted"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  INSERT INTO "UserTotals" ("userId", tasks)
    SELECT "userId", count(*) FROM new_rows GROUP BY "userId"
    ON CONFLICT ("userId") DO UPDATE SET tasks = "UserTotals".tasks + EXCLUDED.tasks\073
  RETURN NULL\073
END';

CREATE TRIGGER "Task_totals_insert" AFTER INSERT ON "Task"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "kling_totals_tasks_inserted"();

-- Before each deleted task goes, while its images are still there to count (the
-- cascade that removes them then finds the task gone and counts nothing). A user
-- being deleted takes its totals along: nothing to count then.
CREATE FUNCTION "kling_totals_task_deleted"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  UPDATE "UserTotals" SET tasks = tasks - 1, images = images - (SELECT count(*) FROM "TaskImage" WHERE "taskId" = OLD.id)
    WHERE "userId" = OLD."userId" AND EXISTS (SELECT 1 FROM "User" WHERE id = OLD."userId")\073
  RETURN OLD\073
END';

CREATE TRIGGER "Task_totals_delete" BEFORE DELETE ON "Task"
  FOR EACH ROW EXECUTE FUNCTION "kling_totals_task_deleted"();

CREATE FUNCTION "kling_totals_images_changed"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  IF TG_OP = ''INSERT'' THEN
    UPDATE "UserTotals" u SET images = u.images + d.n
      FROM (SELECT t."userId", count(*) AS n FROM new_rows r JOIN "Task" t ON t.id = r."taskId" GROUP BY t."userId") d
      WHERE u."userId" = d."userId"\073
  ELSE
    UPDATE "UserTotals" u SET images = u.images - d.n
      FROM (SELECT t."userId", count(*) AS n FROM old_rows r JOIN "Task" t ON t.id = r."taskId" GROUP BY t."userId") d
      WHERE u."userId" = d."userId"\073
  END IF\073
  RETURN NULL\073
END';

CREATE TRIGGER "TaskImage_totals_insert" AFTER INSERT ON "TaskImage"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "kling_totals_images_changed"();

CREATE TRIGGER "TaskImage_totals_delete" AFTER DELETE ON "TaskImage"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "kling_totals_images_changed"();

-- An entry counts +images (charge), -images (refund) or as granted (grant) in its
-- user month. Updates that change no sum (a note, a task link cleared) write
-- nothing. A user being deleted takes its totals along, so nothing is written back.
-- Each branch names only the transition tables its trigger has (a statement naming
-- a table the trigger lacks fails), hence three alike. A shared helper taking the
-- rows as jsonb cost twice as much per insert.
CREATE FUNCTION "kling_usage_totals"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  IF TG_OP = ''INSERT'' THEN
    INSERT INTO "UsageTotals" ("userId", "periodStart", used, granted)
      SELECT "userId", "periodStart", sum(used), sum(granted) FROM (
        SELECT "userId", "periodStart",
          CASE kind WHEN ''charge'' THEN images WHEN ''refund'' THEN -images ELSE 0 END AS used,
          CASE WHEN kind = ''grant'' THEN images ELSE 0 END AS granted
        FROM new_rows
      ) delta
      WHERE EXISTS (SELECT 1 FROM "User" WHERE id = delta."userId")
      GROUP BY "userId", "periodStart"
      HAVING sum(used) <> 0 OR sum(granted) <> 0
      ON CONFLICT ("userId", "periodStart") DO UPDATE
        SET used = "UsageTotals".used + EXCLUDED.used, granted = "UsageTotals".granted + EXCLUDED.granted\073
  ELSIF TG_OP = ''DELETE'' THEN
    INSERT INTO "UsageTotals" ("userId", "periodStart", used, granted)
      SELECT "userId", "periodStart", sum(used), sum(granted) FROM (
        SELECT "userId", "periodStart",
          -CASE kind WHEN ''charge'' THEN images WHEN ''refund'' THEN -images ELSE 0 END AS used,
          -CASE WHEN kind = ''grant'' THEN images ELSE 0 END AS granted
        FROM old_rows
      ) delta
      WHERE EXISTS (SELECT 1 FROM "User" WHERE id = delta."userId")
      GROUP BY "userId", "periodStart"
      HAVING sum(used) <> 0 OR sum(granted) <> 0
      ON CONFLICT ("userId", "periodStart") DO UPDATE
        SET used = "UsageTotals".used + EXCLUDED.used, granted = "UsageTotals".granted + EXCLUDED.granted\073
  ELSE
    INSERT INTO "UsageTotals" ("userId", "periodStart", used, granted)
      SELECT "userId", "periodStart", sum(used), sum(granted) FROM (
        SELECT "userId", "periodStart",
          CASE kind WHEN ''charge'' THEN images WHEN ''refund'' THEN -images ELSE 0 END AS used,
          CASE WHEN kind = ''grant'' THEN images ELSE 0 END AS granted
        FROM new_rows
        UNION ALL
        SELECT "userId", "periodStart",
          -CASE kind WHEN ''charge'' THEN images WHEN ''refund'' THEN -images ELSE 0 END AS used,
          -CASE WHEN kind = ''grant'' THEN images ELSE 0 END AS granted
        FROM old_rows
      ) delta
      WHERE EXISTS (SELECT 1 FROM "User" WHERE id = delta."userId")
      GROUP BY "userId", "periodStart"
      HAVING sum(used) <> 0 OR sum(granted) <> 0
      ON CONFLICT ("userId", "periodStart") DO UPDATE
        SET used = "UsageTotals".used + EXCLUDED.used, granted = "UsageTotals".granted + EXCLUDED.granted\073
  END IF\073
  RETURN NULL\073
END';

CREATE TRIGGER "UsageEntry_totals_insert" AFTER INSERT ON "UsageEntry"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "kling_usage_totals"();

CREATE TRIGGER "UsageEntry_totals_delete" AFTER DELETE ON "UsageEntry"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "kling_usage_totals"();

CREATE TRIGGER "UsageEntry_totals_update" AFTER UPDATE ON "UsageEntry"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "kling_usage_totals"();

-- The charge for stored tasks, once per statement like the totals above: a row-level
-- charge would run the ledger trigger once per task, and a bulk insert (a seed,
-- an import) would update the same month row once per task. The row-level
-- function keeps its other branches (status changes, deletions).
CREATE FUNCTION "kling_task_usage_inserted"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  INSERT INTO "UsageEntry" (id, "userId", "taskId", kind, images, "periodStart")
    SELECT gen_random_uuid()::text, "userId", id, ''charge'', n, date_trunc(''month'', now() AT TIME ZONE ''UTC'')
    FROM new_rows WHERE status <> ''failed''\073
  RETURN NULL\073
END';

DROP TRIGGER "Task_usage_insert" ON "Task";

CREATE TRIGGER "Task_usage_insert" AFTER INSERT ON "Task"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "kling_task_usage_inserted"();

-- What was there before: summed once.
INSERT INTO "UserTotals" ("userId", tasks, images)
  SELECT t."userId", count(*), coalesce(sum((SELECT count(*) FROM "TaskImage" i WHERE i."taskId" = t.id)), 0)
  FROM "Task" t GROUP BY t."userId";

INSERT INTO "UsageTotals" ("userId", "periodStart", used, granted)
  SELECT "userId", "periodStart",
    coalesce(sum(CASE kind WHEN 'charge' THEN images WHEN 'refund' THEN -images ELSE 0 END), 0),
    coalesce(sum(CASE WHEN kind = 'grant' THEN images ELSE 0 END), 0)
  FROM "UsageEntry" GROUP BY "userId", "periodStart";
