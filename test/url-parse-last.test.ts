// parseHttpUrl gives the URL it parsed last again for the same string: the indicator index's memo and the host memo
// each parse an address neither has seen (a new merchant's website, a referrer that comes once), one after the other.
import { describe, expect, it } from "vitest";
import { parseHttpUrl, urlHost } from "../src/lib/url.js";
import { indexOf, indicatorSet } from "./helpers/events.js";

describe("parseHttpUrl", () => {
  it("parses a string asked again at once a single time, any other afresh", () => {
    const a = parseHttpUrl("https://shop-a.example/checkout?x=1");
    expect(parseHttpUrl("https://shop-a.example/checkout?x=1")).toBe(a);
    const b = parseHttpUrl("https://shop-b.example/");
    expect(b).not.toBe(a);
    expect(b?.hostname).toBe("shop-b.example");
    const again = parseHttpUrl("https://shop-a.example/checkout?x=1");
    expect(again).not.toBe(a);
    expect(again?.href).toBe(a?.href);
    // an answer of null is kept as well, and a string that differs by its spaces is another string
    expect([parseHttpUrl("javascript:void(0)"), parseHttpUrl("javascript:void(0)")]).toEqual([null, null]);
    expect(parseHttpUrl(" https://shop-a.example/checkout?x=1 ")?.href).toBe(a?.href);
  });

  it("the index and the host memo read a new address alike, whichever parses it first", () => {
    const index = indexOf(indicatorSet([{ kind: "domain", value: "listed-a.example" }]));
    const at = Date.parse("2026-03-10T12:00:00Z");
    const ref = "https://WWW.Listed-A.example/post/41?utm_source=x";
    expect(index.matchUrl(ref, at)).toHaveLength(1);
    expect(urlHost(ref)).toBe("listed-a.example");
    const other = "https://forum.listed-a.example/post/42";
    expect(urlHost(other)).toBe("forum.listed-a.example");
    expect(index.matchUrl(other, at)).toHaveLength(1);
  });
});
