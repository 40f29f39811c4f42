import { describe, expect, it } from "vitest";
import { asSentence } from "@/app/components/field-message";
import { createTaskSchema } from "@/lib/tasks/schema";

describe("form errors read as sentences", () => {
  it("names the field in the form's words, capitalised, with a full stop", () => {
    expect(asSentence("prompt", "prompt is required")).toBe("The prompt is required.");
    expect(asSentence("image_fidelity", "image_fidelity must be between 0 and 1")).toBe("Reference strength must be between 0 and 1.");
    expect(asSentence("image", "image: each side must be at least 300 px (got 10×10)")).toBe(
      "The reference image: each side must be at least 300 px (got 10×10).",
    );
    expect(asSentence("form", "Could not start the generation.")).toBe("Could not start the generation.");
  });

  it("leaves no API field name in any message the generate schema gives", () => {
    const bad = [
      {},
      { prompt: "x".repeat(600) },
      { prompt: "a", negative_prompt: "x".repeat(300) },
      { prompt: "a", image_fidelity: 2 },
      { prompt: "a", n: 12 },
      { prompt: "a", aspect_ratio: "5:1" },
      { prompt: "a", image: "not base64!" },
    ];
    for (const body of bad) {
      const parsed = createTaskSchema.safeParse(body);
      expect(parsed.success).toBe(false);
      for (const issue of parsed.error!.issues) {
        const text = asSentence(String(issue.path[0]), issue.message);
        expect(text, JSON.stringify(body)).not.toMatch(/\b(negative_prompt|image_fidelity|aspect_ratio)\b|^(prompt|n|image)\b/);
        expect(text).toMatch(/^[A-Z].*[.!?…]$/);
      }
    }
  });
});
