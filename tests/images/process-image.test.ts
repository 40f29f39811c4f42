import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";
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

  it("reports the size as displayed for a JPEG rotated by EXIF, like its thumbnail", async () => {
    const jpeg = await sharp({ create: { width: 600, height: 300, channels: 3, background: "#f00" } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const out = await processImage(jpeg);
    expect(out).toMatchObject({ width: 300, height: 600 });
    expect(await sharp(out.thumbnail).metadata()).toMatchObject({ width: 256, height: 512 });
  });

  it("refuses images over the pixel limit with a message that says so", async () => {
    // A small PNG whose header claims 11000×10000 pixels (no need to allocate 110 MP).
    const huge = Buffer.from(await makePng(8, 8));
    huge.writeUInt32BE(11_000, 16);
    huge.writeUInt32BE(10_000, 20);
    huge.writeUInt32BE(crc32(huge.subarray(12, 29)), 29);
    const err = await processImage(huge).catch((e) => e);
    expect(err).toBeInstanceOf(ImageError);
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/too large \(11000×10000 pixels\)/);
  });

  it("rejects a truncated image as damaged", async () => {
    const png = await makePng(300, 300);
    const err = await processImage(png.subarray(0, Math.floor(png.length / 2))).catch((e) => e);
    expect(err).toBeInstanceOf(ImageError);
    expect(err.retryable).toBe(false);
  });

  it("rejects image formats the portal does not keep", async () => {
    const gif = await sharp({ create: { width: 10, height: 10, channels: 3, background: "#fff" } })
      .gif()
      .toBuffer();
    await expect(processImage(gif)).rejects.toThrow(/not a PNG, JPEG or WebP/);
  });
});
