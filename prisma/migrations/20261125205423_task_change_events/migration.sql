-- CreateIndex
CREATE INDEX "Task_userId_updatedAt_idx" ON "Task"("userId", "updatedAt");

-- Live updates: every change a card shows (a new task, its status or message,
-- its removal) is announced on one channel, whoever made it (any portal
-- instance, `npm run worker`, an admin command). Lease and poll bookkeeping
-- is not announced. The schema is in the payload because channels are
-- database-wide and several portals may share a database in separate schemas.
-- The body spells its semicolons as \073: the driver-adapter migrator splits a script at every semicolon.
CREATE FUNCTION "kling_task_changed"() RETURNS trigger LANGUAGE plpgsql AS E'
DECLARE
  row_ RECORD\073
BEGIN
  IF TG_OP = ''DELETE'' THEN row_ := OLD\073 ELSE row_ := NEW\073 END IF\073
  PERFORM pg_notify(''kling_task_changes'', json_build_object(''s'', TG_TABLE_SCHEMA, ''u'', row_."userId", ''t'', row_.id, ''op'', lower(TG_OP))::text)\073
  RETURN NULL\073
END';

CREATE TRIGGER "Task_changed_insert_delete" AFTER INSERT OR DELETE ON "Task"
  FOR EACH ROW EXECUTE FUNCTION "kling_task_changed"();

CREATE TRIGGER "Task_changed_update" AFTER UPDATE ON "Task"
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD."statusMsg" IS DISTINCT FROM NEW."statusMsg")
  EXECUTE FUNCTION "kling_task_changed"();
