// The receivers shown at /docs that verify the portal's signed notifications,
// kept here so a test can run them against a real delivery.
const node = `// npm install standardwebhooks
import http from "node:http";
import { Webhook } from "standardwebhooks";

// The key's signing secret (whsec_…), shown once when the key was made or its secret rotated.
const wh = new Webhook(process.env.KLING_PORTAL_SIGNING_SECRET);
const seen = new Set(); // use your database: a retry carries the same webhook-id

http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8"); // verify the raw body, before any parsing
    let status;
    try {
      status = wh.verify(body, req.headers); // checks the signature and that the timestamp is within 5 minutes
    } catch {
      return res.writeHead(400).end();
    }
    if (!seen.has(req.headers["webhook-id"])) {
      seen.add(req.headers["webhook-id"]);
      console.log(status.task_id, status.task_status);
    }
    res.writeHead(204).end();
  });
}).listen(8080);`;
const python = `# pip install standardwebhooks
import os
from http.server import BaseHTTPRequestHandler, HTTPServer
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

# The key's signing secret (whsec_...), shown once when the key was made or its secret rotated.
wh = Webhook(os.environ["KLING_PORTAL_SIGNING_SECRET"])

class Hook(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))  # the raw body
        try:
            status = wh.verify(body, dict(self.headers))
        except WebhookVerificationError:
            self.send_response(400)
            self.end_headers()
            return
        # A retry carries the same webhook-id: deduplicate on it.
        print(self.headers["webhook-id"], status["task_id"], status["task_status"])
        self.send_response(204)
        self.end_headers()

HTTPServer(("", 8080), Hook).serve_forever()`;

export const WEBHOOK_VERIFY_SAMPLES = { node, python } as const;
