-- AlterTable
ALTER TABLE "ApiKey" ADD COLUMN     "signingSecret" TEXT;

-- AlterTable
ALTER TABLE "CallbackDelivery" ADD COLUMN     "apiKeyId" TEXT;

-- AlterTable
ALTER TABLE "Task" ADD COLUMN     "requestHash" TEXT;

-- AddForeignKey
ALTER TABLE "CallbackDelivery" ADD CONSTRAINT "CallbackDelivery_apiKeyId_fkey" FOREIGN KEY ("apiKeyId") REFERENCES "ApiKey"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Notifications queued before this migration are signed with their task's key.
UPDATE "CallbackDelivery" d SET "apiKeyId" = t."apiKeyId" FROM "Task" t WHERE t.id = d."taskId";
