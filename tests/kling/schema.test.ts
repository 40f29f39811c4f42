import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ASPECT_RATIOS,
  errorResponseSchema,
  imageSizeFor,
  isHttpLink,
  klingImageRequestSchema,
  notFoundResponseSchema,
  statusRequestSchema,
  statusResponseSchema,
  submitResponseSchema,
} from "@/lib/kling/schema";
import { makeJpeg, makePng } from "../helpers/images";

// The seed's own JSON examples, verbatim.
const SEED_SUBMIT = `{ "data": { "code": 0, "message": "SUCCEED", "request_id": "ChE1cmdAL6YAAAAAAQXcUg", "data": { "task_id": "ChE1cmdAL6YAAAAAAQXcUg", "task_status": "submitted", "created_at": 1732788384315, "updated_at": 1732788384315 } } }`;
const SEED_STATUS = `{ "task_id": "CjNSIWdD6DYAAAAAAI1tSg", "task_status": "succeed", "task_status_msg": "", "task_result": { "images": [{ "index": 0, "url": "https://cdn.klingai.com/bs2/upload-kling-api/7128237050/image/CjNSIWdD6DYAAAAAAI1tSg-0_raw_image_0.png" }] }, "created_at": 1732789055592, "updated_at": 1732789063868 }`;
const SEED_NOT_FOUND = `{ "task_status": "failed", "task_status_msg": "task not found" }`;
const SEED_REQUEST = `{ "prompt": "Sparrow bird flying", "negative_prompt": "dark background, blurry details" }`;
const SEED_BASE64_SAMPLE = "iVBORw0KGgoAAAANSUhEUgAAAAUAAAAFCAYAAACNbyblAAAAHElEQVQI12P4//8/w38GIAXDIBKE0DHxgljNBAAO9TXL0Y4OHwAAAABJRU5ErkJggg==";

const parse = (body: unknown) => klingImageRequestSchema.safeParse(body);
const messages = (body: unknown) => {
  const r = parse(body);
  return r.success ? [] : r.error.issues.map((i) => i.message);
};

describe("seed response bodies", () => {
  it("accepts the seed's submit, status, not-found and error examples", () => {
    expect(submitResponseSchema.parse(JSON.parse(SEED_SUBMIT)).data.data.task_status).toBe("submitted");
    const status = statusResponseSchema.parse(JSON.parse(SEED_STATUS));
    expect(status.task_result.images[0].url).toMatch(/^https:\/\/cdn\.klingai\.com\//);
    expect(notFoundResponseSchema.parse(JSON.parse(SEED_NOT_FOUND)).task_status_msg).toBe("task not found");
    for (const error of ["Invalid request parameters", "Invalid or missing authentication", "Rate limit exceeded, please retry later"]) {
      expect(errorResponseSchema.parse({ error }).error).toBe(error);
    }
  });
});

describe("klingImageRequestSchema", () => {
  it("accepts the seed's request example and fills the documented defaults", () => {
    expect(klingImageRequestSchema.parse(JSON.parse(SEED_REQUEST))).toEqual({
      prompt: "Sparrow bird flying",
      negative_prompt: "dark background, blurry details",
      image_fidelity: 0.5,
      n: 1,
      aspect_ratio: "16:9",
    });
  });

  it("accepts prompts of 1 to 500 characters and rejects longer or empty ones", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 500, unit: "grapheme-ascii" }).filter((s) => s.trim().length > 0),
        (p) => parse({ prompt: p }).success,
      ),
    );
    fc.assert(fc.property(fc.integer({ min: 501, max: 2000 }), (len) => !parse({ prompt: "a".repeat(len) }).success));
    expect(messages({ prompt: "   " })).toContain("prompt is required");
    expect(messages({})[0]).toMatch(/^prompt/);
    expect(messages({ prompt: "x".repeat(501) })).toContain("prompt must be at most 500 characters");
  });

  it("counts characters, not UTF-16 units: 500 emoji are a valid prompt", () => {
    expect(parse({ prompt: "🐦".repeat(500) }).success).toBe(true);
    expect(parse({ prompt: "🐦".repeat(501) }).success).toBe(false);
  });

  it("limits negative_prompt to 200 characters", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 200 }), (len) => parse({ prompt: "p", negative_prompt: "n".repeat(len) }).success));
    fc.assert(fc.property(fc.integer({ min: 201, max: 1000 }), (len) => !parse({ prompt: "p", negative_prompt: "n".repeat(len) }).success));
  });

  it("accepts exactly the integers 1 to 9 for n", () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.double({ noNaN: false })), (n) => {
        const ok = Number.isInteger(n) && n >= 1 && n <= 9;
        return parse({ prompt: "p", n }).success === ok;
      }),
    );
    expect(parse({ prompt: "p", n: "4" }).success).toBe(false);
  });

  it("accepts exactly image_fidelity in [0, 1]", () => {
    fc.assert(fc.property(fc.double({ min: -5, max: 5, noNaN: true }), (f) => parse({ prompt: "p", image_fidelity: f }).success === (f >= 0 && f <= 1)));
    expect(parse({ prompt: "p", image_fidelity: Number.NaN }).success).toBe(false);
  });

  it("accepts exactly the seven documented aspect ratios", () => {
    for (const r of ASPECT_RATIOS) expect(parse({ prompt: "p", aspect_ratio: r }).success).toBe(true);
    fc.assert(fc.property(fc.string(), (r) => parse({ prompt: "p", aspect_ratio: r }).success === (ASPECT_RATIOS as readonly string[]).includes(r)));
  });

  it("accepts http(s) callback URLs only", () => {
    expect(parse({ prompt: "p", callback_url: "https://example.com/hook?x=1" }).success).toBe(true);
    for (const bad of ["ftp://example.com/x", "example.com/hook", "javascript:alert(1)", "http://"]) {
      expect(messages({ prompt: "p", callback_url: bad })).toContain("must be an http(s) URL");
    }
  });

  it("rejects unknown fields by name", () => {
    const r = parse({ prompt: "p", seed: 3 });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({ code: "unrecognized_keys", keys: ["seed"] });
  });

  it("accepts Base64 PNG and JPEG references with both sides at least 300 px", async () => {
    const png = (await makePng(300, 420)).toString("base64");
    const jpeg = (await makeJpeg(640, 300)).toString("base64");
    expect(parse({ prompt: "p", image: png }).success).toBe(true);
    expect(parse({ prompt: "p", image: jpeg }).success).toBe(true);
    expect(parse({ prompt: "p", image: "https://example.com/ref.png" }).success).toBe(true);
  });

  it("tells an http(s) link from Base64 data in an image field, whatever the scheme's case", () => {
    for (const link of ["https://example.com/a.png", "HTTP://example.com/a.png", "Https://x"]) expect(isHttpLink(link)).toBe(true);
    // Base64 may begin with letters that spell a scheme, never with "://".
    for (const data of ["aHR0cHM6Ly9leGFtcGxl", "httpsAAAA", "ftp://example.com/a.png", " https://x"]) expect(isHttpLink(data)).toBe(false);
    expect(parse({ prompt: "p", image: "HTTPS://example.com/ref.png" }).success).toBe(true);
  });

  it("rejects references that are small, not images, prefixed or too large, naming the field", async () => {
    expect(messages({ prompt: "p", image: (await makePng(299, 800)).toString("base64") })).toEqual(["image: each side must be at least 300 px (got 299×800)"]);
    expect(messages({ prompt: "p", image: SEED_BASE64_SAMPLE })[0]).toMatch(/^image: each side must be at least 300 px \(got 5×5\)/);
    expect(messages({ prompt: "p", image: Buffer.from("GIF89a not really").toString("base64") })).toEqual(["image: must be a PNG or JPEG image"]);
    expect(messages({ prompt: "p", image: "not base64 at all!" })[0]).toMatch(/^image: must be an http\(s\) URL or Base64/);
    expect(messages({ prompt: "p", image: `data:image/png;base64,${SEED_BASE64_SAMPLE}` })).toEqual(["image: send raw Base64 without the data: prefix"]);
    const big = Buffer.alloc(10 * 1024 * 1024 + 3);
    (await makePng(400, 400)).copy(big);
    expect(messages({ prompt: "p", image: big.toString("base64") })).toEqual(["image: must be at most 10 MB"]);
  });
});

