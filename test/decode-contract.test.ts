// decode() against the wire contract (/work/shared/contract/events.md): times in UTC, hashes in hex of either case,
// card networks under one name whatever the producer's spelling, and each of the service's own bounds named in the
// refusal it causes. Events go in as a producer sends them (JSON text), not through the test builders' parse.
import { beforeEach, describe, expect, it } from "vitest";
import { decode, type Decoded } from "../src/decode/decode.js";
import type { Event } from "../src/decode/events.js";
import { indicatorKey } from "../src/indicators/schema.js";
import { parseTime } from "../src/lib/time.js";
import { chargeback, crawl, engineWith, hashOf, indicatorSet, merchant, resetEvents, setClock, signalOf, tx } from "./helpers/events.js";

/** the event with some fields replaced, as JSON text through decode */
const wire = (e: Event, over: Record<string, unknown>): Decoded => decode(JSON.stringify({ ...e, ...over }));
function accepted(d: Decoded): Event {
  if (!d.ok) expect.fail(`refused: ${d.reason}`);
  return d.event;
}
const BOUND = "a bound of this service (README: Event limits)";

beforeEach(() => resetEvents());

describe("times", () => {
  it("refuses a time with an offset from UTC, saying the contract requires UTC", () => {
    for (const occurredAt of ["2026-03-01T01:00:00+02:00", "2026-03-01T09:00:00.5-05:00", "2026-03-01T09:00:00+00:30"])
      expect(wire(tx(), { occurredAt })).toEqual({
        ok: false,
        kind: "schema",
        reason: "schema: occurredAt: expected an RFC 3339 time in UTC, as 2026-03-01T09:00:00Z: the contract requires UTC, so convert a time with an offset (+02:00) to Z",
      });
  });

  it("reads RFC 3339's other spellings of UTC (t, z, +00:00, -00:00) as T and Z", () => {
    const cases = [
      ["2026-03-01T09:00:00Z", "2026-03-01T09:00:00Z"],
      ["2026-03-01t09:00:00z", "2026-03-01T09:00:00Z"],
      ["2026-03-01T09:00:00.250z", "2026-03-01T09:00:00.250Z"],
      ["2026-03-01T09:00:00+00:00", "2026-03-01T09:00:00Z"],
      ["2026-03-01t09:00:00.250-00:00", "2026-03-01T09:00:00.250Z"],
    ];
    for (const [sent, read] of cases) {
      const e = accepted(wire(tx(), { occurredAt: sent }));
      expect(e.occurredAt).toBe(read);
      expect(parseTime(e.occurredAt)).toBe(Date.parse(read!));
    }
  });
});

describe("hashes", () => {
  const upper = (label: string) => hashOf(label).toUpperCase().replace("SHA256:", "sha256:");

  it("reads upper-case hex in lower case in every hash field, as indicator sets store theirs", () => {
    const m = accepted(wire(merchant(), { contactEmail: upper("mail"), payoutAccount: upper("account"), principals: [upper("p1"), hashOf("p2")] }));
    expect(m).toMatchObject({ contactEmail: hashOf("mail"), payoutAccount: hashOf("account"), principals: [hashOf("p1"), hashOf("p2")] });
    expect(m.type === "merchant" && m.payoutAccount).toBe(indicatorKey("account-sha256", upper("account")));
    const t = accepted(wire(tx(), { card: { token: upper("card"), bin: "400000" } }));
    expect(t.type === "transaction" && t.card?.token).toBe(hashOf("card"));
    // the prefix's case too, as indicator sets read it
    expect(accepted(wire(merchant(), { contactEmail: upper("mail").toUpperCase() }))).toMatchObject({ contactEmail: hashOf("mail") });
  });

  it("a merchant sending its payout account in upper-case hex matches the lower-case indicator of it", () => {
    const rules = `
      - id: listed
        kind: listed-identifier
        weight: 90
        typology: listed-identifier
        params: { minConfidence: 50, criticalConfidence: 80 }
    `;
    const engine = engineWith(rules, indicatorSet([{ kind: "account-sha256", value: hashOf("account"), confidence: 70 }]));
    engine.process(accepted(wire(merchant(), { payoutAccount: upper("account") })));
    expect(signalOf(engine, "listed")).toMatchObject({ value: 70, detail: expect.stringMatching(/payout account/) });
  });

  it("refuses what is not sha256: and 64 hex digits", () => {
    for (const payoutAccount of [`sha256:${"g".repeat(64)}`, `sha256:${"a".repeat(63)}`, `sha1:${"a".repeat(64)}`, ` ${hashOf("x")}`])
      expect(wire(merchant(), { payoutAccount })).toMatchObject({ ok: false, reason: "schema: payoutAccount: expected sha256: followed by 64 hex digits" });
  });
});

