// An image index from a path: 0–8 (a task has at most nine images), else a 404 like a missing image.
import { notFound } from "../http/errors";

export function parseImageIndex(raw: string): number {
  const index = /^\d$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(index) || index > 8) throw notFound("Image not found");
  return index;
}
