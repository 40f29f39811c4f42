// Generation settings carried inside a downloaded PNG, as text chunks under the
// `parameters` keyword Automatic1111 and InvokeAI read, plus `kling-portal`
// (JSON) so the portal's own form can load them back exactly. Shared by the
// server (writing on download) and the browser (reading a dropped file).
import extract from "png-chunks-extract";
import encode from "png-chunks-encode";
import * as text from "png-chunk-text";

export type ImageParameters = {
  prompt: string;
  negative_prompt: string | null;
  aspect_ratio: string;
  image_fidelity: number;
  reference: boolean;
  task_id: string;
  provider: string;
  width: number;
  height: number;
};

const JSON_KEYWORD = "kling-portal";

/** The Automatic1111 layout: prompt, then "Negative prompt: …", then "Key: value, …". */
export function parametersText(p: ImageParameters): string {
  const fields = [
    `Aspect ratio: ${p.aspect_ratio}`,
    `Size: ${p.width}x${p.height}`,
    ...(p.reference ? [`Fidelity: ${p.image_fidelity}`] : []),
    `Task id: ${p.task_id}`,
    `Provider: ${p.provider}`,
    "Model: Kling",
  ];
  return [p.prompt, ...(p.negative_prompt ? [`Negative prompt: ${p.negative_prompt}`] : []), fields.join(", ")].join("\n");
}

// tEXt holds Latin-1 without NUL (the keyword separator); anything else goes in iTXt.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the range is the point.
const latin1 = (s: string) => /^[\x01-\xff]*$/.test(s);

/** tEXt when the text is Latin-1 (what every reader handles), else iTXt (UTF-8), as Pillow and A1111 do. */
function textChunk(keyword: string, value: string): { name: string; data: Uint8Array } {
  if (latin1(value)) return text.encode(keyword, value);
  const utf8 = new TextEncoder().encode(value);
  const head = new TextEncoder().encode(keyword);
  // keyword \0, compression flag 0, method 0, empty language tag \0, empty translated keyword \0, text.
  const data = new Uint8Array(head.length + 5 + utf8.length);
  data.set(head, 0);
  data.set(utf8, head.length + 5);
  return { name: "iTXt", data };
}

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length > 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
}

/** The PNG with the settings written right after its header (earlier copies replaced). */
export function withParameters(png: Uint8Array, p: ImageParameters): Uint8Array {
  const chunks = extract(png).filter((c) => !((c.name === "tEXt" || c.name === "iTXt") && [JSON_KEYWORD, "parameters"].includes(chunkKeyword(c.data))));
  const ours = [textChunk("parameters", parametersText(p)), textChunk(JSON_KEYWORD, JSON.stringify(p))];
  return encode([chunks[0]!, ...ours, ...chunks.slice(1)]);
}

function chunkKeyword(data: Uint8Array): string {
  const end = data.indexOf(0);
  return new TextDecoder("latin1").decode(data.subarray(0, end < 0 ? data.length : end));
}

/** Every text chunk of a PNG as keyword → text (tEXt and uncompressed iTXt). */
export function readPngText(png: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of extract(png)) {
    if (c.name === "tEXt") {
      const { keyword, text: value } = text.decode(c.data);
      out[keyword] = value;
    } else if (c.name === "iTXt") {
      const keyword = chunkKeyword(c.data);
      let i = keyword.length + 1;
      if (c.data[i] !== 0) continue; // compressed: not written by us
      i += 2;
      i = c.data.indexOf(0, i) + 1; // language tag
      i = c.data.indexOf(0, i) + 1; // translated keyword
      out[keyword] = new TextDecoder().decode(c.data.subarray(i));
    }
  }
  return out;
}

/** The portal's own settings from a PNG it produced, or null. */
export function readImageParameters(png: Uint8Array): ImageParameters | null {
  if (!isPng(png)) return null;
  try {
    const raw = readPngText(png)[JSON_KEYWORD];
    const parsed = raw ? (JSON.parse(raw) as Partial<ImageParameters>) : null;
    return parsed && typeof parsed.prompt === "string" && typeof parsed.aspect_ratio === "string" ? (parsed as ImageParameters) : null;
  } catch {
    return null;
  }
}
