// The OpenAPI 3.1 document, generated from the same zod schemas the routes
// validate with (zod's JSON Schema output is the dialect OpenAPI 3.1 uses).
import { z } from "zod";
import { changePasswordSchema, deleteAccountSchema, updateProfileSchema } from "../account/schema";
import { adminUserListSchema, adminUserSchema, listUsersQuerySchema, updateUserSchema } from "../admin/schema";
import { createApiKeySchema } from "../api-keys/schema";
import { signUpSchema } from "../auth/schema";
import { MAX_DELIVERY_ATTEMPTS } from "../gateway/callbacks/deliver-callbacks";
import { SEED_ERRORS as SEED_ERROR_MESSAGES } from "../gateway/responses";
import { MAX_IDEMPOTENCY_KEY_LENGTH } from "../http/idempotency-key";
import {
  errorResponseSchema,
  klingImageRequestSchema,
  notFoundResponseSchema,
  statusRequestSchema,
  statusResponseSchema,
  submitResponseSchema,
} from "../kling/schema";
import { createShareSchema, shareDtoSchema, shareListDtoSchema } from "../shares/schema";
import { createTaskSchema, listTasksQuerySchema, taskDtoSchema, taskListDtoSchema } from "../tasks/schema";
import { usageDtoSchema } from "../usage/schema";

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

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: "Invalid input; fields name the problems",
  401: "Not signed in",
  404: "Not found (or not yours)",
  409: "Conflict; the message says why",
  403: "Cross-site request refused: cookie-authenticated writes need Content-Type: application/json or a same-origin Origin",
  413: "Body too large",
  415: "The body is declared as something other than JSON",
  422: "Idempotency-Key already used in the last 24 hours with a different request (code idempotency_mismatch)",
  429: "Too many submits (new tasks and re-runs share one per-user budget); wait the seconds in Retry-After",
};
const errors = (statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [
      String(s),
      {
        description: ERROR_DESCRIPTIONS[s] ?? "Error",
        ...(s === 429 ? { headers: { "Retry-After": { schema: { type: "integer" }, description: "Seconds to wait" } } } : {}),
        content: { "application/json": { schema: portalError } },
      },
    ]),
  );

// A submit past the month's image budget; the same status also refuses cross-site writes.
const quotaExceeded = {
  "403": {
    description:
      "Over this month's image budget (code quota_exceeded; the message says how many images are left and when the budget renews): nothing is stored or sent upstream. Also: a cross-site request refused",
    content: {
      "application/json": {
        schema: portalError,
        example: {
          error: {
            code: "quota_exceeded",
            message: "This needs 4 images but only 2 of your 500 images are left this month. Your budget renews on 1 December.",
          },
        },
      },
    },
  },
};

const idempotencyKeyHeader = {
  name: "Idempotency-Key",
  in: "header",
  required: false,
  schema: { type: "string", maxLength: MAX_IDEMPOTENCY_KEY_LENGTH },
  description: `Within 24 hours, a submit with the same key and the same request returns the same task (also for concurrent copies); the same key with a different request is a 422. Longer than ${MAX_IDEMPOTENCY_KEY_LENGTH} characters is a 400. After 24 hours the key starts a new task.`,
};

const webhookHeaders = {
  "webhook-id": { required: true, schema: { type: "string" }, description: "msg_<id>: the same on every retry of one notification; deduplicate on it" },
  "webhook-timestamp": { required: true, schema: { type: "integer" }, description: "Seconds since the Unix epoch, of this attempt" },
  "webhook-signature": {
    required: false,
    schema: { type: "string" },
    description:
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the description shows the signed string's template literally.
      "v1,<Base64 HMAC-SHA256 of `${webhook-id}.${webhook-timestamp}.${body}`> keyed with the Base64-decoded API key signing secret (whsec_…), per Standard Webhooks. Absent only for keys made before signing existed that were never given a secret.",
  },
};

