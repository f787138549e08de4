import { beforeEach, describe, expect, it } from "vitest";
import { M1, M2, M3, chargeback, crawl, engineWith, feed, merchant, resetEvents, setClock, signalOf, state, times, tx } from "../helpers/events.js";
import type { Engine } from "../../src/engine.js";
import type { StoredMerchant } from "../../src/state/merchant.js";

// the default pack's parameters, with a weight that alerts alone
const RULES = `
  - id: hidden
    kind: undisclosed-referrers
    weight: 60
    typology: transaction-laundering
    params:
      threshold: 0.25
      minCheckouts: 40
      topDomains: 3
      concentration: 0.8
      allowReferrers: [search-engine.example, social-network.example]
`;

const boarded = () => merchant({ websites: ["https://shop.example/", "https://www.shop-two.test/"] });
/** one ecommerce checkout, referred from `referrer` (none when undefined) */
const checkout = (referrer?: string, over: Parameters<typeof tx>[0] = {}) =>
  tx({ checkout: { url: "https://shop.example/pay", ...(referrer ? { referrerUrl: referrer } : {}) }, ...over });

let engine: Engine;
beforeEach(() => {
  resetEvents();
  engine = engineWith(RULES);
  feed(engine, [boarded()]);
});

describe("undisclosed-referrers", () => {
  it("fires when a large share of checkouts comes concentrated from undisclosed sites, once minCheckouts is reached", () => {
    // alternate: a hidden referral, a direct checkout
    const events = times(40, (i) => (i % 2 === 0 ? checkout(`https://${i % 4 === 0 ? "www" : "cdn"}.hidden.example/p/${i}`) : checkout()));
    const alerts = feed(engine, events.slice(0, 39));
    expect(signalOf(engine, "hidden")).toBeUndefined();
    expect(alerts).toEqual([]);
    const last = feed(engine, events.slice(39));
    expect(signalOf(engine, "hidden")).toMatchObject({
      value: 0.5,
      threshold: 0.25,
      strength: 1,
      critical: false,
      // the last five undisclosed referrals
      eventIds: ["e-32", "e-34", "e-36", "e-38", "e-40"],
      detail: "20 of 40 settled checkouts; top referrers hidden.example carry 100.0%",
    });
    expect(last).toHaveLength(1);
    expect(last[0]!.signals[0]).toMatchObject({
      rule: "hidden",
      value: 0.5,
      threshold: 0.25,
      explanation:
        "50.0% of checkouts this month and last referred from undisclosed sites (threshold 25.0%, at least 40 checkouts): 20 of 40 settled checkouts; top referrers hidden.example carry 100.0% (the top 3 must carry at least 80.0%)",
    });
  });

  it("the share is compared with `threshold` inclusively", () => {
    const below = times(40, (i) => checkout(i < 9 ? "https://hidden.example/" : undefined));
    feed(engine, below);
    expect(signalOf(engine, "hidden")).toBeUndefined();
    // 10 of 41 is still below 25%
    feed(engine, [checkout("https://hidden.example/")]);
    expect(signalOf(engine, "hidden")).toBeUndefined();
    // 11 of 42
    feed(engine, [checkout("https://hidden.example/")]);
    expect(signalOf(engine, "hidden")?.value).toBe(11 / 42);

    resetEvents();
    const exact = engineWith(RULES);
    feed(exact, [boarded(), ...times(40, (i) => checkout(i < 10 ? "https://hidden.example/" : undefined))]);
    expect(signalOf(exact, "hidden")?.value).toBe(0.25);
  });

  it("does not fire below minCheckouts however high the share", () => {
    feed(engine, times(39, () => checkout("https://hidden.example/")));
    expect(signalOf(engine, "hidden")).toBeUndefined();
    feed(engine, [checkout("https://hidden.example/")]);
    expect(signalOf(engine, "hidden")).toMatchObject({ value: 1, detail: "40 of 40 settled checkouts; top referrers hidden.example carry 100.0%" });
  });

  it("does NOT fire for many small referrers (affiliates, links), however large their share", () => {
    feed(engine, times(60, (i) => checkout(`https://affiliate-${i}.example/review`)));
    expect(signalOf(engine, "hidden")).toBeUndefined();
  });

  it("does NOT fire for a dozen referrers each sending a few checkouts, round robin", () => {
    feed(engine, times(120, (i) => checkout(`https://partner-${i % 12}.example/`)));
    expect(signalOf(engine, "hidden")).toBeUndefined();
  });

  it("concentration: three domains carrying all fires, four equal domains (top three = 75% < 80%) do not", () => {
    feed(engine, times(42, (i) => checkout(`https://front-${i % 3}.example/`)));
    expect(signalOf(engine, "hidden")).toMatchObject({
      value: 1,
      detail: "42 of 42 settled checkouts; top referrers front-0.example, front-1.example, front-2.example carry 100.0%",
    });

    resetEvents();
    const four = engineWith(RULES);
    feed(four, [boarded(), ...times(40, (i) => checkout(`https://front-${i % 4}.example/`))]);
    expect(signalOf(four, "hidden")).toBeUndefined();
  });

  it("a concentrated referrer among background noise still fires", () => {
    // 40 from one hidden domain, 8 from eight different affiliates: top three carry at least 42 of 48
    const events = [...times(40, () => checkout("https://hidden.example/")), ...times(8, (i) => checkout(`https://aff-${i}.example/`))];
    feed(engine, events);
    const s = signalOf(engine, "hidden")!;
    expect(s.value).toBe(1);
    expect(s.detail).toMatch(/^48 of 48 settled checkouts; top referrers hidden\.example, /);
  });

  it("does not count allow-listed referrers or their subdomains", () => {
    feed(
      engine,
      times(60, (i) =>
        checkout(["https://search-engine.example/?q=shop", "https://www.social-network.example/p/1", "https://images.search-engine.example/x"][i % 3]),
      ),
    );
    expect(signalOf(engine, "hidden")).toBeUndefined();
  });

  it("an allow-listed subdomain allows that host and below, not its parent; entries in any case", () => {
    const only = engineWith(RULES.replace("[search-engine.example, social-network.example]", "[Images.Search-Engine.example.]"));
    feed(only, [boarded(), ...times(60, () => checkout("https://images.search-engine.example/x")), ...times(60, () => checkout("https://cdn.images.search-engine.example/y"))]);
    expect(signalOf(only, "hidden")).toBeUndefined();
    feed(only, times(60, () => checkout("https://search-engine.example/?q=shop")));
    expect(signalOf(only, "hidden")?.detail).toContain("search-engine.example");
  });

  it("an allow-list entry is read as referrers' hosts are: with www., or an international name, it allows what it says", () => {
    for (const [entry, referrer] of [
      ["www.search-engine.example", "https://www.search-engine.example/?q=shop"],
      ["bücher.example", "https://www.bücher.example/x"],
      ["xn--bcher-kva.example", "https://bücher.example/x"],
    ]) {
      resetEvents();
      const allow = engineWith(RULES.replace("[search-engine.example, social-network.example]", `["${entry}"]`));
      feed(allow, [boarded(), ...times(60, () => checkout(referrer))]);
      expect(signalOf(allow, "hidden"), entry).toBeUndefined();
    }
  });

  it("refuses an allow-list entry that is not a host name (a URL would never match), saying how to write it", () => {
    for (const entry of ["https://search-engine.example/", "search-engine.example/search", "search-engine.example:443"])
      expect(() => engineWith(RULES.replace("[search-engine.example, social-network.example]", `["${entry}"]`)), entry).toThrow(
        `allowReferrers[0]: "${entry}" is not a host name: write it as search-engine.example (it allows that host and its subdomains), with no scheme, path or port`,
      );
  });

  it("does not count the merchant's own websites or their subdomains", () => {
    feed(
      engine,
      times(60, (i) => checkout(["https://blog.shop.example/post/1", "https://shop.example/cart", "https://shop-two.test/", "https://m.shop-two.test/"][i % 4])),
    );
    expect(signalOf(engine, "hidden")).toBeUndefined();
  });

  it("judges no checkout before the merchant's profile says what it disclosed", () => {
    // its own shop's checkouts come before the boarding event: none of them is from a site it never disclosed
    feed(engine, times(40, () => checkout("https://shop.example/item", { merchantId: M2 })));
    expect(signalOf(engine, "hidden", M2)).toBeUndefined();
    feed(engine, [merchant({ merchantId: M2, websites: ["https://shop.example/"] }), ...times(10, () => checkout("https://shop.example/item", { merchantId: M2 }))]);
    expect(signalOf(engine, "hidden", M2)).toBeUndefined();
    // from the profile on, a site it did not disclose counts
    feed(engine, times(40, () => checkout("https://hidden.example/", { merchantId: M2 })));
    expect(signalOf(engine, "hidden", M2)).toMatchObject({ value: 0.8, detail: "40 of 50 settled checkouts; top referrers hidden.example carry 100.0%" });
  });

  it("only ecommerce checkouts count, in the number of checkouts too", () => {
    feed(engine, times(60, () => checkout("https://hidden.example/", { channel: "pos" })));
    feed(engine, times(60, () => checkout("https://hidden.example/", { channel: "moto" })));
    expect(signalOf(engine, "hidden")).toBeUndefined();
    feed(engine, [...times(10, () => checkout("https://hidden.example/")), ...times(29, () => checkout())]);
    expect(signalOf(engine, "hidden")).toBeUndefined();
    feed(engine, [checkout()]);
    expect(signalOf(engine, "hidden")?.value).toBe(0.25);
  });

  it("a referrer that is not an http(s) URL is a checkout without an undisclosed referral", () => {
    feed(engine, times(40, () => checkout("android-app://com.example.app")));
    expect(signalOf(engine, "hidden")).toBeUndefined();
  });

  it("counts a sale once: authorised then settled is one checkout; declines and refunds are none", () => {
    for (let i = 0; i < 20; i++) {
      const over = { transactionId: `t-h${i}` };
      feed(engine, [checkout("https://hidden.example/", { ...over, status: "authorized" }), checkout("https://hidden.example/", over)]);
    }
    feed(engine, times(30, () => checkout("https://hidden.example/", { status: "declined" })));
    feed(engine, times(30, () => checkout("https://hidden.example/", { status: "refunded" })));
    // 20 sales, however many events: fewer than minCheckouts
    expect(signalOf(engine, "hidden")).toBeUndefined();
    feed(engine, times(19, () => checkout()));
    expect(signalOf(engine, "hidden")).toBeUndefined();
    feed(engine, [checkout()]);
    // the sketch holds the authorisations as well: shares of it are the same
    expect(signalOf(engine, "hidden")).toMatchObject({ value: 0.5, detail: "20 of 40 settled checkouts; top referrers hidden.example carry 100.0%" });
  });

  it("counts authorisations where the processor sends no settlements", () => {
    feed(engine, times(40, (i) => checkout(i % 2 ? "https://hidden.example/" : undefined, { status: "authorized" })));
    expect(signalOf(engine, "hidden")).toMatchObject({ value: 0.5, detail: "20 of 40 authorised checkouts; top referrers hidden.example carry 100.0%" });
  });

  it("counts over this and the previous calendar month; older months drop out and withdraw the finding", () => {
    feed(engine, times(20, () => checkout("https://hidden.example/")));
    // next month: 20 direct checkouts make 40 in the window, half of them undisclosed
    setClock("2026-04-01T00:00:00Z");
    feed(engine, times(19, () => checkout()));
    expect(signalOf(engine, "hidden")).toBeUndefined();
    feed(engine, [checkout()]);
    expect(signalOf(engine, "hidden")).toMatchObject({ value: 0.5, detail: "20 of 40 settled checkouts; top referrers hidden.example carry 100.0%" });
    // May: March drops out; 40 clean checkouts over April and May
    setClock("2026-05-01T00:00:00Z");
    feed(engine, [checkout()]);
    expect(signalOf(engine, "hidden")).toBeUndefined();
  });

  it("its months leave the window at the merchant's next event of any kind: a sale it does not count, a chargeback, a crawl", () => {
    feed(engine, [M2, M3].map((merchantId) => merchant({ merchantId, websites: ["https://shop.example/"] })));
    feed(engine, [M1, M2, M3].flatMap((merchantId) => times(40, () => checkout("https://hidden.example/", { merchantId }))));
    expect([M1, M2, M3].map((id) => signalOf(engine, "hidden", id)?.value)).toEqual([1, 1, 1]);
    setClock("2026-04-10T00:00:00Z");
    feed(engine, [tx({ channel: "pos" })]);
    expect(signalOf(engine, "hidden")?.value).toBe(1);
    setClock("2026-06-10T00:00:00Z");
    feed(engine, [tx({ channel: "pos" }), chargeback({ merchantId: M2 }), crawl({ merchantId: M3 })]);
    expect([M1, M2, M3].map((id) => signalOf(engine, "hidden", id))).toEqual([undefined, undefined, undefined]);
    expect(state(engine).slots.filter(Boolean)).toEqual([]);
  });

  it("resumes from a checkpoint written before settlements and authorisations were told apart", () => {
    feed(engine, times(30, () => checkout("https://hidden.example/")));
    const stored = JSON.parse(JSON.stringify(engine.snapshot(state(engine)))) as StoredMerchant;
    const bucket = (stored.slots["hidden@undisclosed-referrers"] as { month: Record<string, unknown> }).month;
    delete bucket.authCheckouts;
    delete bucket.authUndisclosed;
    const after = engineWith(RULES);
    after.restore([stored]);
    feed(after, times(10, () => checkout()));
    expect(signalOf(after, "hidden")).toMatchObject({ value: 0.75, detail: "30 of 40 settled checkouts; top referrers hidden.example carry 100.0%" });
  });
});
