// What the repository may not hold (DEVELOPERS: reserved names only, never a PAN), checked over every file of
// fixtures/, rules/ and test/, so that a later change cannot add a real site: a host name under a real top-level
// domain, an e-mail address outside the reserved names, an IP address outside the documentation, private and loopback
// ranges; and, in those and in src/, docs/, scripts/, docker/ and the top-level documents, a card number (a 13-19
// digit run the service itself takes for one: Luhn-valid and issuable, as maskCardNumbers decides) and an analytics
// id (UA-…) that may be a real site's account: only the synthetic form, a leading zero on the account (UA-0310037-1). In TypeScript only
// text is read (strings, template text, regular expressions, comments), not code, whose `x.id` is no host.
// An exception is listed in ALLOWED with its reason; a sample this test must refuse is built at run time, so that
// this file passes its own scan.
import { describe, it, expect } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { PACKAGE_ROOT } from "../src/lib/paths.js";
import { syntheticPan } from "./helpers/card-numbers.js";
import { analyticsIds, cardNumbers, textOf, unsafeNames } from "./helpers/repo-safety.js";

/** The scanner's own files: they hold its ranges, its exceptions and the samples it must refuse (scanned for card numbers only). */
const SELF = ["test/repo-safety.test.ts", "test/helpers/repo-safety.ts"];

/** Names in real domains the tests need, each with its reason: file (relative, with /) and the name as written. */
const ALLOWED: { file: string; value: string; why: string }[] = [
  { file: "test/stix.test.ts", value: "python.org", why: "the UUIDv5 known-answer vector of Python's documentation, uuid5(NAMESPACE_DNS, 'python.org')" },
  ...["co.uk", "www.com", "github.io"].map((value) => ({ file: "test/indicators-domains.test.ts", value, why: "a public suffix (or one label under one) an indicator set must refuse" })),
  ...["co.uk", "github.io"].map((value) => ({ file: "test/indicator-distribution.test.ts", value, why: "a public suffix an indicator set must refuse" })),
  // the Public Suffix List has no reserved private suffix: a domain under one can only be under a real one
  ...["flagged-b.github.io", "other.github.io"].map((value) => ({ file: "test/indicators-domains.test.ts", value, why: "a site under a private public suffix (matched as its own domain)" })),
  { file: "test/rules/undisclosed-referrers.test.ts", value: "com.example.app", why: "an Android package name (android-app://), reverse DNS of app.example.com" },
];