const health = {
  type: "object",
  properties: {
    status: { enum: ["ok", "error"] },
    db: { type: "string", description: '"ok" or "error: <reason>"' },
    provider: { type: "string", enum: ["local", "appypie", "kling"] },
    uptimeSeconds: { type: "integer" },
  },
  required: ["status", "db", "provider", "uptimeSeconds"],
};

// Refused by the server before any handler runs (lib/http/client-error.ts): the
// only 4xx a health check, with no input and no credentials, can get.
const headersTooLarge = {
  "431": {
    description: "Request headers over 16 KB in all (code headers_too_large), refused before the endpoint runs",
    content: { "application/json": { schema: portalError } },
  },
};

const signingSecret = { type: "string", pattern: "^whsec_", description: "Standard Webhooks signing secret for this key's caller notifications; shown once" };

const favoriteState = {
  type: "object",
  properties: { taskId: { type: "string" }, index: { type: "integer" }, favorite: { type: "boolean" } },
  required: ["taskId", "index", "favorite"],
};

const favoriteOperation = (operationId: string, summary: string) => ({
  tags: ["Portal"],
  operationId,
  summary,
  security: [{ session: [] }],
  parameters: [idParam("taskId"), { ...idParam("index"), schema: { type: "integer", minimum: 0, maximum: 8 } }],
  responses: { "200": { description: "The image's state", content: { "application/json": { schema: favoriteState } } }, ...errors([401, 403, 404]) },
});

const json = (ref: string) => ({ "application/json": { schema: { $ref: `#/components/schemas/${ref}` } } });
const idParam = (name: string) => ({ name, in: "path", required: true, schema: { type: "string" } });

