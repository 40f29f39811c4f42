// Marks or unmarks one of a user's images as a favourite (the gallery's Favourites filter).
import { getDb } from "../db/client";
import { notFound } from "../http/errors";
import { parseImageIndex } from "./image-index";

export async function setImageFavorite(
  where: { taskId: string; index: string; userId: string },
  favorite: boolean,
): Promise<{ taskId: string; index: number; favorite: boolean }> {
  const index = parseImageIndex(where.index);
  // The owner check is in the same statement: another user's image is a 404 like a missing one.
  const { count } = await getDb().taskImage.updateMany({ where: { taskId: where.taskId, index, task: { userId: where.userId } }, data: { favorite } });
  if (count === 0) throw notFound("Image not found");
  return { taskId: where.taskId, index, favorite };
}
