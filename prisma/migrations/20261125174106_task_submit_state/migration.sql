-- AlterTable
ALTER TABLE "CallbackDelivery" ADD COLUMN     "leaseOwner" TEXT;

-- AlterTable
ALTER TABLE "Task" ADD COLUMN     "archiveAttempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "submitSentAt" TIMESTAMP(3);
