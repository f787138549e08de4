// What a committed file may not name: a host under a real top-level domain, an e-mail address outside the reserved
// names, an IP address outside the documentation, private and loopback ranges, an analytics id that may be a real
// site's account, a card number. Used by
// test/repo-safety.test.ts over the repository and by test/fixtures.test.ts over generated fixtures.
import { BlockList, isIPv4, isIPv6 } from "node:net";
import ts from "typescript";
import { parse } from "tldts";
import { maskCardNumbers } from "../../src/lib/card-numbers.js";

/** Dotted names that are no host though their last label is a top-level domain (.id, .country, .events, .pid), and why. */
const NOT_HOSTS = new Map([
  ["card.country", "a field's path in a refusal (the contract's)"],
  ["publisher.id", "a field's path in a refusal (an indicator set's)"],
  ["ruleset.id", "a field's path in a refusal (a rule set's)"],
  ["secure.events", "a Kafka topic's name"],
  ["host.pid", "the target of Emacs's lock file, user@host.pid"],
]);

/** Extensions of file names the text mentions that are also top-level domains (README.md: Moldova). */
const FILE_NAME = /\.(?:md|sh|properties|zip|py|rs|pl)$/i;
const HOST = /(?<![\w@.-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9](?![\w@-])/gi;
const EMAIL = /[\w.+-]+@((?:[a-z0-9-]+\.)+[a-z0-9-]+)/gi;
const IPV4 = /(?<![\w.:])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])/g;
const IPV6 = /(?<![\w:.])[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?::\d{1,3}(?:\.\d{1,3}){3})?(?![\w:.])/gi;

const reservedName = (host: string): boolean => {
  const h = host.toLowerCase().replace(/\.$/, "");
  return /(?:^|\.)(?:example|test|invalid|localhost)$/.test(h) || /(?:^|\.)example\.(?:com|net|org)$/.test(h);
};
/**
 * IPv4 addresses that name no one's host: documentation (RFC 5737), private (RFC 1918), loopback, unspecified. In
 * IPv6 only global unicast (2000::/3) is anyone's, less its documentation prefix (RFC 3849); the rest (loopback,
 * link-local, the IPv4-mapped forms of the IPv4 ranges, made-up 1::8 of canonical-form tests) names no host.
 */
const NOBODYS = new BlockList();
for (const [net, bits] of [["192.0.2.0", 24], ["198.51.100.0", 24], ["203.0.113.0", 24], ["10.0.0.0", 8], ["172.16.0.0", 12], ["192.168.0.0", 16], ["127.0.0.0", 8], ["0.0.0.0", 32]] as const) NOBODYS.addSubnet(net, bits, "ipv4");
const GLOBAL_UNICAST = new BlockList();
GLOBAL_UNICAST.addSubnet("2000::", 3, "ipv6");
const DOCUMENTATION_V6 = new BlockList();
DOCUMENTATION_V6.addSubnet("2001:db8::", 32, "ipv6");
const nobodysV6 = (ip: string): boolean => (GLOBAL_UNICAST.check(ip, "ipv6") ? DOCUMENTATION_V6.check(ip, "ipv6") : !/^::ffff:(?:[\d.]+|[0-9a-f]{1,4}:[0-9a-f]{1,4})$/i.test(ip) || NOBODYS.check(ip, "ipv6"));

const { SyntaxKind: K } = ts;
const TEXT = new Set([K.StringLiteral, K.NoSubstitutionTemplateLiteral, K.TemplateHead, K.TemplateMiddle, K.TemplateTail, K.RegularExpressionLiteral, K.SingleLineCommentTrivia, K.MultiLineCommentTrivia]);
const TRIVIA = new Set([K.WhitespaceTrivia, K.NewLineTrivia, K.SingleLineCommentTrivia, K.MultiLineCommentTrivia, K.ShebangTrivia, K.ConflictMarkerTrivia]);
/** tokens after which a slash divides; after any other it opens a regular expression */
const ENDS_VALUE = new Set([K.Identifier, K.PrivateIdentifier, K.NumericLiteral, K.BigIntLiteral, K.StringLiteral, K.NoSubstitutionTemplateLiteral, K.TemplateTail, K.RegularExpressionLiteral, K.CloseParenToken, K.CloseBracketToken, K.CloseBraceToken, K.PlusPlusToken, K.MinusMinusToken, K.ThisKeyword, K.SuperKeyword, K.TrueKeyword, K.FalseKeyword, K.NullKeyword]);

