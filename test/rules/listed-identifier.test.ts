import { beforeEach, describe, expect, it } from "vitest";
import type { MerchantEvent } from "../../src/decode/events.js";
import type { IndicatorKind } from "../../src/indicators/schema.js";
import { chargeback, crawl, engineWith, feed, hashOf, indicatorSet, merchant, resetEvents, signalOf, tx, M1, M2 } from "../helpers/events.js";
import { LISTED_RULE } from "../helpers/rules.js";

const EMAIL = hashOf("owner@shop.example");
const ACCOUNT = hashOf("payout-account-1");
const PRINCIPAL = hashOf("principal-2");
const WALLET = "wallet-test-0001";
const src = { set: "ids-test", source: "member:acquirer-test" };
const ref = (id: string, confidence: number) => ({ ...src, id, confidence });
const setOf = (entries: Parameters<typeof indicatorSet>[0]) => indicatorSet(entries, { id: src.set, source: src.source });

beforeEach(() => resetEvents());

describe("listed-identifier", () => {
  it("matches a listed merchant ID on the merchant's first event, whatever its type", () => {
    const engine = engineWith(LISTED_RULE, setOf([{ id: "mid", kind: "merchant-id", value: M1, confidence: 70 }]));
    const t = tx();
    const alerts = feed(engine, [t]);
    expect(signalOf(engine, "listed")).toEqual({
      value: 70,
      threshold: 50,
      strength: 0.7,
      critical: false,
      eventIds: [t.eventId],
      indicators: [ref("mid", 70)],
      detail: "merchant ID",
      since: t.occurredAt,
    });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ score: 63, severity: "medium", typologies: ["listed-identifier"] });
    expect(alerts[0]!.signals[0]!.explanation).toBe("merchant ID on an indicator list: confidence 70 (counted from 50; from 80 it alerts at once, as critical)");

    for (const first of [chargeback({ merchantId: M2 }), crawl({ merchantId: M2 })]) {
      const other = engineWith(LISTED_RULE, setOf([{ id: "mid", kind: "merchant-id", value: M2, confidence: 70 }]));
      feed(other, [first]);
      expect(signalOf(other, "listed", M2)?.eventIds).toEqual([first.eventId]);
    }
  });

  it("checks the merchant ID once: later events neither repeat the evidence nor alert again", () => {
    const engine = engineWith(LISTED_RULE, setOf([{ id: "mid", kind: "merchant-id", value: M1, confidence: 95 }]));
    const alerts = feed(engine, [tx(), tx(), chargeback(), crawl(), merchant()]);
    expect(alerts).toHaveLength(1);
    expect(signalOf(engine, "listed")).toMatchObject({ critical: true, eventIds: ["e-1"], detail: "merchant ID" });
  });

  it.each<[string, IndicatorKind, Partial<MerchantEvent>, string]>([
    ["contact e-mail", "email-sha256", { contactEmail: EMAIL }, EMAIL],
    ["payout account", "account-sha256", { payoutAccount: ACCOUNT }, ACCOUNT],
    ["principal", "principal-sha256", { principals: [hashOf("principal-1"), PRINCIPAL] }, PRINCIPAL],
    ["payout wallet", "wallet", { wallets: ["wallet-test-0000", WALLET] }, WALLET],
  ])("matches a listed %s on the profile", (field, kind, profile, value) => {
    const engine = engineWith(LISTED_RULE, setOf([{ id: "x", kind, value, confidence: 85 }]));
    const m = merchant(profile);
    const alerts = feed(engine, [m]);
    expect(signalOf(engine, "listed")).toMatchObject({
      value: 85,
      threshold: 50,
      strength: 0.85,
      critical: true,
      eventIds: [m.eventId],
      indicators: [ref("x", 85)],
      detail: field,
    });
    expect(alerts[0]).toMatchObject({ score: 77, severity: "critical" });
  });

  it("hashed identifiers match whatever the case of the listed value", () => {
    const upper = EMAIL.replace(/[0-9a-f]+$/, (h) => h.toUpperCase());
    const engine = engineWith(LISTED_RULE, setOf([{ id: "up", kind: "email-sha256", value: ` ${upper} `, confidence: 60 }]));
    feed(engine, [merchant({ contactEmail: EMAIL })]);
    expect(signalOf(engine, "listed")?.indicators).toEqual([ref("up", 60)]);
  });

  it("does not match unlisted identifiers, a different kind, an entry below minConfidence or an expired one", () => {
    const engine = engineWith(
      LISTED_RULE,
      setOf([
        { id: "other", kind: "email-sha256", value: hashOf("someone-else@shop.example") },
        // the payout account's hash listed as an e-mail: kinds are separate lists
        { id: "wrong-kind", kind: "email-sha256", value: ACCOUNT },
        { id: "low", kind: "principal-sha256", value: PRINCIPAL, confidence: 49 },
        { id: "old", kind: "wallet", value: WALLET, validUntil: "2026-03-01T00:00:00Z" },
      ]),
    );
    const alerts = feed(engine, [merchant({ contactEmail: EMAIL, payoutAccount: ACCOUNT, principals: [PRINCIPAL], wallets: [WALLET] }), tx()]);
    expect(alerts).toEqual([]);
    expect(signalOf(engine, "listed")).toBeUndefined();
  });

  it("a profile change that adds a listed identifier fires then; several fields are all named", () => {
    const engine = engineWith(
      LISTED_RULE,
      setOf([
        { id: "acc", kind: "account-sha256", value: ACCOUNT, confidence: 60 },
        { id: "mail", kind: "email-sha256", value: EMAIL, confidence: 70 },
      ]),
    );
    feed(engine, [merchant(), tx()]);
    expect(signalOf(engine, "listed")).toBeUndefined();
    const changed = merchant({ payoutAccount: ACCOUNT });
    feed(engine, [changed]);
    expect(signalOf(engine, "listed")).toMatchObject({ value: 60, detail: "payout account", eventIds: [changed.eventId] });
    const again = merchant({ payoutAccount: ACCOUNT, contactEmail: EMAIL });
    const alerts = feed(engine, [again]);
    expect(signalOf(engine, "listed")).toMatchObject({
      value: 70,
      strength: 0.7,
      detail: "payout account, contact e-mail",
      eventIds: [changed.eventId, again.eventId],
      indicators: [ref("acc", 60), ref("mail", 70)],
    });
    // 54 did not alert; 63 with a new indicator does
    expect(alerts.map((a) => a.score)).toEqual([63]);
  });

  it("the same listed identifier on two merchants flags both", () => {
    const engine = engineWith(LISTED_RULE, setOf([{ id: "p", kind: "principal-sha256", value: PRINCIPAL, confidence: 90 }]));
    feed(engine, [merchant({ merchantId: M1, principals: [PRINCIPAL] }), merchant({ merchantId: M2, principals: [PRINCIPAL] })]);
    expect(signalOf(engine, "listed", M1)?.detail).toBe("principal");
    expect(signalOf(engine, "listed", M2)?.detail).toBe("principal");
  });
});
