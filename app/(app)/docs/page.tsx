// The API guide: the seed's endpoints on this portal, with samples that use
// this portal's base URL, and what each provider setting means.
import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "@/lib/auth/session";
import { getConfig } from "@/lib/config";
import { WEBHOOK_VERIFY_SAMPLES } from "@/lib/docs/webhook-samples";
import { SEED_ERRORS } from "@/lib/gateway/responses";

export const metadata: Metadata = { title: "API" };

// Shown literally: the string a receiver signs.
// biome-ignore lint/suspicious/noTemplateCurlyInString: a template shown to the reader, not evaluated.
const SIGNED_CONTENT = "${webhook-id}.${webhook-timestamp}.${body}";

function Code({ children, label }: { children: string; label: string }) {
  return (
    // A labelled, focusable region: keyboard users can scroll wide samples (WCAG 2.1.1).
    // biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable regions must be focusable.
    <section aria-label={label} tabIndex={0} className="overflow-x-auto rounded-lg bg-zinc-900 p-4 dark:bg-black">
      <pre className="text-xs leading-relaxed text-zinc-100">
        <code>{children}</code>
      </pre>
    </section>
  );
}

const ERROR_MEANING: Record<number, string> = {
  400: "A parameter is out of range or missing; `detail` names it.",
  401: "No Ocp-Apim-Subscription-Key header, or an unknown key.",
  403: "The key was revoked, its user disabled, or the submit needs more images than are left in this month's budget; `detail` then says how many are left.",
  404: "Unknown path.",
  422: "The Idempotency-Key was used in the last 24 hours with a different request.",
  429: "Too many calls for this key; wait the seconds in Retry-After.",
  500: "Something failed on the portal; retry later.",
};

