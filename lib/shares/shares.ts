// Share links of a user's images: create, list, revoke (deleting the row, so
// the public page and its images are 404 from the next request on), and the
// public lookup behind /s/<id>.
import { randomBytes } from "node:crypto";
import { getConfig } from "../config";
import { getDb } from "../db/client";
import { ApiError, notFound } from "../http/errors";
import type { CreateShareInput, ShareDto } from "./schema";

/** 128 random bits: the id is the whole secret of a link. */
const newShareId = () => randomBytes(16).toString("base64url");
const SHARE_ID = /^[A-Za-z0-9_-]{22}$/;

type ShareRow = { id: string; taskId: string; index: number | null; createdAt: Date; task: { prompt: string } };

export const shareUrl = (id: string) => `${getConfig().PUBLIC_URL}/s/${id}`;

function toShareDto(row: ShareRow): ShareDto {
  return { id: row.id, url: shareUrl(row.id), taskId: row.taskId, index: row.index, prompt: row.task.prompt, createdAt: row.createdAt.toISOString() };
}

export async function createShare(userId: string, input: CreateShareInput): Promise<ShareDto> {
  const task = await getDb().task.findFirst({ where: { id: input.taskId, userId }, select: { id: true, images: { select: { index: true } } } });
  if (!task) throw new ApiError(404, "not_found", "Task not found", { taskId: "no such task of yours" });
  if (task.images.length === 0) throw new ApiError(409, "nothing_to_share", "This task has no images yet: share it once it has succeeded.");
  if (input.index !== undefined && !task.images.some((i) => i.index === input.index)) {
    throw new ApiError(400, "invalid_request", `index ${input.index} is not an image of this task (it has ${task.images.length})`, {
      index: "no such image in this task",
    });
  }
  const row = await getDb().share.create({
    data: { id: newShareId(), userId, taskId: task.id, index: input.index ?? null },
    select: { id: true, taskId: true, index: true, createdAt: true, task: { select: { prompt: true } } },
  });
  return toShareDto(row);
}

export async function listShares(userId: string): Promise<ShareDto[]> {
  const rows = await getDb().share.findMany({
    where: { userId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: 500,
    select: { id: true, taskId: true, index: true, createdAt: true, task: { select: { prompt: true } } },
  });
  return rows.map(toShareDto);
}

export async function deleteShare(where: { id: string; userId: string }): Promise<void> {
  const { count } = await getDb().share.deleteMany({ where });
  if (count === 0) throw notFound("Share link not found");
}

export type SharedImages = {
  id: string;
  index: number | null;
  prompt: string;
  negativePrompt: string | null;
  aspectRatio: string;
  createdAt: Date;
  taskId: string;
  images: { index: number; width: number; height: number }[];
};

/** What a share link shows, or null once it is revoked (or never existed). */
export async function getSharedImages(id: string): Promise<SharedImages | null> {
  if (!SHARE_ID.test(id)) return null;
  // A disabled account's shares stop serving (and come back if it is enabled again).
  const share = await getDb().share.findFirst({
    where: { id, task: { user: { disabledAt: null } } },
    select: {
      id: true,
      index: true,
      task: {
        select: {
          id: true,
          prompt: true,
          negativePrompt: true,
          aspectRatio: true,
          createdAt: true,
          images: { select: { index: true, width: true, height: true }, orderBy: { index: "asc" } },
        },
      },
    },
  });
  if (!share) return null;
  const images = share.task.images.filter((img) => share.index === null || img.index === share.index);
  return {
    id: share.id,
    index: share.index,
    taskId: share.task.id,
    prompt: share.task.prompt,
    negativePrompt: share.task.negativePrompt,
    aspectRatio: share.task.aspectRatio,
    createdAt: share.task.createdAt,
    images,
  };
}

export const sharedImageUrl = (shareId: string, index: number, thumb = false) => `/api/shares/${shareId}/images/${index}${thumb ? "?size=thumb" : ""}`;
