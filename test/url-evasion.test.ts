// URL evasions against url, domain, hashed and ip indicators: a URL written so that a browser reaches the listed site
// (userinfo, a host in capitals with a trailing dot, ideographic full stops, an IPv4 address as one number, in hex or
// octal or as an IPv4-mapped IPv6 address, escapes in the host, backslashes, tabs and newlines, dot segments) matches,
// and one that reaches another site (a listed name before an @, a double escape) does not. A site on a listed IP
// address (kind ip: a domain entry cannot hold one) is a flagged site, however the address is written.
import { beforeEach, describe, expect, it } from "vitest";
import { IndicatorIndex } from "../src/indicators/index.js";
import { canonicalUrl, sha256Tagged, urlHost } from "../src/lib/url.js";
import { engineWith, feed, indicatorSet, merchant, resetEvents, signalOf, tx } from "./helpers/events.js";
import { FSL_RULE } from "./helpers/rules.js";

const AT = Date.parse("2026-03-02T00:00:00Z");
const LISTED = "https://listed.example/album/17";
const SET = indicatorSet([
  { id: "dom", kind: "domain", value: "flagged.example" },
  { id: "url", kind: "url", value: LISTED },
  { id: "url-ip", kind: "url", value: "http://192.0.2.7/gallery" },
  { id: "hashed", kind: "url-sha256", value: sha256Tagged("hashed.example/album/17") },
  { id: "ip4", kind: "ip", value: "192.0.2.9" },
  { id: "ip6", kind: "ip", value: "2001:db8::9" },
]);
const index = new IndicatorIndex();
index.add(SET);
const ids = (url: string) => index.matchUrl(url, AT).map((r) => r.id);

beforeEach(() => resetEvents());

describe("the host a browser reaches", () => {
  it("is the one after the userinfo: a listed name before the @ is no visit to it", () => {
    expect(urlHost("http://flagged.example@other.example/")).toBe("other.example");
    expect(ids("http://flagged.example@other.example/")).toEqual([]);
    expect(ids("http://flagged.example:pw@other.example/album/17")).toEqual([]);
    expect(ids("http://user:pw@flagged.example/")).toEqual(["dom"]);
    expect(ids("https://user@listed.example/album/17")).toEqual(["url"]);
  });

  it.each([
    ["capitals and a trailing dot", "HTTP://SUB.FLAGGED.EXAMPLE./x"],
    ["ideographic full stops", "http://flagged\u3002example/"],
    ["fullwidth full stops", "http://flagged\uff0eexample/"],
    ["halfwidth ideographic full stops", "http://flagged\uff61example/"],
    ["fullwidth letters", "http://\uff46\uff4c\uff41\uff47\uff47\uff45\uff44.example/"],
    ["an escaped letter in the host", "http://fl%61gged.example/"],
    ["an escaped dot in the host", "http://flagged%2Eexample/"],
    ["backslashes", "http:\\\\flagged.example\\x"],
    ["tabs and newlines", "http://flag\tged.exa\nmple/\r"],
    ["no scheme and a backslash", "flagged.example\\x"],
  ])("%s: the listed domain", (_, url) => expect(ids(url)).toEqual(["dom"]));
});

describe("an IPv4 address written otherwise than dotted", () => {
  it.each([
    ["one decimal number", "http://3221225991/gallery"],
    ["one hex number", "http://0xC0000207/gallery"],
    ["octal parts", "http://0300.0.02.07/gallery"],
    ["hex parts", "http://0xc0.0x0.0x2.0x7/gallery"],
    ["three parts", "http://192.0.519/gallery"],
    ["a trailing dot", "http://192.0.2.7./gallery"],
    ["an IPv4-mapped IPv6 address", "http://[::ffff:192.0.2.7]/gallery"],
    ["an IPv4-mapped IPv6 address in hex", "http://[0:0:0:0:0:FFFF:C000:0207]/gallery"],
  ])("%s: the listed URL on the dotted address", (_, url) => {
    expect(canonicalUrl(url)).toBe("192.0.2.7/gallery");
    expect(ids(url)).toEqual(["url-ip"]);
  });
});

