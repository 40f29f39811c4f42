import { createHash } from "node:crypto";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { ImageError } from "@/lib/images/errors";
import { processImage } from "@/lib/images/process-image";
import { makeJpeg, makePng } from "../helpers/images";

describe("processImage", () => {
  it("measures and hashes a PNG and makes a 512 px WebP thumbnail", async () => {
    const png = await makePng(1280, 720);
    const out = await processImage(png);
    expect(out).toMatchObject({ contentType: "image/png", width: 1280, height: 720 });
    expect(out.original).toBe(png);
    expect(out.sha256).toBe(createHash("sha256").update(png).digest("hex"));
    expect(await sharp(out.thumbnail).metadata()).toMatchObject({ format: "webp", width: 512, height: 288 });
  });

  it("keeps JPEGs as they are and never enlarges small images", async () => {
    const jpeg = await makeJpeg(400, 300);
    const out = await processImage(jpeg);
    expect(out.contentType).toBe("image/jpeg");
    expect(await sharp(out.thumbnail).metadata()).toMatchObject({ width: 400, height: 300 });
  });

  it("rejects bytes that are not an image, for good", async () => {
    const err = await processImage(Buffer.from("<html>not an image</html>")).catch((e) => e);
    expect(err).toBeInstanceOf(ImageError);
    expect(err.retryable).toBe(false);
  });

  it("rejects image formats the portal does not keep", async () => {
    const gif = await sharp({ create: { width: 10, height: 10, channels: 3, background: "#fff" } }).gif().toBuffer();
    await expect(processImage(gif)).rejects.toThrow(/not a PNG, JPEG or WebP/);
  });
});