describe("card networks", () => {
  it("are read under one lower-case name whatever the spelling; a name not known is kept as sent", () => {
    const cases: [string, string][] = [
      ["visa", "visa"],
      ["VISA", "visa"],
      ["mastercard", "mastercard"],
      ["MasterCard", "mastercard"],
      ["MC", "mastercard"],
      ["mc", "mastercard"],
      ["Master Card", "mastercard"],
      ["master-card", "mastercard"],
      ["American Express", "amex"],
      ["AMEX", "amex"],
      ["Diners Club", "diners"],
      ["China UnionPay", "unionpay"],
      ["Discover", "discover"],
      ["JCB", "jcb"],
      ["Elo", "Elo"],
      ["constructor", "constructor"],
    ];
    for (const [sent, read] of cases) expect(accepted(wire(chargeback(), { network: sent }))).toMatchObject({ network: read });
  });

  it("a Mastercard dispute spelled MC or Master Card counts toward ECP", () => {
    const ecp = `
      - id: ecp
        kind: chargeback-ratio
        weight: 60
        typology: excessive-disputes
        params:
          measure: ecp
          levels:
            - { name: "ECP watch", ratio: 0.01, minCount: 100 }
    `;
    resetEvents("2026-02-01T00:00:00Z", 60_000);
    const engine = engineWith(ecp);
    engine.process(merchant());
    for (let i = 0; i < 1000; i++) engine.process(tx({ card: { bin: "510000", country: "NL" } }));
    setClock("2026-03-01T00:00:00Z", 1000);
    const spellings = ["MC", "mc", "Master Card", "master-card"];
    for (let i = 0; i < 100; i++) engine.process(accepted(wire(chargeback(), { network: spellings[i % spellings.length] })));
    expect(signalOf(engine, "ecp")).toMatchObject({ value: 0.1, detail: expect.stringMatching(/^ECP watch: 100 /) });
  });
});

