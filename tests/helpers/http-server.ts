// A scripted HTTP server on 127.0.0.1 that records what it receives.
import http from "node:http";
import type { AddressInfo } from "node:net";

export type Received = { method: string; url: string; headers: http.IncomingHttpHeaders; body: string };
export type Reply = { status?: number; body?: string; headers?: Record<string, string>; delayMs?: number; destroy?: boolean };

export async function startScriptedServer(reply: (req: Received, n: number) => Reply | Promise<Reply> = () => ({ status: 200 })) {
  const received: Received[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const r: Received = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
    received.push(r);
    const out = await reply(r, received.length);
    if (out.delayMs) await new Promise((ok) => setTimeout(ok, out.delayMs));
    if (out.destroy) return void req.socket.destroy();
    res.writeHead(out.status ?? 200, { "Content-Type": "application/json", ...out.headers });
    res.end(out.body ?? "{}");
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
