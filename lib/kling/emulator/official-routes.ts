// Kling's official API: POST /v1/images/generations and GET
// /v1/images/generations/{task_id | external_task_id}, a bearer JWT, and the
// envelope { code, message, request_id, data }.
import type { IncomingMessage, ServerResponse } from "node:http";
import { OFFICIAL_PATH } from "../official-client";
import { klingImageRequestSchema } from "../schema";
import type { ApiRoutes, EmulatorCore } from "./core";
import type { Faults } from "./faults";
import { describeIssues, isObject, readBody, sendJson } from "./http-io";
import { checkOfficialToken } from "./official-auth";
import { newId, officialTaskBody } from "./task-clock";

const MAX_EXTERNAL_ID = 200;

export function sendOfficialError(res: ServerResponse, status: number, code: number, message: string, retryAfterS?: number) {
  sendJson(res, status, { code, message, request_id: newId() }, retryAfterS !== undefined ? { "Retry-After": String(retryAfterS) } : {});
}

/** The official business code for an HTTP status the emulator answers with. */
function codeForStatus(status: number): { code: number; message: string } {
  if (status === 429) return { code: 1302, message: "rate limit exceeded, please retry later" };
  if (status === 401) return { code: 1000, message: "authentication failed" };
  if (status === 404) return { code: 1203, message: "resource not found" };
  if (status >= 500) return { code: 5000, message: "server internal error" };
  return { code: 1201, message: "invalid request parameters" };
}

const optionalString = (v: unknown) => v === undefined || v === null || typeof v === "string";

export function createOfficialRoutes(core: EmulatorCore): ApiRoutes {
  const succeed = (res: ServerResponse, data: unknown) => sendJson(res, 200, { code: 0, message: "SUCCEED", request_id: newId(), data });

  async function submit(req: IncomingMessage, res: ServerResponse, faults: Faults) {
    core.calls.submit++;
    const body = await readBody(req);
    if (!isObject(body)) return sendOfficialError(res, 400, 1201, "body: must be a JSON object");
    const { model_name, external_task_id, ...seedFields } = body;
    if (!optionalString(model_name)) return sendOfficialError(res, 400, 1201, "model_name must be a string");
    const externalTaskId = typeof external_task_id === "string" && external_task_id ? external_task_id : undefined;
    if (!optionalString(external_task_id) || (externalTaskId && externalTaskId.length > MAX_EXTERNAL_ID)) {
      return sendOfficialError(res, 400, 1201, `external_task_id must be a string of at most ${MAX_EXTERNAL_ID} characters`);
    }
    const parsed = klingImageRequestSchema.safeParse(seedFields);
    if (!parsed.success) return sendOfficialError(res, 400, 1201, describeIssues(parsed.error));
    if (externalTaskId && core.tasks.byExternalId(externalTaskId)) {
      core.drills.record(externalTaskId);
      return sendOfficialError(res, 400, 1201, "external_task_id already exists");
    }
    if (core.overLimit(parsed.data.n ?? 1, faults)) {
      if (externalTaskId) core.drills.record(externalTaskId);
      return sendOfficialError(res, 429, 1303, "parallel task limit exceeded, please retry later", 1);
    }
    const task = core.startTask({ api: "official", request: parsed.data, externalTaskId, faults, req });
    succeed(res, {
      task_id: task.id,
      task_status: "submitted",
      task_info: { external_task_id: externalTaskId },
      created_at: task.createdAt,
      updated_at: task.createdAt,
    });
  }

  function get(res: ServerResponse, id: string) {
    const byId = core.tasks.get(id);
    if (byId) core.calls.status++;
    else core.calls.lookup++;
    const task = byId ?? core.tasks.byExternalId(id);
    if (!task) return sendOfficialError(res, 404, 1203, "task not found");
    succeed(res, officialTaskBody(task));
  }

  return {
    match(method, path) {
      if (method === "POST" && path === OFFICIAL_PATH) return "submit";
      if (method === "GET" && /^[^/]+$/.test(path.slice(OFFICIAL_PATH.length + 1)) && path.startsWith(`${OFFICIAL_PATH}/`)) return "get";
      return null;
    },
    async authenticate(req, res) {
      const failure = await checkOfficialToken(req.headers.authorization, core.opts.officialKeys ?? []);
      if (!failure) return true;
      sendOfficialError(res, 401, failure.code, failure.message);
      return false;
    },
    sendFault(res, status, retryAfterS) {
      const { code, message } = codeForStatus(status);
      sendOfficialError(res, status, code, message, retryAfterS);
    },
    sendError(res, status, message) {
      const mapped = codeForStatus(status);
      sendOfficialError(res, status, mapped.code, message ?? mapped.message);
    },
    async handle(route, req, res, faults) {
      if (route === "submit") return submit(req, res, faults);
      const raw = new URL(req.url ?? "/", "http://emulator").pathname.split("/").pop() ?? "";
      let id: string;
      try {
        id = decodeURIComponent(raw);
      } catch {
        return sendOfficialError(res, 400, 1201, "task id: not a valid path segment");
      }
      get(res, id);
    },
  };
}
