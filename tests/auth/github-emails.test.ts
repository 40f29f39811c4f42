import { describe, expect, it } from "vitest";
import { verifiedPrimaryEmail } from "@/lib/auth/github-emails";

describe("verifiedPrimaryEmail", () => {
  it("takes the primary address only when GitHub verified it", () => {
    expect(
      verifiedPrimaryEmail([
        { email: "a@x.com", primary: false, verified: true },
        { email: "p@x.com", primary: true, verified: true },
      ]),
    ).toBe("p@x.com");
    expect(
      verifiedPrimaryEmail([
        { email: "a@x.com", primary: false, verified: true },
        { email: "p@x.com", primary: true, verified: false },
      ]),
    ).toBeNull();
    expect(verifiedPrimaryEmail([])).toBeNull();
    expect(verifiedPrimaryEmail({ message: "Bad credentials" })).toBeNull();
  });
});
