// What GET /api/usage answers, shared by the route, the header's meter and the OpenAPI document.
import { z } from "zod";
import type { Usage } from "./budget";

export const usageDtoSchema = z.object({
  used: z.number().int().describe("Images charged this month, less refunds of failed tasks"),
  limit: z.number().int().nullable().describe("The month's budget (the user's base plus images granted this month); null when unlimited"),
  periodStart: z.string().describe("First instant of the calendar month (UTC), ISO 8601"),
  periodEnd: z.string().describe("First instant of the next month, when the budget renews (UTC), ISO 8601"),
});
export type UsageDto = z.infer<typeof usageDtoSchema>;

export function toUsageDto(u: Usage): UsageDto {
  return { used: u.used, limit: u.limit, periodStart: u.periodStart.toISOString(), periodEnd: u.periodEnd.toISOString() };
}
