// How a waiting task's place reads on its card and page.
import { describe, expect, it } from "vitest";
import { aboutTime, ordinal, queueLine } from "@/app/components/queue-place";

describe("queue place text", () => {
  it("writes English ordinals, teens included", () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 103, 111].map(ordinal)).toEqual([
      "1st",
      "2nd",
      "3rd",
      "4th",
      "11th",
      "12th",
      "13th",
      "21st",
      "22nd",
      "103rd",
      "111th",
    ]);
  });

  it("rounds the estimate up to 5 s, whole minutes, or tenths of an hour", () => {
    expect([0, 3, 30, 59, 60, 61, 600, 3600, 5400].map(aboutTime)).toEqual([
      "next up",
      "about 5 s",
      "about 30 s",
      "about 1 min",
      "about 1 min",
      "about 2 min",
      "about 10 min",
      "about 1 h",
      "about 1.5 h",
    ]);
  });

  it("says the status message, the place and the estimate for a waiting task, nothing for others", () => {
    expect(queueLine({ status: "waiting", statusMsg: "Waiting for a free slot", queue: { position: 3, estimateSeconds: 45 } })).toBe(
      "Waiting for a free slot · 3rd in queue · about 45 s",
    );
    expect(queueLine({ status: "waiting", statusMsg: "", queue: null })).toBe("Waiting for a free slot");
    expect(queueLine({ status: "submitted", statusMsg: "", queue: null })).toBeNull();
  });
});