describe("a site on an address listed as kind ip", () => {
  it.each([
    ["dotted, any path", "http://192.0.2.9/any/page", "ip4"],
    ["one decimal number", "https://3221225993/", "ip4"],
    ["hex parts, a port", "http://0xc0.0.2.0x9:8080/x", "ip4"],
    ["IPv4-mapped IPv6", "http://[::ffff:c000:209]/", "ip4"],
    ["IPv6 in capitals and zeros", "http://[2001:DB8:0:0:0:0:0:0009]/x", "ip6"],
  ])("%s: the listed address", (_, url, id) => expect(ids(url)).toEqual([id]));

  it("is no other address, and no name", () => {
    expect(ids("http://192.0.2.99/")).toEqual([]);
    expect(ids("http://[2001:db8::9:0]/")).toEqual([]);
    expect(ids("http://192.0.2.9.example/")).toEqual([]);
  });

  it("leaves the canonical form of a URL on an address as it was, but for an IPv4-mapped one", () => {
    expect(canonicalUrl("http://[2001:DB8::9]:80/x/")).toBe("[2001:db8::9]/x");
    expect(canonicalUrl("http://[::ffff:c000:209]/x")).toBe("192.0.2.9/x");
    // ::ffff:1:2:3 is no IPv4-mapped address
    expect(canonicalUrl("http://[::ffff:1:2:3]/x")).toBe("[::ffff:1:2:3]/x");
  });
});

describe("the path a server is asked for", () => {
  it.each([
    ["backslashes", "https:\\\\listed.example\\album\\17"],
    ["a tab and a newline", "https://listed.exa\tmple/al\nbum/17"],
    ["a /./ segment", "https://listed.example/album/./17"],
    ["a /../ segment", "https://listed.example/other/../album/17"],
    ["escaped dot segments", "https://listed.example/other/%2e%2E/album/%2e/17"],
    ["escaped digits", "https://listed.example/album/%31%37"],
    ["capitals, default port, fragment", "HTTPS://LISTED.EXAMPLE.:443/album/17/#top"],
  ])("%s: the listed URL, in plain and hashed entries", (_, url) => {
    expect(ids(url)).toEqual(["url"]);
    expect(index.matchUrl(url.replace(/listed/i, "hashed"), AT).map((r) => r.id)).toEqual(["hashed"]);
  });

  it("reads an escape once: %2531 is an escaped %, then 31, which no server reads as 1", () => {
    expect(canonicalUrl("https://listed.example/album/%2531%2537")).toBe("listed.example/album/%2531%2537");
    expect(ids("https://listed.example/album/%2531%2537")).toEqual([]);
    expect(ids("https://listed.example/album/%252e%252e/album/17")).toEqual([]);
  });
});

describe("flagged-site-link on these evasions", () => {
  const RULES = FSL_RULE;

  it("a checkout referrer with the listed domain after the userinfo matches; one with it before the @ does not", () => {
    const hit = engineWith(RULES, SET);
    feed(hit, [merchant(), tx({ checkout: { url: "https://shop.example/pay", referrerUrl: "http://promo@FLAGGED\u3002EXAMPLE./x" } })]);
    expect(signalOf(hit, "fsl")?.indicators).toMatchObject([{ id: "dom" }]);
    const miss = engineWith(RULES, SET);
    feed(miss, [merchant(), tx({ checkout: { url: "https://shop.example/pay", referrerUrl: "http://flagged.example@other.example/x" } })]);
    expect(signalOf(miss, "fsl")).toBeUndefined();
  });

  it("a website on the listed address written as one number matches the listed URL", () => {
    const engine = engineWith(RULES, SET);
    feed(engine, [merchant({ websites: ["http://3221225991/gallery"] })]);
    expect(signalOf(engine, "fsl")?.indicators).toMatchObject([{ id: "url-ip" }]);
  });

  it("a checkout page on an address listed as kind ip matches it", () => {
    const engine = engineWith(RULES, SET);
    feed(engine, [merchant(), tx({ checkout: { url: "http://0xC0000209/pay" } })]);
    expect(signalOf(engine, "fsl")).toMatchObject({ indicators: [{ id: "ip4" }], detail: "192.0.2.9" });
  });
});
