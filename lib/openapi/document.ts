// The OpenAPI 3.1 document, generated from the same zod schemas the routes
// validate with (zod's JSON Schema output is the dialect OpenAPI 3.1 uses).
import { z } from "zod";
import { createApiKeySchema } from "../api-keys/schema";
import { signUpSchema } from "../auth/schema";
import {
  errorResponseSchema,
  klingImageRequestSchema,
  notFoundResponseSchema,
  SEED_ERROR_MESSAGES,
  statusRequestSchema,
  statusResponseSchema,
  submitResponseSchema,
} from "../kling/schema";
import { createTaskSchema, listTasksQuerySchema, taskDtoSchema, taskListDtoSchema } from "../tasks/schema";

const schema = (s: z.ZodType, io: "input" | "output" = "output") => {
  const { $schema: _drop, ...json } = z.toJSONSchema(s, { io, unrepresentable: "any" }) as Record<string, unknown>;
  return json;
};

const portalError = {
  type: "object",
  properties: {
    error: {
      type: "object",
      properties: { code: { type: "string" }, message: { type: "string" }, fields: { type: "object", additionalProperties: { type: "string" } } },
      required: ["code", "message"],
    },
  },
  required: ["error"],
};

const seedErrors = (statuses: (keyof typeof SEED_ERROR_MESSAGES)[]) =>
  Object.fromEntries(
    statuses.map((s) => [
      String(s),
      {
        description: SEED_ERROR_MESSAGES[s],
        ...(s === 429 ? { headers: { "Retry-After": { schema: { type: "integer" }, description: "Seconds to wait" } } } : {}),
        content: { "application/json": { schema: { $ref: "#/components/schemas/SeedError" }, example: { error: SEED_ERROR_MESSAGES[s] } } },
      },
    ]),
  );

const errors = (statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [String(s), { description: { 400: "Invalid input; fields name the problems", 401: "Not signed in", 404: "Not found (or not yours)", 413: "Body too large" }[s] ?? "Error", content: { "application/json": { schema: portalError } } }]));

const json = (ref: string) => ({ "application/json": { schema: { $ref: `#/components/schemas/${ref}` } } });
const idParam = (name: string) => ({ name, in: "path", required: true, schema: { type: "string" } });

