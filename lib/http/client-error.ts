// Requests Node rejects before any handler runs (headers over its 16 KB limit,
// malformed request lines, header timeouts) still get the portal's JSON error
// shape, or the seed's on the gateway paths, instead of Node's bare status line.
import type { Duplex } from "node:stream";
import type { Logger } from "pino";

type ParserError = Error & { code?: string; rawPacket?: Buffer };

const ANSWERS: Record<string, [status: number, reason: string, code: string, message: string]> = {
  HPE_HEADER_OVERFLOW: [431, "Request Header Fields Too Large", "headers_too_large", "The request headers are too large: at most 16 KB in all."],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, "Payload Too Large", "chunk_extensions_too_large", "The request's chunk extensions are too large."],
  ERR_HTTP_REQUEST_TIMEOUT: [408, "Request Timeout", "request_timeout", "The request took too long to arrive."],
  HPE_HEADER_TIMEOUT: [408, "Request Timeout", "request_timeout", "The request headers took too long to arrive."],
};
const MALFORMED: [number, string, string, string] = [400, "Bad Request", "malformed_request", "The request is not valid HTTP."];

/** The raw response for a parser error; `rawPacket` tells the gateway's paths from the portal's. */
export function clientErrorResponse(err: ParserError): string {
  const [status, reason, code, message] = ANSWERS[err.code ?? ""] ?? MALFORMED;
  const requestLine = err.rawPacket?.subarray(0, 256).toString("latin1").split("\r\n", 1)[0] ?? "";
  const gateway = /^\S+ \/kling-ai-/.test(requestLine);
  const body = JSON.stringify(gateway ? { error: reason, detail: message } : { error: { code, message } });
  return [
    `HTTP/1.1 ${status} ${reason}`,
    "Content-Type: application/json",
    `Content-Length: ${Buffer.byteLength(body)}`,
    "X-Content-Type-Options: nosniff",
    "Cache-Control: no-store",
    "Connection: close",
    "",
    body,
  ].join("\r\n");
}

/** The server's 'clientError' listener; with a logger, each answer gets a log line like a routed request's. */
export function answerClientError(err: ParserError, socket: Duplex, logger?: Pick<Logger, "info">): void {
  // As Node's default: a reset connection, or one whose response has begun, gets no answer.
  const current = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (err.code === "ECONNRESET" || !socket.writable || current?.headersSent) {
    socket.destroy();
    return;
  }
  const [status, , code] = ANSWERS[err.code ?? ""] ?? MALFORMED;
  // Never the request line or headers: they may carry credentials, and are what was malformed.
  logger?.info({ status, code, parserCode: err.code ?? null }, `request refused before routing: ${status} ${code}`);
  socket.end(clientErrorResponse(err));
}
