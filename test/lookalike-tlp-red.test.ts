// A look-alike host of a name listed only at TLP:RED (1c0479d, a678e93): the alert's explanation and the evidence's
// mark named the listed name, and the case's files (JSON, printable), which leave out TLP:RED matches, carried it
// in both. A TLP:RED entry never leaves the member that holds it: the explanation says the name is on a TLP:RED
// list without naming it, the evidence mark says so too (the case page still names it to the reviewer), and the
// files leave the name out. A name also listed at another level is no secret and stays.
// Non-Latin letters are escapes: in a literal, Cyrillic ѕ and Latin s cannot be told apart.
import { beforeEach, describe, expect, it } from "vitest";
import { recordCase } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";
import { engineWith, feed, indicatorSet, merchant, resetEvents } from "./helpers/events.js";
import { FSL_RULE } from "./helpers/rules.js";

/** Cyrillic small dze, drawn like s */
const DZE = "\u0455";
const SET = indicatorSet([
  { id: "red-dom", kind: "domain", value: "secret-a.example", tlp: "red" },
  { id: "green-dom", kind: "domain", value: "shop-g.example", tlp: "green" },
]);
const RED_ALIKE = `https://${DZE}ecret-a.example/`;
const GREEN_ALIKE = `https://${DZE}hop-g.example/`;

beforeEach(() => resetEvents());

const openWeb = embeddedWeb();

describe("a look-alike of a name listed at TLP:RED", { timeout: 60_000 }, () => {
  it("is explained without the name, and the case's files leave it out; the page names it to the reviewer", async () => {
    const engine = engineWith(FSL_RULE, SET);
    const alerts = feed(engine, [merchant({ websites: [RED_ALIKE, GREEN_ALIKE] })]);
    const alert = alerts.at(-1)!;
    const signal = alert.signals.find((s) => s.rule === "fsl")!;
    expect(signal.explanation).not.toContain("secret-a.example");
    expect(signal.explanation).toContain("TLP:RED");
    // the GREEN entry's name is no secret
    expect(signal.explanation).toContain("shop-g.example");
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, alert);
    const ann = await bearer(auth, "ann");
    const get = async (url: string) => (await app.inject({ method: "GET", url, headers: ann })).body;
    // the reviewer sees which listed name it looks like
    expect(await get(`/cases/${caseId}`)).toContain("secret-a.example");
    for (const file of [`/api/cases/${caseId}/export`, `/cases/${caseId}/print`]) {
      const body = await get(file);
      expect(body, file).not.toContain("secret-a.example");
      expect(body, file).toContain("TLP:RED");
      expect(body, file).toContain("shop-g.example");
    }
  });
});
