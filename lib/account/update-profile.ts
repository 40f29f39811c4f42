// The account's display name (empty clears it).
import { getDb } from "../db/client";

export async function updateProfile(userId: string, input: { name: string }) {
  return getDb().user.update({ where: { id: userId }, data: { name: input.name || null }, select: { id: true, email: true, name: true } });
}
