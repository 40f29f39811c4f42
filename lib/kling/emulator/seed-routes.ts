// The seed's two gateway routes (Appy Pie): submit and poll, authenticated by
// Ocp-Apim-Subscription-Key, answering the seed's bodies and errors.
import type { ServerResponse } from "node:http";
import { APPYPIE_PATHS } from "../appypie-client";
import { klingImageRequestSchema, SEED_ERROR_MESSAGES, statusRequestSchema } from "../schema";
import type { ApiRoutes, EmulatorCore } from "./core";
import { describeIssues, readBody, sendJson } from "./http-io";
import { seedStatusBody } from "./task-clock";

export function sendSeedError(res: ServerResponse, status: number, detail?: string, retryAfterS?: number) {
  const message = SEED_ERROR_MESSAGES[status as keyof typeof SEED_ERROR_MESSAGES] ?? SEED_ERROR_MESSAGES[500];
  sendJson(res, status, detail ? { error: message, detail } : { error: message }, retryAfterS !== undefined ? { "Retry-After": String(retryAfterS) } : {});
}

export function createSeedRoutes(core: EmulatorCore): ApiRoutes {
  return {
    match(method, path) {
      if (method !== "POST") return null;
      return path === APPYPIE_PATHS.submit ? "submit" : path === APPYPIE_PATHS.status ? "status" : null;
    },
    async authenticate(req, res) {
      const header = req.headers["ocp-apim-subscription-key"];
      const key = Array.isArray(header) ? header[0] : header;
      const keys = core.opts.keys ?? [];
      if (key?.trim() && (!keys.length || keys.includes(key))) return true;
      sendSeedError(res, 401);
      return false;
    },
    sendFault: (res, status, retryAfterS) => sendSeedError(res, status, undefined, retryAfterS),
    sendError: (res, status, message) => sendSeedError(res, status, message),
    async handle(route, req, res, faults) {
      if (route === "submit") {
        core.calls.submit++;
        const parsed = klingImageRequestSchema.safeParse(await readBody(req));
        if (!parsed.success) return sendSeedError(res, 400, describeIssues(parsed.error));
        if (core.overLimit(parsed.data.n ?? 1, faults)) return sendSeedError(res, 429, "parallel task limit exceeded", 1);
        const task = core.startTask({ api: "seed", request: parsed.data, faults, req });
        const at = task.createdAt;
        return sendJson(res, 200, {
          data: { code: 0, message: "SUCCEED", request_id: task.id, data: { task_id: task.id, task_status: "submitted", created_at: at, updated_at: at } },
        });
      }
      core.calls.status++;
      const parsed = statusRequestSchema.safeParse(await readBody(req));
      if (!parsed.success) return sendSeedError(res, 400, describeIssues(parsed.error));
      const task = core.tasks.get(parsed.data.task_id);
      sendJson(res, 200, task ? seedStatusBody(task) : { task_status: "failed", task_status_msg: "task not found" });
    },
  };
}
