// Reads the format and pixel size of a PNG or JPEG from its first bytes.
// Browser-safe (no Buffer), so the generate form checks an upload with the
// same code the server uses.

export type ImageHeader = { format: "png" | "jpeg"; width: number; height: number };

const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decoded size of a Base64 string without decoding it. */
export function base64DecodedBytes(b64: string): number {
  const pad = b64.endsWith("==") ? 2 : b64.endsWith("=") ? 1 : 0;
  return Math.floor((b64.length * 3) / 4) - pad;
}

export function isBase64(s: string): boolean {
  return s.length > 0 && s.length % 4 === 0 && BASE64_RE.test(s);
}

/** Decodes at most `maxBytes` from the start of a Base64 string. */
export function decodeBase64Prefix(b64: string, maxBytes: number): Uint8Array {
  const chars = Math.min(b64.length, Math.ceil(maxBytes / 3) * 4);
  const bin = atob(b64.slice(0, chars));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function readImageHeader(bytes: Uint8Array): ImageHeader | null {
  if (bytes.length >= 24 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) {
    // IHDR is always the first chunk: width and height are big-endian at 16 and 20.
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return { format: "png", width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8) return readJpegSize(bytes);
  return null;
}

// Walks JPEG segments to the first start-of-frame marker, which holds the size.
function readJpegSize(b: Uint8Array): ImageHeader | null {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1];
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    const len = (b[i + 2] << 8) | b[i + 3];
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      const height = (b[i + 5] << 8) | b[i + 6];
      const width = (b[i + 7] << 8) | b[i + 8];
      return { format: "jpeg", width, height };
    }
    if (len < 2) return null;
    i += 2 + len;
  }
  return null;
}
