// A case's evidence and look-alike hosts (1c0479d): flagged-site-link raised a signal on a host drawn like a listed
// name, and its explanation said so, but the evidence kept with the alert marked nothing: a crawl's look-alike link was
// not kept first among its links (so cut with the benign ones), and the case page, its JSON and its printable file
// listed the address like any other. Each address an indicator matched is now marked in the evidence: listed, or a
// look-alike of a listed name (which one; a listed page by its host only), masked as host and hash where addresses are.
// Non-Latin letters are escapes: in a literal, Cyrillic ѕ and Latin s cannot be told apart.
import { beforeEach, describe, expect, it } from "vitest";
import { summariseEvent } from "../src/state/evidence.js";
import { urlHash } from "../src/cases/store.js";
import { urlHost } from "../src/lib/url.js";
import { recordCase } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";
import { crawl, engineWith, feed, indexOf, indicatorSet, merchant, resetEvents, tx } from "./helpers/events.js";
import { FSL_RULE } from "./helpers/rules.js";

/** Cyrillic small dze, drawn like s */
const DZE = "\u0455";
/** Cyrillic small a, drawn like a */
const A_CYR = "\u0430";
const SET = indicatorSet([
  { id: "dom", kind: "domain", value: "shop-a.example" },
  { id: "page", kind: "url", value: "https://pages.example/album/17", confidence: 85 },
  { id: "exact", kind: "domain", value: "listed-b.example" },
]);
/** a website on a look-alike of the listed shop-a.example, with a path of its own */
const ALIKE = `https://${DZE}hop-a.example/entry-path`;
const ALIKE_HOST = urlHost(ALIKE)!;
/** the listed page on a look-alike host: its path is the listed page's, never to be shown */
const ALIKE_PAGE = `https://p${A_CYR}ges.example/album/17`;
const LISTED = "https://listed-b.example/x";
const at = (e: { occurredAt: string }) => Date.parse(e.occurredAt);
const text = (html: string) => html.replace(/<[^>]+>/g, "");
/** The text of each line (a <div>) of the evidence table's row of an event. */
const linesOf = (page: string, eventId: string): string[] => {
  const t = page.slice(page.indexOf('<table id="evidence"'), page.indexOf("</table>", page.indexOf('<table id="evidence"')));
  const row = t.split("<tr").find((r) => r.includes(`id="ev-${eventId}"`)) ?? "";
  return row.split("<div>").slice(1).map(text);
};

beforeEach(() => resetEvents());

describe("the evidence kept of an event", () => {
  const index = indexOf(SET);

  it("keeps a crawl's look-alike links first with the listed ones, and says which name each looks like", () => {
    const links = Array.from({ length: 20 }, (_, i) => `https://benign-${i}.example/`);
    const c = crawl({ linkedUrls: [...links, ALIKE, LISTED, ALIKE_PAGE] });
    const s = summariseEvent(c, index, at(c));
    expect(s.linkedUrls!.slice(0, 3)).toEqual([ALIKE, LISTED, ALIKE_PAGE]);
    expect(s.flagged).toEqual([
      { url: ALIKE, lookAlikeOf: [{ name: "shop-a.example", page: false }] },
      { url: LISTED },
      { url: ALIKE_PAGE, lookAlikeOf: [{ name: "pages.example", page: true }] },
    ]);
  });

  it("marks a transaction's checkout and referrer and a profile's websites; nothing when nothing matched", () => {
    const t = tx({ checkout: { url: LISTED, referrerUrl: ALIKE } });
    expect(summariseEvent(t, index, at(t)).flagged).toEqual([{ url: LISTED }, { url: ALIKE, lookAlikeOf: [{ name: "shop-a.example", page: false }] }]);
    const m = merchant({ websites: ["https://shop.example/", ALIKE] });
    expect(summariseEvent(m, index, at(m)).flagged).toEqual([{ url: ALIKE, lookAlikeOf: [{ name: "shop-a.example", page: false }] }]);
    const plain = tx({ checkout: { url: "https://shop.example/pay" } });
    expect(summariseEvent(plain, index, at(plain))).not.toHaveProperty("flagged");
  });
});

const openWeb = embeddedWeb();

describe("a case's evidence of a look-alike host", { timeout: 60_000 }, () => {
  it("says on the page, in the JSON, the case file and the printable file which listed name an address looks like", async () => {
    const engine = engineWith(FSL_RULE, SET);
    const boarded = merchant({ websites: [ALIKE] });
    const crawled = crawl({ linkedUrls: [ALIKE_PAGE, LISTED] });
    const alerts = feed(engine, [boarded, crawled]);
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, alerts.at(-1)!);
    const ann = await bearer(auth, "ann");
    const get = async (url: string) => (await app.inject({ method: "GET", url, headers: ann })).body;

    const page = await get(`/cases/${caseId}`);
    const [website] = linesOf(page, boarded.eventId);
    expect(website).toMatch(new RegExp(`^website: ${ALIKE_HOST.replace(/\./g, "\\.")} sha256:`));
    expect(website).toContain(`look-alike of the listed shop-a.example (drawn as ${DZE}hop-a.example), not listed itself`);
    const [, page17, listed] = linesOf(page, crawled.eventId);
    expect(page17).toMatch(/^links to: xn--/);
    expect(page17).toContain(`look-alike of pages.example, the host of a listed page (drawn as p${A_CYR}ges.example), not listed itself`);
    expect(listed).toMatch(/^links to: listed-b\.example sha256:.*listed$/);
    // as host and hash: neither the merchant's path nor the listed page's
    for (const body of [page, await get(`/api/cases/${caseId}`), await get(`/cases/${caseId}/print`)]) {
      expect(body).not.toContain("entry-path");
      expect(body).not.toContain("album/17");
    }

    // the JSON API masks the marked addresses as it masks the others
    const api = JSON.parse(await get(`/api/cases/${caseId}`)) as { context: { events: { eventId: string; flagged?: unknown }[] } };
    expect(api.context.events.find((e) => e.eventId === boarded.eventId)!.flagged).toEqual([
      { url: { host: ALIKE_HOST, sha256: urlHash(ALIKE) }, lookAlikeOf: [{ name: "shop-a.example", page: false }] },
    ]);

    // the case file (addresses in full, audited) marks each address
    const file = JSON.parse(await get(`/api/cases/${caseId}/export`)) as { evidence: { eventId: string; urls: unknown[] }[] };
    expect(file.evidence.find((e) => e.eventId === boarded.eventId)!.urls).toEqual([
      { url: ALIKE, sha256: urlHash(ALIKE), role: "website", lookAlikeOf: [{ name: "shop-a.example", page: false }] },
    ]);
    expect(file.evidence.find((e) => e.eventId === crawled.eventId)!.urls).toEqual([
      { url: "https://shop.example/", sha256: urlHash("https://shop.example/"), role: "crawled page" },
      { url: ALIKE_PAGE, sha256: urlHash(ALIKE_PAGE), role: "links to", lookAlikeOf: [{ name: "pages.example", page: true }] },
      { url: LISTED, sha256: urlHash(LISTED), role: "links to", listed: true },
    ]);

    // the printable file says it as the page does
    const printed = linesOf(await get(`/cases/${caseId}/print`), boarded.eventId);
    expect(printed[0]).toContain("look-alike of the listed shop-a.example");
  });
});