export function buildOpenApiDocument(baseUrl: string) {
  const listParams = Object.entries((schema(listTasksQuerySchema, "input").properties ?? {}) as Record<string, object>).map(([name, s]) => ({ name, in: "query", required: false, schema: s }));
  return {
    openapi: "3.1.0",
    info: {
      title: "Kling Portal API",
      version: "1.0.0",
      description:
        "The seed's Kling text-to-image gateway endpoints (authenticated by Ocp-Apim-Subscription-Key with a portal API key) and the portal's own session API.",
    },
    servers: [{ url: baseUrl }],
    tags: [{ name: "Kling gateway", description: "Drop-in compatible with the Appy Pie Kling endpoints" }, { name: "Portal", description: "Used by the web app; needs a session cookie" }],
    paths: {
      "/kling-ai-image/v1/getImageTask": {
        post: {
          tags: ["Kling gateway"],
          summary: "Submit a text-to-image task",
          security: [{ subscriptionKey: [] }],
          parameters: [{ name: "Idempotency-Key", in: "header", required: false, schema: { type: "string", maxLength: 200 }, description: "A retried submit with the same key returns the same task" }],
          requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/ImageRequest" }, example: { prompt: "Sparrow bird flying", negative_prompt: "dark background, blurry details" } } } },
          responses: { "200": { description: "Task accepted", content: json("SubmitResponse") }, ...seedErrors([400, 401, 403, 404, 429, 500]) },
          callbacks: {
            taskStatus: {
              "{$request.body#/callback_url}": {
                post: {
                  summary: "Sent on each status change of the task (retried with backoff)",
                  requestBody: { content: json("StatusResponse") },
                  responses: { "200": { description: "Any 2xx acknowledges the delivery" } },
                },
              },
            },
          },
        },
      },
      "/kling-ai-polling/v1/getImageStatus": {
        post: {
          tags: ["Kling gateway"],
          summary: "Get a task's status and images",
          security: [{ subscriptionKey: [] }],
          requestBody: { required: true, content: json("StatusRequest") },
          responses: {
            "200": {
              description: "The task, or the not-found body for unknown ids",
              content: { "application/json": { schema: { oneOf: [{ $ref: "#/components/schemas/StatusResponse" }, { $ref: "#/components/schemas/TaskNotFound" }] } } },
            },
            ...seedErrors([400, 401, 403, 404, 429, 500]),
          },
        },
      },
      "/api/tasks": {
        post: {
          tags: ["Portal"],
          summary: "Start a generation",
          security: [{ session: [] }],
          requestBody: { required: true, content: json("CreateTask") },
          responses: { "202": { description: "Task created", content: json("Task") }, "200": { description: "Existing task for this Idempotency-Key", content: json("Task") }, ...errors([400, 401, 413]) },
        },
        get: {
          tags: ["Portal"],
          summary: "Your tasks, newest first",
          security: [{ session: [] }],
          parameters: listParams,
          responses: { "200": { description: "A page of tasks", content: json("TaskList") }, ...errors([400, 401]) },
        },
      },
      "/api/tasks/{id}": {
        get: { tags: ["Portal"], summary: "One task", security: [{ session: [] }], parameters: [idParam("id")], responses: { "200": { description: "The task", content: json("Task") }, ...errors([401, 404]) } },
        delete: { tags: ["Portal"], summary: "Delete a task and its images", security: [{ session: [] }], parameters: [idParam("id")], responses: { "204": { description: "Deleted" }, ...errors([401, 404]) } },
      },
      "/api/tasks/{id}/rerun": {
        post: { tags: ["Portal"], summary: "Start a new task with the same parameters", security: [{ session: [] }], parameters: [idParam("id")], responses: { "202": { description: "New task", content: json("Task") }, ...errors([401, 404]) } },
      },
      "/api/images/{taskId}/{index}": {
        get: {
          tags: ["Portal"],
          summary: "An archived image (add ?size=thumb for the WebP thumbnail, ?download=1 to download)",
          security: [{ session: [] }],
          parameters: [idParam("taskId"), { ...idParam("index"), schema: { type: "integer", minimum: 0, maximum: 8 } }],
          responses: { "200": { description: "The image", content: { "image/png": {}, "image/jpeg": {}, "image/webp": {} } }, ...errors([401, 404]) },
        },
      },
      "/api/keys": {
        get: { tags: ["Portal"], summary: "Your API keys", security: [{ session: [] }], responses: { "200": { description: "Keys (never the secret)" }, ...errors([401]) } },
        post: {
          tags: ["Portal"],
          summary: "Create an API key (the key is in this answer only)",
          security: [{ session: [] }],
          requestBody: { required: true, content: json("CreateApiKey") },
          responses: { "201": { description: "The new key" }, ...errors([400, 401]) },
        },
      },
      "/api/keys/{id}": { delete: { tags: ["Portal"], summary: "Revoke a key", security: [{ session: [] }], parameters: [idParam("id")], responses: { "204": { description: "Revoked" }, ...errors([401, 404]) } } },
      "/api/signup": { post: { tags: ["Portal"], summary: "Create an account", requestBody: { required: true, content: json("SignUp") }, responses: { "201": { description: "Created" }, "409": { description: "Email taken", content: { "application/json": { schema: portalError } } }, ...errors([400]) } } },
      "/api/health": { get: { tags: ["Portal"], summary: "Liveness and database check", responses: { "200": { description: "Healthy" }, "503": { description: "A part is failing" } } } },
    },
    components: {
      securitySchemes: {
        subscriptionKey: { type: "apiKey", in: "header", name: "Ocp-Apim-Subscription-Key", description: "A portal API key (Settings → API keys)" },
        session: { type: "apiKey", in: "cookie", name: "next-auth.session-token" },
      },
      schemas: {
        ImageRequest: schema(klingImageRequestSchema, "input"),
        SubmitResponse: schema(submitResponseSchema),
        StatusRequest: schema(statusRequestSchema, "input"),
        StatusResponse: schema(statusResponseSchema),
        TaskNotFound: schema(notFoundResponseSchema),
        SeedError: schema(errorResponseSchema),
        CreateTask: schema(createTaskSchema, "input"),
        Task: schema(taskDtoSchema),
        TaskList: schema(taskListDtoSchema),
        CreateApiKey: schema(createApiKeySchema, "input"),
        SignUp: schema(signUpSchema, "input"),
      },
    },
  };
}