/** Every file under the package's directories (relative paths with /), or the top-level files named. */
const filesUnder = (...dirs: string[]): string[] =>
  dirs.flatMap((dir) => {
    const abs = join(PACKAGE_ROOT, dir);
    if (statSync(abs, { throwIfNoEntry: false })?.isFile()) return [dir];
    return readdirSync(abs, { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile() && !/\.(?:png|svg|jpg|gz|zst)$/.test(d.name))
      .map((d) => relative(PACKAGE_ROOT, join(d.parentPath, d.name)).split(sep).join("/"));
  });

const allowedIn = (file: string) => (finding: string): boolean => !ALLOWED.some((a) => a.file === file && finding.startsWith(`host ${a.value} `));

describe("the repository's fixtures, rules and tests", () => {
  const named = filesUnder("fixtures", "rules", "test").filter((f) => !SELF.includes(f));
  const numbered = [...named, ...filesUnder("src", "docs", "scripts", "docker", "README.md", "BENCHMARKS.md")];

  it("name no real host, e-mail domain or IP address (exceptions listed with their reason)", () => {
    const found = named.flatMap((file) => {
      const text = readFileSync(join(PACKAGE_ROOT, file), "utf8");
      return textOf(file, text).flatMap(unsafeNames).filter(allowedIn(file)).map((f) => `${file}: ${f}`);
    });
    expect(found).toEqual([]);
  });

  it("and, with src/, docs/, scripts/, docker/ and the top-level documents, hold no card number", () => {
    const found = [...numbered, ...SELF].flatMap((file) => cardNumbers(readFileSync(join(PACKAGE_ROOT, file), "utf8")).map((f) => `${file}: ${f}`));
    expect(found).toEqual([]);
  });

  it("and, with src/, docs/, scripts/, docker/ and the top-level documents, hold analytics ids only in the synthetic form", () => {
    const found = [...numbered, ...SELF].flatMap((file) => analyticsIds(readFileSync(join(PACKAGE_ROOT, file), "utf8")).map((f) => `${file}: ${f}`));
    expect(found).toEqual([]);
  });

  it("are all scanned, each exception is still needed, and the scan finds what it must refuse", () => {
    expect(named).toEqual(expect.arrayContaining(["fixtures/sample/events.ndjson", "fixtures/stix/partner-tool-bundle.json", "fixtures/misp-feed/manifest.json", "rules/sites.yaml", "test/helpers/web.ts", "test/helpers/card-numbers.ts", "test/integration/harness.ts"]));
    expect(numbered).toEqual(expect.arrayContaining(["src/lib/log.ts", "docs/backtest.md", "README.md"]));
    for (const a of ALLOWED) expect(textOf(a.file, readFileSync(join(PACKAGE_ROOT, a.file), "utf8")).flatMap(unsafeNames), `${a.file}: ${a.value} (${a.why})`).toContain(`host ${a.value} is outside .example, .test, .invalid, .localhost and example.com/net/org`);

    // the samples are put together here, so that this file holds none of them as written
    const dot = (...labels: string[]) => labels.join(".");
    const reserved = `https://shop.example.test/ https://www.example.com/x orders@tokbeta-mirror.test http://127.0.0.1:9092 [2001:db8::7] 192.0.2.7 10.0.0.5 ::ffff:192.0.2.9 README.md v1.2.3 12:30:00`;
    expect(unsafeNames(reserved)).toEqual([]);
    const evil = dot("shop", "example", "org", "evil", "net");
    const onion = dot("hidden", "onion");
    const mail = `seller@${dot("mail", "example", "com", "co")}`;
    const ip4 = dot("8", "8", "4", "4");
    const ip6 = ["2606", "4700", "", "1111"].join(":");
    expect(unsafeNames(`{"url":"https://${evil}/g","linked":"${onion}","contact":"${mail}","resolver":"${ip4}","v6":"[${ip6}]","mapped":"::ffff:${ip4}"}`)).toEqual([
      `host ${evil} is outside .example, .test, .invalid, .localhost and example.com/net/org`,
      `host ${onion} is outside .example, .test, .invalid, .localhost and example.com/net/org`,
      `e-mail address ${mail} is outside the reserved domains`,
      `IP address ${ip4} is outside 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 and the private and loopback ranges`,
      `IP address ${ip6} is outside 2001:db8::/32 and the IPv4 ranges above, mapped`,
      `IP address ::ffff:${ip4} is outside 2001:db8::/32 and the IPv4 ranges above, mapped`,
    ]);
    // in a script, a host in a string, a template's text, a regular expression or a comment counts; code does not
    const script = `const a = x.id / 2; const u = \`\${a.id}: https://${dot("shop", "com")}/\${a.name}\`; // see ${dot("news", "org")}\nconst r = /${dot("re", "net")}/; call("${dot("str", "io")}");`;
    expect(textOf("x.ts", script).flatMap(unsafeNames)).toEqual([dot("shop", "com"), dot("news", "org"), dot("re", "net"), dot("str", "io")].map((h) => `host ${h} is outside .example, .test, .invalid, .localhost and example.com/net/org`));

    // a UA- id is refused unless its account number has the leading zero no real account has; samples built here
    const ua = (...parts: string[]) => ["UA", ...parts].join("-");
    expect(analyticsIds(`{"analyticsIds":["${ua("0310037", "1")}","${ua("000000", "1")}","${ua("01")}"]} x${ua("310037", "1")} ${ua("310037", "1")}x`)).toEqual([]);
    expect(analyticsIds(`{"analyticsIds":["${ua("310037", "1")}","${ua("1")}"],"value":"${ua("999999", "9").toLowerCase()}"}`)).toEqual([
      `analytics id ${ua("310037", "1")} may be a real site's account: write it with a leading zero, ${ua("0310037", "1")} (no real account number has one)`,
      `analytics id ${ua("1")} may be a real site's account: write it with a leading zero, ${ua("01")} (no real account number has one)`,
      `analytics id ${ua("999999", "9").toLowerCase()} may be a real site's account: write it with a leading zero, ${ua("0999999", "9")} (no real account number has one)`,
    ]);

    const pan = syntheticPan("411111111111111");
    expect(cardNumbers(`card ${pan} and ${pan.replace(/(\d{4})(?=\d)/g, "$1 ")}; not the tokens t-${pan}x or sha256:${pan}ab`)).toEqual([
      "411111******1111 is a card number (Luhn-valid, issuable): build it at run time (test/helpers/card-numbers.ts)",
      "411111******1111 is a card number (Luhn-valid, issuable): build it at run time (test/helpers/card-numbers.ts)",
    ]);
  });
});
