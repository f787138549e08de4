// A save or a restore said only the new version, so a tuner who emptied a file or saved the wrong one learnt nothing
// of the rules it took out of force (and a set's version says nothing of its rules). The API's answer and the page's
// notice now name the rules the save added, removed and changed against the set it replaced.
import { describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { fileVersion } from "../src/rules/history.js";
import { tunerWeb } from "./helpers/web.js";

const web = tunerWeb("rules-save-changes");
const { dir, headers, text } = web;
const original = loadRuleSet(dir).version;

describe("a save names the rules it changed", () => {
  it("an emptied file: its rules removed", async () => {
    const res = await web.app().inject({ method: "PUT", url: "/api/rules/descriptors.yaml?note=test", headers: { ...headers(), "content-type": "text/plain", "if-match": `"${fileVersion(text("descriptors.yaml"))}"` }, payload: "" });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().rules).toEqual({ added: [], removed: ["descriptor-churn", "descriptor-keywords"], changed: [] });
  });

  it("a page save: the rule it put in shadow changed, in the notice", async () => {
    const content = text("sites.yaml").replace("typology: disguised-site", "typology: disguised-site\n    mode: shadow");
    const res = await web.app().inject({ method: "POST", url: "/rules/sites.yaml", headers: headers(), payload: { content, base: fileVersion(text("sites.yaml")), note: "test" } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain("sites.yaml saved: rule set version sha256:");
    expect(res.body).toContain("Rules changed: cloaked-content (mode live → shadow).");
  });

  it("a restore: what it brings back", async () => {
    const res = await web.app().inject({ method: "POST", url: `/api/rules/versions/${original}/restore?note=test`, headers: headers() });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      id: "efc-default",
      version: original,
      rules: { added: ["descriptor-churn", "descriptor-keywords"], removed: [], changed: ["cloaked-content"] },
      doubts: [],
    });
  });

  it("over a directory a hand edit broke: against the set in force", async () => {
    writeFileSync(join(dir, "broken.yaml"), "rules:\n  - id: broken\n    kind: no-such-kind\n");
    const res = await web.app().inject({ method: "PUT", url: "/api/rules/broken.yaml?note=test", headers: { ...headers(), "content-type": "text/plain", "if-match": `"${fileVersion(text("broken.yaml"))}"` }, payload: "rules: []\n" });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ version: original, rules: { added: [], removed: [], changed: [] } });
  });
});