/** The text of a file that may name a host: all of it, or a script's strings, template text, regular expressions and comments. */
export function textOf(path: string, source: string): string[] {
  if (!/\.[cm]?[jt]s$/.test(path)) return [source];
  const out: string[] = [];
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, source);
  const braces: boolean[] = []; // per open brace: whether it is a template's ${
  let prev = K.Unknown;
  for (let k = scanner.scan(); k !== K.EndOfFileToken; k = scanner.scan()) {
    if (k === K.CloseBraceToken && braces.pop()) k = scanner.reScanTemplateToken(false);
    if (k === K.OpenBraceToken) braces.push(false);
    else if (k === K.TemplateHead || k === K.TemplateMiddle) braces.push(true);
    if ((k === K.SlashToken || k === K.SlashEqualsToken) && !ENDS_VALUE.has(prev)) k = scanner.reScanSlashToken();
    if (TEXT.has(k)) out.push(scanner.getTokenText());
    if (!TRIVIA.has(k)) prev = k;
  }
  return out;
}

const hostVerdicts = new Map<string, boolean>();
/** Whether a dotted name is a host under a real domain; a dotted word under no top-level domain (a.b in a comment, a version) is none. */
function namesHost(h: string): boolean {
  let v = hostVerdicts.get(h);
  if (v === undefined) {
    const p = reservedName(h) || NOT_HOSTS.has(h) || FILE_NAME.test(h) || isIPv4(h) ? null : parse(h.toLowerCase());
    hostVerdicts.set(h, (v = !!p && !!(p.isIcann || p.isPrivate)));
  }
  return v;
}

/** What `text` names that a committed file may not, each with its reason. */
export function unsafeNames(text: string): string[] {
  const found: string[] = [];
  for (const [h] of text.matchAll(HOST)) if (namesHost(h)) found.push(`host ${h} is outside .example, .test, .invalid, .localhost and example.com/net/org`);
  for (const [address, domain] of text.matchAll(EMAIL)) {
    // user@host in a connection string (an address), or a lock file's user@host.pid (no domain)
    const named = isIPv4(domain!) ? !NOBODYS.check(domain!, "ipv4") : !reservedName(domain!) && !NOT_HOSTS.has(domain!) && (parse(domain!).isIcann || parse(domain!).isPrivate);
    if (named) found.push(`e-mail address ${address} is outside the reserved domains`);
  }
  for (const [ip] of text.matchAll(IPV4)) if (isIPv4(ip) && !NOBODYS.check(ip, "ipv4")) found.push(`IP address ${ip} is outside 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 and the private and loopback ranges`);
  for (const [ip] of text.matchAll(IPV6)) if (isIPv6(ip) && !nobodysV6(ip)) found.push(`IP address ${ip} is outside 2001:db8::/32 and the IPv4 ranges above, mapped`);
  return found;
}

/** 13 to 19 digits, perhaps grouped by spaces or dashes, not part of a longer token; whether one is a card number is maskCardNumbers' call */
const DIGIT_RUN = /(?<![0-9a-z+/])\d(?:[ -]?\d){12,18}(?![0-9a-z+/])/gi;
/** Card numbers in `text`, as the service masks them (so that a failure does not print one). */
export const cardNumbers = (text: string): string[] =>
  [...text.matchAll(DIGIT_RUN)].flatMap(([run]) => (maskCardNumbers(run) === run ? [] : [`${maskCardNumbers(run)} is a card number (Luhn-valid, issuable): build it at run time (test/helpers/card-numbers.ts)`]));

/** A Google Analytics (Universal Analytics) id as written, UA-account-property, in any case. */
const ANALYTICS_ID = /(?<![\w-])UA-\d+(?:-\d+)*(?![\w-])/gi;
/**
 * The synthetic form: a leading zero on the account number. GA numbers accounts as integers and never writes one
 * with a leading zero, so UA-0310037-1 can be no site's account, while the same id without the zero may be one.
 */
const SYNTHETIC_ANALYTICS_ID = /^UA-0\d*(?:-\d+)*$/i;
/** Analytics ids in `text` that may be a real site's account (any UA- id without the leading zero). */
export const analyticsIds = (text: string): string[] =>
  [...text.matchAll(ANALYTICS_ID)].flatMap(([id]) => (SYNTHETIC_ANALYTICS_ID.test(id) ? [] : [`analytics id ${id} may be a real site's account: write it with a leading zero, ${id.replace(/^UA-/i, "UA-0")} (no real account number has one)`]));

/** Everything in `text` a fixture must not hold, each with its reason. */
export const unsafe = (text: string): string[] => [...unsafeNames(text), ...analyticsIds(text), ...cardNumbers(text)];
