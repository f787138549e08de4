// A tuner saving sites.yaml (a referrer allowed) while a hand edit had left descriptors.yaml invalid ("weight: 30x")
// was told "Refused; the rule set in force is unchanged. descriptors.yaml:13:13: rules[1].weight: …": an error in a
// file they had not touched, with no word of why their save was refused for it. The refusal now says so, and what to do.
import { describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { rulesPageOverCopy } from "./helpers/rules-page.js";

const rulesPage = rulesPageOverCopy("tuner-save-refused-other-file");
const ALLOW_PARTNER = (t: string) => t.replace("allowReferrers: [search-engine.example, social-network.example]", "allowReferrers: [search-engine.example, social-network.example, partner.example]");

describe("a save refused for another file", () => {
  it("says the error is in a file the rules directory holds broken, not in the one saved, and what to do", { timeout: 60_000 }, async () => {
    const { dir, save } = await rulesPage();
    const descriptors = join(dir, "descriptors.yaml");
    writeFileSync(descriptors, readFileSync(descriptors, "utf8").replace("    weight: 30\n", "    weight: 30x\n"));
    const res = await save("sites.yaml", ALLOW_PARTNER, "EX-2: a partner's referrer");
    expect(res.statusCode).toBe(400);
    const error = /<p class="error" role="alert" id="rules-error">([^]*?)<\/p>/.exec(res.body)![1]!;
    expect(error).toContain('descriptors.yaml:13:13: rules[1].weight: &quot;30x&quot; is text, not a number');
    expect(error).toContain(
      "The error is in descriptors.yaml, not in sites.yaml: a save validates the whole set, and descriptors.yaml as the rules directory holds it does not validate (changed outside this page). Correct it in its form below, or restore a version, then save sites.yaml again.",
    );
  });

  it("says nothing of the kind for an error in the file saved", { timeout: 60_000 }, async () => {
    const { save } = await rulesPage();
    const res = await save("sites.yaml", (t) => t.replace("    weight: 45\n    typology: transaction-laundering", "    weight: 45x\n    typology: transaction-laundering"), "EX-3");
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain("sites.yaml:");
    expect(res.body).not.toContain("The error is in");
  });
});