describe("the service's bounds", () => {
  const long = (n: number) => "x".repeat(n);
  const urls = (n: number) => Array.from({ length: n }, (_, i) => `https://s${i}.example/`);
  it("accepts each field at its bound and names the bound when refusing one past it", () => {
    const cases: [Event, Record<string, unknown>, Record<string, unknown>, string][] = [
      [merchant(), { eventId: long(256) }, { eventId: long(257) }, `eventId: longer than 256 characters, ${BOUND}`],
      [tx(), { merchantId: long(256) }, { merchantId: long(257) }, `merchantId: longer than 256 characters, ${BOUND}`],
      [tx(), { transactionId: long(256) }, { transactionId: long(257) }, `transactionId: longer than 256 characters, ${BOUND}`],
      [merchant(), { acquirerId: long(256) }, { acquirerId: long(257) }, `acquirerId: longer than 256 characters, ${BOUND}`],
      [merchant(), { legalName: long(512) }, { legalName: long(513) }, `legalName: longer than 512 characters, ${BOUND}`],
      [merchant(), { descriptor: long(256) }, { descriptor: long(257) }, `descriptor: longer than 256 characters, ${BOUND}`],
      [tx(), { descriptor: long(256) }, { descriptor: long(257) }, `descriptor: longer than 256 characters, ${BOUND}`],
      [merchant(), { websites: urls(256) }, { websites: urls(257) }, `websites: more than 256 entries, ${BOUND}`],
      [merchant(), { websites: [long(4096)] }, { websites: [long(4097)] }, `websites[0]: longer than 4096 characters, ${BOUND}`],
      [merchant(), { principals: Array(64).fill(hashOf("p")) }, { principals: Array(65).fill(hashOf("p")) }, `principals: more than 64 entries, ${BOUND}`],
      [merchant(), { wallets: Array(64).fill(long(256)) }, { wallets: [long(257)] }, `wallets[0]: longer than 256 characters, ${BOUND}`],
      [merchant(), { wallets: Array(64).fill("w") }, { wallets: Array(65).fill("w") }, `wallets: more than 64 entries, ${BOUND}`],
      [merchant(), { infrastructure: { ips: Array(256).fill(long(64)) } }, { infrastructure: { ips: Array(257).fill("192.0.2.1") } }, `infrastructure.ips: more than 256 entries, ${BOUND}`],
      [merchant(), { infrastructure: { analyticsIds: [long(128)] } }, { infrastructure: { analyticsIds: [long(129)] } }, `infrastructure.analyticsIds[0]: longer than 128 characters, ${BOUND}`],
      [tx(), { card: { bin: "12345678" } }, { card: { bin: "12345" } }, `card.bin: expected a BIN of 6 to 8 digits, ${BOUND}`],
      [tx(), { checkout: { url: long(4096) } }, { checkout: { referrerUrl: long(4097) } }, `checkout.referrerUrl: longer than 4096 characters, ${BOUND}`],
      [chargeback(), { network: long(32) }, { network: long(33) }, `network: longer than 32 characters, ${BOUND}`],
      [chargeback(), { reasonCode: long(16) }, { reasonCode: long(17) }, `reasonCode: longer than 16 characters, ${BOUND}`],
      [crawl(), { url: long(4096) }, { url: long(4097) }, `url: longer than 4096 characters, ${BOUND}`],
      [crawl(), { linkedUrls: urls(1024) }, { linkedUrls: urls(1025) }, `linkedUrls: more than 1024 entries, ${BOUND}`],
    ];
    for (const [e, at, past, reason] of cases) {
      accepted(wire(e, at));
      expect(wire(e, past)).toEqual({ ok: false, kind: "schema", reason: `schema: ${reason}` });
    }
  });
});

describe("strings PostgreSQL cannot store", () => {
  it("refuses an event with U+0000 or a lone surrogate in any string; a backslash before u0000 is text, a pair is a character", () => {
    const refused = { ok: false, kind: "schema", reason: "schema: a string holds U+0000 (NUL) or a lone UTF-16 surrogate, which the service cannot store: remove it before sending" };
    expect(wire(tx(), { descriptor: "SHOP\u0000ONE" })).toEqual(refused);
    expect(wire(crawl(), { linkedUrls: ["https://a.example/", "https://b.example/\u0000"] })).toEqual(refused);
    expect(wire(tx(), { "x\u0000": 1 })).toEqual(refused);
    expect(wire(tx(), { descriptor: "SHOP \ud800" })).toEqual(refused);
    expect(decode(JSON.stringify(tx()).replace('"transactionId":"', '"transactionId":"\\uDC00'))).toEqual(refused);
    expect(accepted(wire(tx(), { descriptor: "SHOP\\u0000ONE" }))).toMatchObject({ descriptor: "SHOP\\u0000ONE" });
    expect(accepted(decode(JSON.stringify(tx({ descriptor: "SHOP ONE" })).replace("SHOP ONE", "SHOP \\ud83d\\ude00")))).toMatchObject({ descriptor: "SHOP \u{1f600}" });
  });
});