export default async function DocsPage() {
  await requireUser("/docs");
  const config = getConfig();
  const base = config.PUBLIC_URL;
  const submitCurl = `curl -X POST "${base}/kling-ai-image/v1/getImageTask" \\
  -H "Content-Type: application/json" \\
  -H "Cache-Control: no-cache" \\
  -H "Ocp-Apim-Subscription-Key: YOUR_KEY" \\
  --data-raw '{ "prompt": "Sparrow bird flying", "n": 2, "aspect_ratio": "1:1" }'`;
  const statusCurl = `curl -X POST "${base}/kling-ai-polling/v1/getImageStatus" \\
  -H "Content-Type: application/json" \\
  -H "Cache-Control: no-cache" \\
  -H "Ocp-Apim-Subscription-Key: YOUR_KEY" \\
  --data-raw '{ "task_id": "TASK_ID" }'`;
  const python = `import urllib.request, json

url = "${base}/kling-ai-image/v1/getImageTask"
hdr = {
    "Content-Type": "application/json",
    "Cache-Control": "no-cache",
    "Ocp-Apim-Subscription-Key": "YOUR_KEY",
}
data = json.dumps({ "prompt": "Sparrow bird flying" })
req = urllib.request.Request(url, headers=hdr, data=bytes(data.encode("utf-8")))
req.get_method = lambda: "POST"
response = urllib.request.urlopen(req)
print(response.getcode())
print(response.read())`;
  const js = `const body = { "prompt": "Sparrow bird flying" };
fetch("${base}/kling-ai-image/v1/getImageTask", {
  method: "POST",
  body: JSON.stringify(body),
  headers: {
    "Content-Type": "application/json",
    "Cache-Control": "no-cache",
    "Ocp-Apim-Subscription-Key": "YOUR_KEY",
  },
})
  .then(async (response) => console.log(response.status, await response.text()))
  .catch((err) => console.error(err));`;

  return (
    <article className="mx-auto max-w-3xl space-y-8 text-sm leading-relaxed [&_h2]:text-lg [&_h2]:font-semibold [&_h3]:font-semibold">
      <header className="space-y-2">
        <h1 className="text-2xl font-semibold">Kling API on this portal</h1>
        <p>
          The portal answers the two Kling text-to-image endpoints exactly as the Appy Pie gateway documents them. Existing code works by changing its base URL
          to <code className="font-mono">{base}</code> and its key to one of your{" "}
          <Link href="/settings/keys" className="text-brand-600 hover:underline dark:text-brand-400">
            API keys
          </Link>
          . Every task appears in your history marked <em>API</em>, with its images kept.
        </p>
        <p>
          Machine-readable description:{" "}
          <a href="/api/openapi.json" className="text-brand-600 hover:underline dark:text-brand-400">
            /api/openapi.json
          </a>{" "}
          (OpenAPI 3.1).
        </p>
      </header>

      <section className="space-y-3" id="submit">
        <h2>1. Submit a task</h2>
        <p>
          <code className="font-mono">POST /kling-ai-image/v1/getImageTask</code> with <code>prompt</code> (≤ 500 characters), and optionally{" "}
          <code>negative_prompt</code> (≤ 200), <code>image</code> (raw Base64 PNG/JPEG or an http(s) URL, ≤ 10 MB, sides ≥ 300 px), <code>image_fidelity</code>{" "}
          (0–1, default 0.5), <code>n</code> (1–9, default 1), <code>aspect_ratio</code> (16:9, 9:16, 1:1, 4:3, 3:4, 3:2, 2:3; default 16:9) and{" "}
          <code>callback_url</code>. Send an <code>Idempotency-Key</code> header to make retries safe (
          <a href="#idempotency" className="text-brand-600 hover:underline dark:text-brand-400">
            below
          </a>
          ).
        </p>
        <Code label="Submit with curl">{submitCurl}</Code>
        <Code label="Submit answer">{`{ "data": { "code": 0, "message": "SUCCEED", "request_id": "…", "data": { "task_id": "…", "task_status": "submitted", "created_at": 1732788384315, "updated_at": 1732788384315 } } }`}</Code>
      </section>

      <section className="space-y-3" id="status">
        <h2>2. Poll its status</h2>
        <p>
          <code className="font-mono">POST /kling-ai-polling/v1/getImageStatus</code> with the <code>task_id</code>. Statuses are <code>submitted</code>,{" "}
          <code>processing</code>, <code>succeed</code> and <code>failed</code> (with the reason in <code>task_status_msg</code>). Image URLs point at the
          portal&apos;s archived copies through signed links: they need no key and do not expire with Kling&apos;s. Unknown ids, and ids of other users, get{" "}
          <code>{`{ "task_status": "failed", "task_status_msg": "task not found" }`}</code>.
        </p>
        <Code label="Poll with curl">{statusCurl}</Code>
      </section>

      <section className="space-y-3" id="samples">
        <h2>The seed&apos;s samples, pointed here</h2>
        <h3>Python (urllib)</h3>
        <Code label="Python sample">{python}</Code>
        <h3>JavaScript (fetch)</h3>
        <Code label="JavaScript sample">{js}</Code>
      </section>

      <section className="space-y-3" id="callbacks">
        <h2>Callbacks</h2>
        <p>
          With <code>callback_url</code>, the portal POSTs the status body above to your URL on each status change, retrying with backoff for a while if your
          server does not answer 2xx. Only public http(s) addresses are called
          {config.CALLBACK_ALLOW_PRIVATE ? " (this portal also allows private addresses)" : "; loopback, link-local and private networks are refused"}.
        </p>
        <h3>Verifying them</h3>
        <p>
          Every notification is signed following{" "}
          <a href="https://www.standardwebhooks.com/" className="text-brand-600 hover:underline dark:text-brand-400">
            Standard Webhooks
          </a>{" "}
          with the signing secret of the key that submitted the task (<code>whsec_…</code>, shown once beside the new key in{" "}
          <Link href="/settings/keys" className="text-brand-600 hover:underline dark:text-brand-400">
            API keys
          </Link>
          , and again whenever you rotate it there). Three headers come with it: <code>webhook-id</code> (the same on every retry of one notification:
          deduplicate on it), <code>webhook-timestamp</code> (seconds since 1970, of this attempt) and <code>webhook-signature</code>: <code>v1,</code> and the
          Base64 HMAC-SHA256 of <code>{SIGNED_CONTENT}</code>, keyed with the Base64-decoded part of the secret after <code>whsec_</code>. Verify the raw body
          before parsing it, and refuse timestamps more than five minutes off. After a rotation, notifications not yet sent are signed with the new secret.
        </p>
        <h3>Node.js (standardwebhooks)</h3>
        <Code label="Verify with Node.js">{WEBHOOK_VERIFY_SAMPLES.node}</Code>
        <h3>Python (standardwebhooks)</h3>
        <Code label="Verify with Python">{WEBHOOK_VERIFY_SAMPLES.python}</Code>
      </section>

      <section className="space-y-3" id="idempotency">
        <h2>Retrying submits safely</h2>
        <p>
          Send an <code>Idempotency-Key</code> header (at most 200 characters; longer is a 400) with a submit. Within 24 hours, the same key with the same
          request returns the task it made instead of a new one, also when two copies arrive at once. The same key with a different request is a 422:{" "}
          <code>{`{ "error": "Idempotency key reused with a different request", "detail": "…" }`}</code>. After 24 hours a key starts a new task.
        </p>
      </section>

      <section className="space-y-3" id="errors">
        <h2>Errors</h2>
        <table className="w-full text-left">
          <thead className="text-xs uppercase text-zinc-500 dark:text-zinc-400">
            <tr>
              <th className="py-1 pr-4">Status</th>
              <th className="py-1 pr-4">Body</th>
              <th className="py-1">Meaning</th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(SEED_ERRORS).map(([status, message]) => (
              <tr key={status} className="border-t border-zinc-200 dark:border-zinc-800">
                <td className="py-1.5 pr-4 font-mono">{status}</td>
                <td className="py-1.5 pr-4 font-mono text-xs">{`{ "error": "${message}" }`}</td>
                <td className="py-1.5">{ERROR_MEANING[Number(status)]}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p>
          Limits per key: {config.RATE_LIMIT_SUBMIT_PER_MINUTE} submits and {config.RATE_LIMIT_STATUS_PER_MINUTE} status calls per minute.
        </p>
      </section>

      <section className="space-y-3" id="providers">
        <h2>Where images come from</h2>
        <p>
          This portal uses the <strong>{config.KLING_PROVIDER}</strong> provider.
        </p>
        <ul className="list-disc space-y-1 pl-5">
          <li>
            <strong>local</strong> (default): the built-in Kling emulator. Images are marked &ldquo;LOCAL PREVIEW&rdquo; and are not real generations;
            everything else (tasks, callbacks, archive, API) works as in production.
          </li>
          <li>
            <strong>appypie</strong>: the Appy Pie Kling gateway, with <code>APPYPIE_SUBSCRIPTION_KEY</code>.
          </li>
          <li>
            <strong>kling</strong>: Kling&apos;s official API, with <code>KLING_ACCESS_KEY</code> and <code>KLING_SECRET_KEY</code>.
          </li>
        </ul>
      </section>
    </article>
  );
}
