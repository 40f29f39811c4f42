import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerClientError } from "@/lib/http/client-error";

// A plain Node server with the portal's listener: what a client sees when Node refuses a request before any handler.
let server: http.Server;
let port: number;
const logged: { fields: Record<string, unknown>; msg: string }[] = [];
const logger = { info: (fields: Record<string, unknown>, msg: string) => logged.push({ fields, msg }) } as never;
beforeAll(async () => {
  server = http.createServer((_req, res) => res.end("handled"));
  server.on("clientError", (err, socket) => answerClientError(err, socket, logger));
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

function raw(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let answer = "";
    socket.on("data", (d) => (answer += d.toString("latin1")));
    socket.on("end", () => resolve(answer));
    socket.on("error", reject);
    socket.write(request);
  });
}
const parse = (answer: string) => {
  const [head, body] = answer.split("\r\n\r\n");
  return { statusLine: head.split("\r\n")[0], head, body: JSON.parse(body) };
};

describe("answers to requests Node refuses before any handler", () => {
  it("oversized headers on a portal route get 431 with the portal's JSON error", async () => {
    const { statusLine, head, body } = parse(await raw(`POST /api/tasks HTTP/1.1\r\nHost: x\r\nIdempotency-Key: ${"k".repeat(20 * 1024)}\r\n\r\n`));
    expect(statusLine).toBe("HTTP/1.1 431 Request Header Fields Too Large");
    expect(head).toContain("Content-Type: application/json");
    expect(body).toEqual({ error: { code: "headers_too_large", message: expect.stringMatching(/headers are too large/) } });
    // Logged like a routed request, without the request line or the headers.
    const line = logged.find((l) => l.fields.code === "headers_too_large");
    expect(line).toMatchObject({ fields: { status: 431, parserCode: "HPE_HEADER_OVERFLOW" }, msg: "request refused before routing: 431 headers_too_large" });
    expect(JSON.stringify(line)).not.toContain("kkkk");
  });

  it("oversized headers on a gateway route get 431 in the seed's error shape", async () => {
    const { statusLine, body } = parse(
      await raw(`POST /kling-ai-image/v1/getImageTask HTTP/1.1\r\nHost: x\r\nOcp-Apim-Subscription-Key: ${"k".repeat(20 * 1024)}\r\n\r\n`),
    );
    expect(statusLine).toBe("HTTP/1.1 431 Request Header Fields Too Large");
    expect(body).toEqual({ error: "Request Header Fields Too Large", detail: expect.stringMatching(/16 KB/) });
  });

  it("a malformed request line gets 400 with a JSON error", async () => {
    const { statusLine, body } = parse(await raw("NOT HTTP AT ALL\r\n\r\n"));
    expect(statusLine).toBe("HTTP/1.1 400 Bad Request");
    expect(body.error.code).toBe("malformed_request");
  });

  it("a well-formed request still reaches the handler", async () => {
    expect(await raw("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).toMatch(/handled$/);
  });
});
