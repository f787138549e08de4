// An event's summary, as a merchant's state keeps it and its alerts and checkpoints write it: its fields in one order
// (the bytes of an alert or a checkpoint follow it), `flagged` last and only when an address is flagged, each address once.
import { beforeEach, describe, expect, it } from "vitest";
import { summariseEvent } from "../src/state/evidence.js";
import { chargeback, crawl, indexOf, indicatorSet, merchant, resetEvents, tx } from "./helpers/events.js";

beforeEach(() => resetEvents("2026-03-10T12:00:00Z"));

const at = (e: { occurredAt: string }) => Date.parse(e.occurredAt);
const LISTED = "https://flagged-a.example/shop";
const index = () => indexOf(indicatorSet([{ kind: "domain", value: "flagged-a.example" }]));

describe("event summaries", () => {
  it("a sale: its fields in order, flagged last, an address that is checkout and referrer flagged once", () => {
    const t = tx({ checkout: { url: LISTED, referrerUrl: LISTED } });
    const s = summariseEvent(t, index(), at(t));
    expect(Object.keys(s)).toEqual([
      "eventId",
      "type",
      "occurredAt",
      "transactionId",
      "amountMinor",
      "currency",
      "status",
      "channel",
      "recurring",
      "cardCountry",
      "descriptor",
      "checkoutUrl",
      "referrerUrl",
      "flagged",
    ]);
    expect(s.flagged).toEqual([{ url: LISTED }]);
    const plain = tx({ checkout: { url: "https://shop.example/", referrerUrl: "https://search.example/" } });
    expect(Object.keys(summariseEvent(plain, index(), at(plain)))).not.toContain("flagged");
  });

  it("a chargeback, a profile and a crawl: their fields in order", () => {
    const c = chargeback();
    expect(Object.keys(summariseEvent(c, index(), at(c)))).toEqual(["eventId", "type", "occurredAt", "transactionId", "amountMinor", "currency", "network", "reasonCode", "kind"]);
    const m = merchant({ websites: [LISTED, "https://other.example/", LISTED] });
    const ms = summariseEvent(m, index(), at(m));
    expect(Object.keys(ms)).toEqual(["eventId", "type", "occurredAt", "descriptor", "flagged"]);
    expect(ms.flagged).toEqual([{ url: LISTED }]);
    const o = crawl({ url: LISTED, linkedUrls: ["https://other.example/", LISTED] });
    const os = summariseEvent(o, index(), at(o));
    expect(Object.keys(os)).toEqual(["eventId", "type", "occurredAt", "url", "linkedUrls", "linkedCount", "contentDiffersByReferrer", "flagged"]);
    expect(os.flagged).toEqual([{ url: LISTED }]);
    expect(os.linkedUrls).toEqual([LISTED, "https://other.example/"]);
  });
});