export function buildOpenApiDocument(baseUrl: string) {
  const queryParams = (s: z.ZodType) =>
    Object.entries((schema(s, "input").properties ?? {}) as Record<string, object>).map(([name, p]) => ({ name, in: "query", required: false, schema: p }));
  const listParams = queryParams(listTasksQuerySchema);
  const adminOnly = "Admins only (ADMIN_EMAILS or `npm run admin -- grant-admin`); anyone else, signed in or not, gets 404.";
  return {
    openapi: "3.1.0",
    info: {
      title: "Kling Portal API",
      version: "1.0.0",
      description:
        "The seed's Kling text-to-image gateway endpoints (authenticated by Ocp-Apim-Subscription-Key with a portal API key) and the portal's own session API. Every answer carries an X-Request-Id header, also found in the portal's log line for that request.",
      // No open-source licence has been granted for this portal; the terms are those of its operator.
      license: { name: "Proprietary", url: `${baseUrl}/docs` },
    },
    servers: [{ url: baseUrl }],
    tags: [
      { name: "Kling gateway", description: "Drop-in compatible with the Appy Pie Kling endpoints" },
      { name: "Portal", description: "Used by the web app; needs a session cookie" },
      { name: "Admin", description: "The admin console's API: admins only, 404 for anyone else" },
      { name: "Operations", description: "Health checks and metrics for monitors and orchestrators" },
    ],
    paths: {
      "/kling-ai-image/v1/getImageTask": {
        post: {
          tags: ["Kling gateway"],
          summary: "Submit a text-to-image task",
          operationId: "submitImageTask",
          security: [{ subscriptionKey: [] }],
          parameters: [idempotencyKeyHeader],
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: { $ref: "#/components/schemas/ImageRequest" },
                example: { prompt: "Sparrow bird flying", negative_prompt: "dark background, blurry details" },
              },
            },
          },
          responses: {
            "200": { description: "Task accepted", content: json("SubmitResponse") },
            ...seedErrors([400, 401, 403, 404, 422, 429, 500]),
            "403": {
              description: `${SEED_ERROR_MESSAGES[403]}: also when the key's user is over this month's image budget (detail says how many images are left; nothing is stored or sent upstream)`,
              content: {
                "application/json": {
                  schema: { $ref: "#/components/schemas/SeedError" },
                  example: {
                    error: SEED_ERROR_MESSAGES[403],
                    detail: "This needs 4 images but only 2 of your 500 images are left this month. Your budget renews on 1 December.",
                  },
                },
              },
            },
          },
          callbacks: {
            taskStatus: {
              "{$request.body#/callback_url}": {
                post: {
                  summary: "Sent on each status change of the task (retried with backoff), signed per Standard Webhooks with the key's signing secret",
                  operationId: "taskStatusNotification",
                  parameters: Object.entries(webhookHeaders).map(([name, h]) => ({ name, in: "header", ...h })),
                  requestBody: { content: json("StatusResponse") },
                  // The portal calls the caller's URL: no portal credential is involved.
                  security: [],
                  responses: {
                    "200": { description: "Any 2xx acknowledges the delivery" },
                    "4XX": {
                      description: `Not acknowledged, like any answer other than 2xx: retried with backoff, up to ${MAX_DELIVERY_ATTEMPTS} attempts in all`,
                    },
                  },
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
          operationId: "getImageStatus",
          security: [{ subscriptionKey: [] }],
          requestBody: { required: true, content: json("StatusRequest") },
          responses: {
            "200": {
              description: "The task, or the not-found body for unknown ids",
              content: {
                "application/json": { schema: { oneOf: [{ $ref: "#/components/schemas/StatusResponse" }, { $ref: "#/components/schemas/TaskNotFound" }] } },
              },
            },
            ...seedErrors([400, 401, 403, 404, 429, 500]),
          },
        },
      },
      "/api/tasks": {
        post: {
          tags: ["Portal"],
          summary: "Start a generation",
          operationId: "createTask",
          security: [{ session: [] }],
          parameters: [idempotencyKeyHeader],
          requestBody: { required: true, content: json("CreateTask") },
          responses: {
            "202": {
              description:
                "Task created: `submitted` when sent to Kling at once, or `waiting` (with its `queue` position and estimate) when the account's concurrency (KLING_MAX_CONCURRENCY) is in use",
              content: json("Task"),
            },
            "200": { description: "Existing task for this Idempotency-Key", content: json("Task") },
            ...errors([400, 401, 403, 413, 415, 422, 429]),
            ...quotaExceeded,
          },
        },
        get: {
          tags: ["Portal"],
          summary: "Your tasks, newest first",
          operationId: "listTasks",
          security: [{ session: [] }],
          parameters: listParams,
          responses: { "200": { description: "A page of tasks", content: json("TaskList") }, ...errors([400, 401]) },
        },
      },
      "/api/tasks/events": {
        get: {
          tags: ["Portal"],
          operationId: "streamTaskEvents",
          summary: "Your task changes as server-sent events",
          description:
            'A text/event-stream that stays open: `event: task` carries a task exactly as GET /api/tasks/{id} returns it, `event: removed` carries `{"id"}` of a deleted task. Each task event\'s `id` is a cursor (milliseconds); a client that reconnects with `Last-Event-ID` (browsers do) or `?since=<cursor>` first receives every task changed since then. A comment line is sent every 25 s.',
          security: [{ session: [] }],
          parameters: [
            {
              name: "since",
              in: "query",
              required: false,
              description: "Cursor to catch up from (milliseconds since the epoch); Last-Event-ID takes precedence",
              schema: { type: "string", pattern: "^\\d{1,15}$" },
            },
          ],
          responses: { "200": { description: "The event stream", content: { "text/event-stream": { schema: { type: "string" } } } }, ...errors([401]) },
        },
      },
      "/api/tasks/{id}": {
        get: {
          tags: ["Portal"],
          summary: "One task",
          operationId: "getTask",
          security: [{ session: [] }],
          parameters: [idParam("id")],
          responses: { "200": { description: "The task", content: json("Task") }, ...errors([401, 404]) },
        },
        delete: {
          tags: ["Portal"],
          summary: "Delete a task and its images",
          operationId: "deleteTask",
          security: [{ session: [] }],
          parameters: [idParam("id")],
          responses: { "204": { description: "Deleted" }, ...errors([401, 403, 404]) },
        },
      },
      "/api/tasks/{id}/rerun": {
        post: {
          tags: ["Portal"],
          summary: "Start a new task with the same parameters",
          operationId: "rerunTask",
          security: [{ session: [] }],
          parameters: [idParam("id")],
          responses: { "202": { description: "New task", content: json("Task") }, ...errors([401, 403, 404, 429]), ...quotaExceeded },
        },
      },
      "/api/images/{taskId}/{index}": {
        get: {
          tags: ["Portal"],
          summary: "An archived image (add ?size=thumb for the WebP thumbnail, ?download=1 to download; a downloaded PNG carries its settings as text chunks)",
          operationId: "getImage",
          security: [{ session: [] }],
          parameters: [idParam("taskId"), { ...idParam("index"), schema: { type: "integer", minimum: 0, maximum: 8 } }],
          responses: { "200": { description: "The image", content: { "image/png": {}, "image/jpeg": {}, "image/webp": {} } }, ...errors([401, 404]) },
        },
        delete: {
          tags: ["Portal"],
          summary:
            "Delete one image of a task, its stored files and any share link to exactly that image; the other images keep their indexes. The task goes with its last image",
          operationId: "deleteImage",
          security: [{ session: [] }],
          parameters: [idParam("taskId"), { ...idParam("index"), schema: { type: "integer", minimum: 0, maximum: 8 } }],
          responses: { "204": { description: "Deleted" }, ...errors([401, 403, 404, 409]) },
        },
      },
      "/api/tasks/{id}/download": {
        get: {
          tags: ["Portal"],
          operationId: "downloadTaskZip",
          summary: "The task's images as one ZIP, streamed; each PNG carries its settings as text chunks (parameters, kling-portal)",
          security: [{ session: [] }],
          parameters: [idParam("id")],
          responses: { "200": { description: "application/zip, named from the prompt", content: { "application/zip": {} } }, ...errors([401, 404]) },
        },
      },
      "/api/tasks/{id}/reference": {
        get: {
          tags: ["Portal"],
          operationId: "getTaskReferenceImage",
          summary: "The reference image uploaded with the task (for reusing its settings)",
          security: [{ session: [] }],
          parameters: [idParam("id")],
          responses: { "200": { description: "The image", content: { "image/png": {}, "image/jpeg": {} } }, ...errors([401, 404]) },
        },
      },
      "/api/images/{taskId}/{index}/favorite": {
        put: favoriteOperation("favoriteImage", "Mark an image as a favourite (idempotent)"),
        delete: favoriteOperation("unfavoriteImage", "Remove an image from the favourites (idempotent)"),
      },
      "/api/images/download": {
        get: {
          tags: ["Portal"],
          operationId: "downloadImagesZip",
          summary: "Chosen images of your tasks as one ZIP, streamed (each PNG with its settings)",
          security: [{ session: [] }],
          parameters: [
            {
              name: "i",
              in: "query",
              required: true,
              style: "form",
              explode: true,
              schema: { type: "array", maxItems: 500, items: { type: "string", pattern: "^[A-Za-z0-9_-]{1,100}\\.[0-8]$" } },
              description: "<taskId>.<index>, repeated",
            },
          ],
          responses: { "200": { description: "application/zip", content: { "application/zip": {} } }, ...errors([400, 401, 404]) },
        },
      },
      "/api/shares": {
        post: {
          tags: ["Portal"],
          operationId: "createShare",
          summary: "A public read-only link to one image of a task, or (without index) to all of them",
          security: [{ session: [] }],
          requestBody: { required: true, content: json("CreateShare") },
          responses: {
            "201": { description: "The link; its url opens /s/<id> without sign-in", content: json("Share") },
            ...errors([400, 401, 403, 404]),
            "409": { description: "The task has no images yet (code nothing_to_share)", content: { "application/json": { schema: portalError } } },
          },
        },
        get: {
          tags: ["Portal"],
          operationId: "listShares",
          summary: "Your share links, newest first",
          security: [{ session: [] }],
          responses: { "200": { description: "Links", content: json("ShareList") }, ...errors([401]) },
        },
      },
      "/api/shares/{id}": {
        delete: {
          tags: ["Portal"],
          operationId: "revokeShare",
          summary: "Revoke a link: its page and images answer 404 from the next request on",
          security: [{ session: [] }],
          parameters: [idParam("id")],
          responses: { "204": { description: "Revoked" }, ...errors([401, 403, 404]) },
        },
      },
      "/api/shares/{id}/images/{index}": {
        get: {
          tags: ["Portal"],
          operationId: "getSharedImage",
          summary: "A shared image, public while its link exists (?size=thumb, ?download=1); revalidated on every use (Cache-Control: no-cache)",
          security: [],
          parameters: [idParam("id"), { ...idParam("index"), schema: { type: "integer", minimum: 0, maximum: 8 } }],
          responses: {
            "200": { description: "The image", content: { "image/png": {}, "image/jpeg": {}, "image/webp": {} } },
            "404": { description: "No such link, revoked, or not an image of it", content: { "application/json": { schema: portalError } } },
          },
        },
      },
      "/api/usage": {
        get: {
          tags: ["Portal"],
          summary: "This month's image use and budget",
          operationId: "getUsage",
          security: [{ session: [] }],
          responses: { "200": { description: "Images used and the month's limit (null when unlimited)", content: json("Usage") }, ...errors([401]) },
        },
      },
      "/api/keys": {
        get: {
          tags: ["Portal"],
          summary: "Your API keys",
          operationId: "listApiKeys",
          security: [{ session: [] }],
          responses: { "200": { description: "Keys (never the secret)" }, ...errors([401]) },
        },
        post: {
          tags: ["Portal"],
          summary: "Create an API key (the key and its signing secret are in this answer only)",
          operationId: "createApiKey",
          security: [{ session: [] }],
          requestBody: { required: true, content: json("CreateApiKey") },
          responses: {
            "201": {
              description: "The new key",
              content: {
                "application/json": {
                  schema: {
                    type: "object",
                    properties: {
                      id: { type: "string" },
                      name: { type: "string" },
                      prefix: { type: "string" },
                      createdAt: { type: "string", format: "date-time" },
                      key: { type: "string" },
                      signingSecret,
                    },
                    required: ["id", "name", "prefix", "createdAt", "key", "signingSecret"],
                  },
                },
              },
            },
            ...errors([400, 401]),
            "409": {
              description: "MAX_API_KEYS_PER_USER active keys already (code too_many_keys): revoke one first",
              content: { "application/json": { schema: portalError } },
            },
          },
        },
      },
      "/api/keys/{id}/signing-secret": {
        post: {
          tags: ["Portal"],
          summary: "Replace a key's webhook signing secret (the new secret is in this answer only; notifications not yet sent are signed with it)",
          operationId: "rotateSigningSecret",
          security: [{ session: [] }],
          parameters: [idParam("id")],
          responses: {
            "201": {
              description: "The new secret",
              content: {
                "application/json": { schema: { type: "object", properties: { id: { type: "string" }, signingSecret }, required: ["id", "signingSecret"] } },
              },
            },
            ...errors([401, 404]),
            "409": { description: "The key is revoked (code key_revoked)", content: { "application/json": { schema: portalError } } },
          },
        },
      },
      "/api/keys/{id}": {
        delete: {
          tags: ["Portal"],
          summary: "Revoke a key",
          operationId: "revokeApiKey",
          security: [{ session: [] }],
          parameters: [idParam("id")],
          responses: { "204": { description: "Revoked" }, ...errors([401, 403, 404]) },
        },
      },
      "/api/account/link-intent": {
        post: {
          tags: ["Portal"],
          summary: "Start linking GitHub or Google to the signed-in account (sets a signed 10-minute cookie; then sign in with that provider)",
          operationId: "createLinkIntent",
          security: [{ session: [] }],
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  required: ["provider"],
                  properties: { provider: { type: "string", enum: ["github", "google"] } },
                  additionalProperties: false,
                },
              },
            },
          },
          responses: { "200": { description: "Intent recorded; the provider's sign-in may start" }, ...errors([400, 401, 403]) },
        },
      },
      "/api/account": {
        patch: {
          tags: ["Portal"],
          summary: "Change your display name",
          operationId: "updateAccount",
          security: [{ session: [] }],
          requestBody: { required: true, content: json("UpdateProfile") },
          responses: {
            "200": {
              description: "The account",
              content: {
                "application/json": {
                  schema: { type: "object", properties: { id: { type: "string" }, email: { type: "string" }, name: { type: ["string", "null"] } } },
                },
              },
            },
            ...errors([400, 401, 403, 413, 415]),
          },
        },
        delete: {
          tags: ["Portal"],
          operationId: "deleteAccount",
          summary: "Delete your account: tasks, stored images and thumbnails, reference uploads, API keys, linked sign-ins and the user; signs out everywhere",
          security: [{ session: [] }],
          requestBody: { required: true, content: json("DeleteAccount") },
          responses: { "204": { description: "Deleted; the session cookie is cleared" }, ...errors([400, 401, 403, 415]) },
        },
      },
      "/api/account/password": {
        post: {
          tags: ["Portal"],
          operationId: "changePassword",
          summary:
            "Change your password (currentPassword required when the account has one; an account made with GitHub or Google sets its first without it). Every other session is signed out; this one is re-issued.",
          security: [{ session: [] }],
          requestBody: { required: true, content: json("ChangePassword") },
          responses: {
            "200": { description: "Changed; Set-Cookie carries this browser's re-issued session" },
            ...errors([400, 401, 403, 415]),
            "429": {
              description: "Too many wrong current passwords (the sign-in throttle); wait the seconds in Retry-After",
              headers: { "Retry-After": { schema: { type: "integer" } } },
              content: { "application/json": { schema: portalError } },
            },
          },
        },
      },
      "/api/account/export": {
        get: {
          tags: ["Portal"],
          operationId: "exportAccount",
          summary:
            "Export your data: a ZIP (streamed) of every archived image as images/<task id>/<index>.<ext>, plus tasks.json with every task and its parameters",
          security: [{ session: [] }],
          responses: { "200": { description: "The ZIP", content: { "application/zip": { schema: { type: "string", format: "binary" } } } }, ...errors([401]) },
        },
      },
      "/api/admin/users": {
        get: {
          tags: ["Admin"],
          operationId: "listAdminUsers",
          summary: "Every user with images and tasks this month, last activity and API keys, ordered by email",
          description: adminOnly,
          security: [{ session: [] }],
          parameters: queryParams(listUsersQuerySchema),
          responses: {
            "200": { description: "A page of users; pass nextCursor as cursor for the next", content: json("AdminUserList") },
            ...errors([400]),
            "404": { description: "Not an admin (or not signed in)" },
          },
        },
      },
      "/api/admin/users/{id}": {
        patch: {
          tags: ["Admin"],
          operationId: "updateAdminUser",
          summary: "Disable or enable a user: disabling ends their sessions and their API keys answer the seed's 403 at once",
          description: adminOnly,
          security: [{ session: [] }],
          parameters: [idParam("id")],
          requestBody: { required: true, content: json("UpdateUser") },
          responses: {
            "200": { description: "The user", content: json("AdminUser") },
            ...errors([400, 403, 415]),
            "404": { description: "Not an admin, or no such user" },
            "409": { description: "Disabling your own account (code cannot_disable_self)", content: { "application/json": { schema: portalError } } },
          },
        },
      },
      "/api/signup": {
        post: {
          tags: ["Portal"],
          summary: "Create an account",
          operationId: "signUp",
          security: [],
          requestBody: { required: true, content: json("SignUp") },
          responses: {
            "201": { description: "Created" },
            "409": { description: "Email taken", content: { "application/json": { schema: portalError } } },
            ...errors([400]),
          },
        },
      },
      "/api/health": {
        get: {
          tags: ["Operations"],
          summary: "Database check (kept for existing monitors; see /api/health/ready)",
          operationId: "getHealth",
          security: [],
          responses: {
            "200": { description: "Healthy", content: json("Health") },
            "503": { description: "The database is failing", content: json("Health") },
            ...headersTooLarge,
          },
        },
      },
      "/api/health/live": {
        get: {
          tags: ["Operations"],
          summary: "Liveness: the process answers (checks no dependency)",
          operationId: "getLiveness",
          security: [],
          responses: { "200": { description: "Alive", content: json("Liveness") }, ...headersTooLarge },
        },
      },
      "/api/health/ready": {
        get: {
          tags: ["Operations"],
          summary: "Readiness: database and image storage work (upstream reachability is reported, from a probe cached 30 s, but does not fail it)",
          operationId: "getReadiness",
          security: [],
          responses: {
            "200": { description: "Ready", content: json("Readiness") },
            "503": { description: "A part named in the body is failing", content: json("Readiness") },
            ...headersTooLarge,
          },
        },
      },
      "/api/metrics": {
        get: {
          tags: ["Operations"],
          summary:
            "Prometheus metrics: request durations per route, tasks by status, queue depth, reconciler lag, upstream calls by outcome, archive failures, caller-callback backlog, process memory",
          operationId: "getMetrics",
          security: [{ metricsToken: [] }],
          responses: {
            "200": { description: "Prometheus text exposition format", content: { "text/plain": { schema: { type: "string" } } } },
            "401": { description: "Wrong or missing bearer token", content: { "application/json": { schema: portalError } } },
            "404": { description: "METRICS_TOKEN is not set: the endpoint is off", content: { "application/json": { schema: portalError } } },
          },
        },
      },
    },
    components: {
      securitySchemes: {
        subscriptionKey: { type: "apiKey", in: "header", name: "Ocp-Apim-Subscription-Key", description: "A portal API key (Settings → API keys)" },
        session: { type: "apiKey", in: "cookie", name: "next-auth.session-token" },
        metricsToken: { type: "http", scheme: "bearer", description: "The METRICS_TOKEN value" },
      },
      schemas: {
        ImageRequest: schema(klingImageRequestSchema, "input"),
        SubmitResponse: schema(submitResponseSchema),
        StatusRequest: schema(statusRequestSchema, "input"),
        StatusResponse: schema(statusResponseSchema),
        TaskNotFound: schema(notFoundResponseSchema),
        SeedError: schema(errorResponseSchema),
        Usage: schema(usageDtoSchema),
        CreateTask: schema(createTaskSchema, "input"),
        Task: schema(taskDtoSchema),
        TaskList: schema(taskListDtoSchema),
        CreateApiKey: schema(createApiKeySchema, "input"),
        SignUp: schema(signUpSchema, "input"),
        UpdateProfile: schema(updateProfileSchema, "input"),
        ChangePassword: schema(changePasswordSchema, "input"),
        DeleteAccount: schema(deleteAccountSchema, "input"),
        AdminUser: schema(adminUserSchema),
        AdminUserList: schema(adminUserListSchema),
        UpdateUser: schema(updateUserSchema, "input"),
        Health: health,
        Liveness: { type: "object", properties: { status: { const: "ok" }, uptimeSeconds: { type: "integer" } }, required: ["status", "uptimeSeconds"] },
        Readiness: {
          allOf: [{ $ref: "#/components/schemas/Health" }],
          type: "object",
          properties: {
            storage: { type: "string", description: '"ok" or "error: <reason>"' },
            upstream: {
              type: "object",
              properties: {
                status: { enum: ["reachable", "unreachable", "unknown"] },
                detail: { type: "string" },
                checkedAt: { type: "string", format: "date-time" },
              },
              required: ["status", "checkedAt"],
            },
          },
          required: ["storage", "upstream"],
        },
        CreateShare: schema(createShareSchema, "input"),
        Share: schema(shareDtoSchema),
        ShareList: schema(shareListDtoSchema),
      },
    },
  };
}
