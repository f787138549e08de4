// A browser sends a textarea's text with CRLF line breaks (the HTML standard's form submission), so every save from
// the Rules page rewrote the whole file with CRLF: the history's diff of the change showed every line of the file
// removed and added again, hiding the one line the tuner changed (an allow-listed referrer), and the file on disk,
// deployed or kept in git, changed in every line. The page's save now writes the file's lines as the text has them,
// with LF breaks.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { fileVersion } from "../src/rules/history.js";
import { tunerWeb } from "./helpers/web.js";

const web = tunerWeb("rules-line-endings");
const { dir, headers, text } = web;

describe("a save from the Rules page", () => {
  it("keeps LF line breaks, so the diff of the change is the lines changed", async () => {
    const before = loadRuleSet(dir).version;
    const original = text("sites.yaml");
    const changed = original.replace("allowReferrers: [search-engine.example, social-network.example]", "allowReferrers: [search-engine.example, social-network.example, partner.example]");
    expect(changed).not.toBe(original);
    // as a browser posts the form
    const form = new URLSearchParams({ base: fileVersion(original), content: changed.replace(/\n/g, "\r\n"), note: "EX-2: a partner's referrer" });
    const res = await web.app().inject({
      method: "POST",
      url: "/rules/sites.yaml",
      headers: { ...headers(), "content-type": "application/x-www-form-urlencoded" },
      payload: form.toString(),
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).toContain("Rules changed: undisclosed-referrers (params.allowReferrers +partner.example).");
    expect(readFileSync(join(dir, "sites.yaml"), "utf8")).toBe(changed);

    const diff = await web.app().inject({ method: "GET", url: `/api/rules/diff?from=${before}`, headers: headers() });
    const lines = diff.body.split("\n").filter((l) => /^[-+](?![-+])/.test(l));
    expect(lines).toEqual(["-      allowReferrers: [search-engine.example, social-network.example]", "+      allowReferrers: [search-engine.example, social-network.example, partner.example]"]);
  });
});
