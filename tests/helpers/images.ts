// Real image bytes for tests, made with sharp.
import sharp from "sharp";

export async function makePng(width: number, height: number, color = "#3366cc"): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: color } })
    .png()
    .toBuffer();
}

export async function makeJpeg(width: number, height: number, color = "#cc6633"): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: color } })
    .jpeg()
    .toBuffer();
}