describe("imageSizeFor", () => {
  it("gives each ratio exactly, with a long side of at least 1024 px", () => {
    for (const r of ASPECT_RATIOS) {
      const [a, b] = r.split(":").map(Number);
      const { width, height } = imageSizeFor(r);
      expect(width * b).toBe(height * a);
      expect(Math.max(width, height)).toBeGreaterThanOrEqual(1024);
    }
  });
});

describe("text the database and readers can take", () => {
  it("refuses a NUL, other control characters and lone surrogates in prompt and negative_prompt, naming the field", () => {
    expect(messages({ prompt: "a\u0000b" })).toEqual(["prompt must not contain control characters (it has a NUL byte)"]);
    expect(messages({ prompt: "a\u001bb" })).toEqual(["prompt must not contain control characters"]);
    expect(messages({ prompt: "a\ud800b" })).toEqual(["prompt must be valid Unicode text (it has a lone surrogate)"]);
    expect(messages({ prompt: "p", negative_prompt: "\udc00" })).toEqual(["negative_prompt must be valid Unicode text (it has a lone surrogate)"]);
    expect(messages({ prompt: "p", negative_prompt: "x\u0000" })[0]).toMatch(/^negative_prompt must not contain control/);
  });

  it("keeps tabs, line breaks and emoji (surrogate pairs) in prompts", () => {
    expect(parse({ prompt: "line one\nline two\r\n\tindented 🐦" }).success).toBe(true);
  });

  it("refuses control characters in callback_url and image URLs, which would be stored as sent", () => {
    expect(messages({ prompt: "p", callback_url: "https://example.com/\u0000" })[0]).toMatch(/control characters/);
    expect(messages({ prompt: "p", image: "https://example.com/a\u0000.png" })[0]).toMatch(/^image:/);
  });

  it("refuses a task_id with a NUL or a lone surrogate", () => {
    expect(statusRequestSchema.safeParse({ task_id: "abc\u0000" }).error?.issues[0].message).toMatch(/^task_id must not contain control/);
    expect(statusRequestSchema.safeParse({ task_id: "\ud800" }).error?.issues[0].message).toMatch(/^task_id must be valid Unicode/);
    expect(statusRequestSchema.safeParse({ task_id: "ChGl3Gc7D_cAAAXXXXXXXX" }).success).toBe(true);
  });

  it("never accepts a prompt with a NUL or a lone surrogate, wherever it sits", () => {
    const bad = fc.constantFrom("\u0000", "\ud800", "\udfff", "\u0007", "\u007f");
    fc.assert(
      fc.property(fc.string(), bad, fc.string(), (a, x, b) => {
        expect(parse({ prompt: `p${a}${x}${b}`.slice(0, 400) + x }).success).toBe(false);
      }),
    );
  });
});
