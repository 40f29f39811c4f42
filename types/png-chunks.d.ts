// Types for the small PNG chunk packages (they ship none).
declare module "png-chunks-extract" {
  export type PngChunk = { name: string; data: Uint8Array };
  export default function extract(data: Uint8Array): PngChunk[];
}
declare module "png-chunks-encode" {
  export default function encode(chunks: { name: string; data: Uint8Array }[]): Uint8Array;
}
declare module "png-chunk-text" {
  export function encode(keyword: string, content: string): { name: "tEXt"; data: Uint8Array };
  export function decode(data: Uint8Array): { keyword: string; text: string };
}
