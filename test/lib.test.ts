import { describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import {
  canonicalHost,
  canonicalUrl,
  domainSuffixes,
  parseHttpUrl,
  registrableDomain,
  sha256Tagged,
  urlHost,
} from "../src/lib/url.js";
import { Memo } from "../src/lib/memo.js";
import { compactKeyword, containsKeyword, normaliseDescriptor } from "../src/lib/descriptor.js";
import { decode, DEFAULT_MAX_BYTES } from "../src/decode/decode.js";
import { formatPath } from "../src/lib/errors.js";
import { cardToken, resetEvents, tx } from "./helpers/events.js";

describe("canonicalUrl", () => {
  it.each([
    // scheme dropped: http and https name the same site
    ["https://shop.example/a", "shop.example/a"],
    ["http://shop.example/a", "shop.example/a"],
    // no scheme is read as http
    ["shop.example/a", "shop.example/a"],
    ["shop.example", "shop.example"],
    ["//shop.example/a", "shop.example/a"],
    // host case, path case kept
    ["HTTPS://SHOP.Example/Path/To", "shop.example/Path/To"],
    // www. removed, only at the start
    ["https://www.shop.example/", "shop.example"],
    ["https://WWW.shop.example/", "shop.example"],
    ["https://www2.shop.example/", "www2.shop.example"],
    ["https://shop.www.example/", "shop.www.example"],
    // trailing dot of the host
    ["https://shop.example./a", "shop.example/a"],
    // default ports dropped, others kept
    ["http://shop.example:80/a", "shop.example/a"],
    ["https://shop.example:443/a", "shop.example/a"],
    ["http://shop.example:443/a", "shop.example:443/a"],
    ["https://shop.example:80/a", "shop.example:80/a"],
    ["https://shop.example:8443/a", "shop.example:8443/a"],
    ["shop.example:8080/a", "shop.example:8080/a"],
    // trailing slash; the root becomes empty
    ["https://shop.example/", "shop.example"],
    ["https://shop.example", "shop.example"],
    ["https://shop.example/a/b/", "shop.example/a/b"],
    // fragment dropped
    ["https://shop.example/a#top", "shop.example/a"],
    ["https://shop.example/#/route", "shop.example"],
    // utm_* removed (any case), other parameters kept
    ["https://shop.example/a?utm_source=x&utm_medium=y", "shop.example/a"],
    ["https://shop.example/a?UTM_Campaign=x&id=7", "shop.example/a?id=7"],
    ["https://shop.example/a?utmost=1", "shop.example/a?utmost=1"],
    // query sorted by name, values of a repeated name keep their order, empty query dropped
    ["https://shop.example/a?b=2&a=1&c=3", "shop.example/a?a=1&b=2&c=3"],
    ["https://shop.example/a?a=2&a=1", "shop.example/a?a=2&a=1"],
    ["https://shop.example/a?", "shop.example/a"],
    // encoding of the query is made uniform
    ["https://shop.example/a?q=x%20y", "shop.example/a?q=x+y"],
    ["https://shop.example/a?q=x y", "shop.example/a?q=x+y"],
    // escapes in the path made uniform: an unreserved character decoded, others in upper-case hex, as the URL
    // parser writes them itself (a listed page cannot be dodged by escaping a letter)
    ["https://shop.example/%7Eann/%70age", "shop.example/~ann/page"],
    ["https://shop.example/~ann/page", "shop.example/~ann/page"],
    ["https://shop.example/caf%c3%a9", "shop.example/caf%C3%A9"],
    ["https://shop.example/café", "shop.example/caf%C3%A9"],
    ["https://shop.example/a%2fb%3F", "shop.example/a%2Fb%3F"],
    ["https://shop.example/a%2Fb/", "shop.example/a%2Fb"],
    ["https://shop.example/a%2x%", "shop.example/a%2x%"],
    // IDN to punycode
    ["https://bücher.example/a", "xn--bcher-kva.example/a"],
    ["https://www.BÜCHER.example/", "xn--bcher-kva.example"],
    // credentials are not part of the site
    ["https://user:pw@shop.example/a", "shop.example/a"],
    // surrounding whitespace
    ["  https://shop.example/a  ", "shop.example/a"],
    // IP hosts
    ["http://192.0.2.10:80/x", "192.0.2.10/x"],
    ["https://[2001:db8::1]:443/x", "[2001:db8::1]/x"],
    // all together (the README's example)
    ["https://WWW.Shop.Example:443/a/?b=2&a=1#x", "shop.example/a?a=1&b=2"],
  ])("%s -> %s", (raw, want) => {
    expect(canonicalUrl(raw)).toBe(want);
  });

  it.each([
    "ftp://shop.example/a",
    "file:///etc/hosts",
    "mailto:someone@shop.example",
    "javascript:alert(1)",
    "data:text/html,hello",
    "tel:+3100000000",
    "ws://shop.example/socket",
    "",
    "   ",
    "http://",
    "https://exa mple.example/",
  ])("rejects what is not an http(s) URL: %j", (raw) => {
    expect(canonicalUrl(raw)).toBeNull();
    expect(urlHost(raw)).toBeNull();
    expect(parseHttpUrl(raw)).toBeNull();
  });

  it("spellings of one page have one canonical form and one hash", () => {
    const forms = [
      "https://www.listed.example/gallery/?utm_source=mail&b=2&a=1#top",
      "http://listed.example/gallery?a=1&b=2",
      "listed.example/gallery/?b=2&a=1",
      "HTTP://LISTED.EXAMPLE:80/gallery?a=1&utm_medium=x&b=2",
    ];
    const canon = new Set(forms.map(canonicalUrl));
    expect([...canon]).toEqual(["listed.example/gallery?a=1&b=2"]);
    expect(new Set(forms.map((f) => sha256Tagged(canonicalUrl(f)!))).size).toBe(1);
    expect(sha256Tagged(canonicalUrl(forms[0]!)!)).toBe(`sha256:${createHash("sha256").update("listed.example/gallery?a=1&b=2").digest("hex")}`);
  });
});

describe("hosts and domains", () => {
  it.each([
    ["https://WWW.Shop.Example./x", "shop.example"],
    ["shop.example:8080", "shop.example"],
    ["https://a.b.shop.example/", "a.b.shop.example"],
  ])("urlHost(%s) = %s", (raw, want) => {
    expect(urlHost(raw)).toBe(want);
  });

  it("canonicalHost lowercases and drops www. and a trailing dot", () => {
    expect(canonicalHost("WWW.Shop.Example.")).toBe("shop.example");
    expect(canonicalHost("shop.example")).toBe("shop.example");
  });

  it("domainSuffixes lists the host and each parent, most specific first", () => {
    expect(domainSuffixes("a.b.example.test")).toEqual(["a.b.example.test", "b.example.test", "example.test", "test"]);
    expect(domainSuffixes("localhost")).toEqual(["localhost"]);
  });

  it.each([
    ["blog.shop.example", "shop.example"],
    ["shop.example", "shop.example"],
    ["a.b.c.site.test", "site.test"],
    ["192.0.2.1", "192.0.2.1"],
    ["localhost", "localhost"],
  ])("registrableDomain(%s) = %s", (host, want) => {
    expect(registrableDomain(host)).toBe(want);
    // a second call (cached) gives the same answer
    expect(registrableDomain(host)).toBe(want);
  });

  it("sha256Tagged is sha256: and 64 lowercase hex digits of the UTF-8 text", () => {
    expect(sha256Tagged("")).toBe("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(sha256Tagged("abc")).toBe("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(sha256Tagged("ü")).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(sha256Tagged("ü")).not.toBe(sha256Tagged("u"));
  });
});

describe("Memo", () => {
  it("computes each argument once while it is remembered, null results included", () => {
    const calls: string[] = [];
    const m = new Memo<string | null>(10, (s) => (calls.push(s), s.startsWith("x") ? null : s.toUpperCase()));
    expect([m.get("a"), m.get("xa"), m.get("a"), m.get("xa")]).toEqual(["A", null, "A", null]);
    expect(calls).toEqual(["a", "xa"]);
  });

  it("keeps at most two generations of `cap` and carries an argument in use into the young one", () => {
    const calls: string[] = [];
    const m = new Memo<string>(2, (s) => (calls.push(s), s));
    for (const s of ["hot", "b", "c", "hot", "d", "e", "hot", "b"]) m.get(s);
    // "hot" was read from the old generation each time and carried over, never computed again; "b" was dropped
    // with the generation it lived in and computed again
    expect(calls).toEqual(["hot", "b", "c", "d", "e", "b"]);
    m.clear();
    m.get("hot");
    expect(calls.at(-1)).toBe("hot");
  });

  it("counts hits and misses and reports its size, for the metrics", async () => {
    const m = new Memo<string>(2, (s) => s, "test-memo");
    for (const s of ["a", "a", "b", "c", "a", "d"]) m.get(s);
    // a misses, a hits, b and c miss (a and b go old), a hits in the old generation and is carried over, d misses
    // (c and a go old, b is dropped)
    expect([m.hits, m.misses, m.size]).toEqual([2, 4, 3]);
    const { createMetrics } = await import("../src/app/metrics.js");
    const text = await createMetrics().registry.metrics();
    expect(text).toContain('moneytrail_memo_entries{memo="test-memo"} 3');
    expect(text).toContain('moneytrail_memo_lookups_total{memo="test-memo",result="hit"} 2');
    expect(text).toContain('moneytrail_memo_lookups_total{memo="test-memo",result="miss"} 4');
  });
});

describe("normaliseDescriptor", () => {
  it.each([
    ["T0K-ALPHA*Clüb 0201234567", "tok alpha club"],
    ["tokalpha", "tokalpha"],
    ["TOKALPHA", "tokalpha"],
    // diacritics
    ["TÖKÁLPHÀ", "tokalpha"],
    ["ÇAFÉ*ÑOÑO", "cafe nono"],
    // compatibility forms (full width, ligatures)
    ["ＴＯＫＡＬＰＨＡ", "tokalpha"],
    ["ﬁne shop", "fine shop"],
    // look-alike digits in mixed tokens, every mapping
    ["T0K4LPH4", "tokalpha"],
    ["0 1 3 4 5 7 8 9", ""],
    ["x0x1x3x4x5x7x8x9", "xoxixexaxsxtxbxg"],
    ["A1B2", "aib2"],
    // @ and $ are letters
    ["TOK@LPHA", "tokalpha"],
    ["$HOP", "shop"],
    // all-digit tokens dropped (phone numbers, references)
    ["EXAMPLE SHOP 0201234567", "example shop"],
    ["4LPH4 24/7", "alpha"],
    ["12345", ""],
    // separators: any run becomes one space
    ["tok  --  alpha", "tok alpha"],
    ["t.o.k*a_l/p\\h|a", "t o k a l p h a"],
    ["  lead and trail  ", "lead and trail"],
    ["", ""],
    // letters of other scripts are letters
    ["Ωmega", "ωmega"],
  ])("%j -> %j", (raw, want) => {
    expect(normaliseDescriptor(raw)).toBe(want);
  });

  it("compactKeyword normalises and removes spaces", () => {
    expect(compactKeyword("Tok Alpha")).toBe("tokalpha");
    expect(compactKeyword("T0K-ALPHA")).toBe("tokalpha");
    expect(compactKeyword("123")).toBe("");
  });
});

describe("containsKeyword", () => {
  const has = (descriptor: string, keyword: string) => containsKeyword(normaliseDescriptor(descriptor), compactKeyword(keyword));

  it.each([
    ["TOKALPHA CLUB", "tokalpha"],
    ["CLUB TOKALPHA", "tokalpha"],
    ["T0K-ALPHA*CLUB", "tokalpha"],
    ["t.o.k.a.l.p.h.a", "tokalpha"],
    ["TOK ALPHA", "tokalpha"],
    ["T O K A L P H A 0201234567", "tokalpha"],
    ["TÖK@LPH4", "tokalpha"],
    ["shop tok bravo", "tok bravo"],
    ["SHOP*TOKBRAVO", "TOK-BRAVO"],
  ])("%j contains %j", (descriptor, keyword) => {
    expect(has(descriptor, keyword)).toBe(true);
  });

  it.each([
    ["TOKALPHABET", "tokalpha"],
    ["XTOKALPHA", "tokalpha"],
    ["TOK ALPHABET", "tokalpha"],
    ["ATOK ALPHA", "tokalpha"],
    ["TOKALPH", "tokalpha"],
    ["TOK BRAVO", "tokalpha"],
    ["ALPHA TOK", "tokalpha"],
    ["", "tokalpha"],
  ])("%j does not contain %j", (descriptor, keyword) => {
    expect(has(descriptor, keyword)).toBe(false);
  });

  it("an empty keyword never matches", () => {
    expect(containsKeyword("tok alpha", "")).toBe(false);
    expect(containsKeyword("", "")).toBe(false);
  });
});

describe("decode", () => {
  resetEvents();
  const good = tx({ eventId: "e-good", merchantId: "acq-nl:M-9", card: { token: cardToken(1), bin: "400000", country: "DE" } });

  it("accepts a valid event, from a string or a Buffer", () => {
    const s = decode(JSON.stringify(good));
    expect(s).toEqual({ ok: true, event: good });
    expect(decode(Buffer.from(JSON.stringify(good)))).toEqual({ ok: true, event: good });
  });

  it("rejects what is not JSON", () => {
    const d = decode("{not json");
    expect(d.ok).toBe(false);
    if (d.ok) return;
    expect(d.kind).toBe("not-json");
    expect(d.reason).toMatch(/^not JSON: /);
    expect(decode("").ok).toBe(false);
    expect(decode(Buffer.from([0xff, 0xfe, 0x00]))).toMatchObject({ ok: false, kind: "not-json" });
  });

  it("names the path of a schema error", () => {
    const d = decode(JSON.stringify({ ...good, amountMinor: -1, card: { token: "sha256:XYZ" } }));
    expect(d).toEqual({
      ok: false,
      kind: "schema",
      reason: "schema: amountMinor: Too small: expected number to be >=0; card.token: expected sha256: followed by 64 hex digits",
    });
  });

  it("names the field of a nested array element", () => {
    const d = decode(
      JSON.stringify({
        type: "merchant",
        eventId: "e-1",
        occurredAt: "2026-03-02T00:00:00Z",
        merchantId: "m",
        acquirerId: "a",
        descriptor: "D",
        mcc: "5411",
        country: "NL",
        principals: ["sha256:" + "0".repeat(64), "not-a-hash"],
      }),
    );
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.reason).toBe("schema: principals[1]: expected sha256: followed by 64 hex digits");
  });

  it("names an unknown type, a missing field and a non-object", () => {
    expect(decode(JSON.stringify({ ...good, type: "refund" }))).toMatchObject({ kind: "schema", reason: expect.stringMatching(/^schema: type: /) });
    const { currency: _c, ...noCurrency } = good;
    expect(decode(JSON.stringify(noCurrency))).toMatchObject({ kind: "schema", reason: expect.stringMatching(/^schema: currency: /) });
    expect(decode("[]")).toMatchObject({ kind: "schema", reason: expect.stringMatching(/^schema: \(event\): /) });
    expect(decode("null")).toMatchObject({ kind: "schema" });
    expect(decode(JSON.stringify({ ...good, occurredAt: "yesterday" }))).toMatchObject({
      kind: "schema",
      reason: expect.stringMatching(/^schema: occurredAt: /),
    });
  });

  it("reports at most three issues and counts the rest", () => {
    const d = decode(JSON.stringify({ type: "merchant" }));
    expect(d.ok).toBe(false);
    if (!d.ok) {
      expect(d.reason.split("; ")).toHaveLength(3);
      expect(d.reason).toMatch(/ \(\+4 more\)$/);
    }
  });

  it("rejects too large input by its UTF-8 byte length, before parsing", () => {
    const big = JSON.stringify({ ...good, legalName: "x".repeat(DEFAULT_MAX_BYTES) });
    expect(decode(big)).toEqual({ ok: false, kind: "too-large", reason: `too large: ${Buffer.byteLength(big)} bytes, the limit is 65536: raise MT_MAX_MESSAGE_BYTES to take it` });
    // 30 two-byte characters are 60 bytes
    const wide = JSON.stringify("ü".repeat(30));
    expect(decode(wide, 61)).toMatchObject({ ok: false, kind: "too-large", reason: "too large: 62 bytes, the limit is 61: raise MT_MAX_MESSAGE_BYTES to take it" });
    expect(decode(wide, 62)).toMatchObject({ ok: false, kind: "schema" });
    expect(decode("{ not json at all", 5)).toMatchObject({ kind: "too-large" });
    const exact = JSON.stringify(good);
    expect(decode(exact, Buffer.byteLength(exact)).ok).toBe(true);
  });

  it("accepts unknown extra fields (a newer producer) and strips them", () => {
    const d = decode(JSON.stringify({ ...good, futureField: { a: 1 }, card: { ...good.card, futureCardField: true } }));
    expect(d).toEqual({ ok: true, event: good });
  });
});

describe("formatPath", () => {
  it("joins keys with dots and indexes with brackets", () => {
    expect(formatPath(["rules", 2, "params", "threshold"])).toBe("rules[2].params.threshold");
    expect(formatPath([0, "a"])).toBe("[0].a");
    expect(formatPath([])).toBe("");
  });
});

describe("calendar windows in UTC, whatever the process's time zone", () => {
  const zones = ["UTC", "Pacific/Kiritimati", "America/Los_Angeles"];
  const was = process.env.TZ;

  it("counts months from 1970-01 and rolls over at UTC midnight of the first", async () => {
    const { monthIndex } = await import("../src/state/window.js");
    try {
      for (const tz of zones) {
        process.env.TZ = tz;
        // each call on a month not cached by the one before, so the month is worked out every time
        expect([
          "1970-01-01T00:00:00Z",
          "2026-02-28T23:59:59.999Z",
          "2026-03-01T00:00:00Z",
          "1999-12-31T23:00:00Z",
          "2027-01-01T00:00:00Z",
        ].map((t) => monthIndex(Date.parse(t))), tz).toEqual([0, 673, 674, 359, 684]);
      }
    } finally {
      process.env.TZ = was;
    }
  });

  it("draws a case's activity on a continuous UTC day axis", async () => {
    const { activityChart } = await import("../src/web/chart.js");
    try {
      for (const tz of zones) {
        process.env.TZ = tz;
        const svg = String(activityChart([{ day: "2026-02-27", sales: 1, amountMinor: 100, chargebacks: 0 }, { day: "2026-03-02", sales: 2, amountMinor: 200, chargebacks: 1 }]));
        expect([...svg.matchAll(/<title>([^<]*)<\/title>/g)].map((m) => m[1]), tz).toEqual([
          "2026-02-27: 1 sales, 0 chargebacks",
          "2026-02-28: 0 sales, 0 chargebacks",
          "2026-03-01: 0 sales, 0 chargebacks",
          "2026-03-02: 2 sales, 1 chargebacks",
        ]);
      }
    } finally {
      process.env.TZ = was;
    }
  });
});
