// An address from the evidence as anyone sees it until they reveal it: its host and the SHA-256 of its canonical
// form, in its own field or inside a rule's explanation. The case page renders it (maskedUrl in web/html.ts) and the
// JSON API returns it, so a full URL leaves the service only through an audited reveal or case-file export.
import { z } from "zod";
import { Alert, AlertContext, EvidenceEvent } from "../decode/events.js";
import { maskCardNumbers } from "../lib/card-numbers.js";
import { urlHost } from "../lib/url.js";
import { evidenceUrls, urlHash, type AuditRow, type CaseDetail } from "./store.js";

export const MaskedUrl = z.object({
  /** null when the address is not an http(s) URL */
  host: z.string().nullable(),
  /** what POST /api/cases/:id/reveal takes */
  sha256: z.string(),
});
export type MaskedUrl = z.infer<typeof MaskedUrl>;

export const MaskedEvidenceEvent = EvidenceEvent.extend({
  checkoutUrl: MaskedUrl.optional(),
  referrerUrl: MaskedUrl.optional(),
  url: MaskedUrl.optional(),
  linkedUrls: z.array(MaskedUrl).optional(),
  flagged: z.array(EvidenceEvent.shape.flagged.unwrap().element.extend({ url: MaskedUrl })).optional(),
});
export const MaskedAlertContext = AlertContext.extend({
  profile: AlertContext.shape.profile.unwrap().extend({ websites: z.array(MaskedUrl) }).optional(),
  events: z.array(MaskedEvidenceEvent),
});
export const MaskedAlert = Alert.extend({ context: MaskedAlertContext.optional() });
export type MaskedAlertContext = z.infer<typeof MaskedAlertContext>;
export type MaskedAlert = z.infer<typeof MaskedAlert>;

/** A case as GET /api/cases/:id gives it. */
export type MaskedCaseDetail = Omit<CaseDetail, "alerts" | "context"> & { alerts: MaskedAlert[]; context: MaskedAlertContext };

export function maskUrl(url: string): MaskedUrl {
  return { host: urlHost(url), sha256: urlHash(url) };
}

// an address written with its scheme inside prose, should a rule's explanation carry one (alerts recorded before
// cloaked-content gave the host only do: "a crawl of https://… saw …")
const URL_IN_TEXT = String.raw`\bhttps?://[^\s,;()<>"']+`;
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

// the end of a sentence after an address ("… at https://x.example/p/1.") is no part of it
const SENTENCE_END = /[.!?:]+$/;

/**
 * Masks the addresses in prose that `masked` picks: the case's own addresses as written, any other http(s) URL, and
 * an address of one of the case's hosts written without its scheme (host/path, as prose writes one, or //host/path),
 * read as https or http, whichever `masked` picks (the canonical form has no scheme: a port tells them apart).
 * A card number in what is left is truncated as a display must show one (maskCardNumbers): the merchant's text or a
 * reviewer's comment may hold one, whoever typed it there.
 */
function masker(known: readonly string[], masked: (m: MaskedUrl) => boolean): (text: string) => string {
  const hosts = [...new Set(known.map(urlHost).filter((h): h is string => h !== null))];
  // a host's address with a path, not inside another host's name; the host alone is what a mask shows anyway
  const bare = hosts.length ? String.raw`(?<bare>(?<![\w.@-])(?:www\.)?(?:${hosts.map(escapeRe).join("|")})\.?(?::\d+)?/[^\s,;()<>"']*)` : [];
  // one pass, longest first, so no address is matched inside another or inside a mask already written
  const re = new RegExp([...known.filter(Boolean).sort((a, b) => b.length - a.length).map(escapeRe), URL_IN_TEXT, bare].flat().join("|"), "gi");
  return (text) =>
    maskCardNumbers(
      text.replace(re, (u: string, ...args: unknown[]) => {
        const isBare = (args.at(-1) as Record<string, string | undefined> | undefined)?.bare !== undefined;
        const end = SENTENCE_END.exec(u)?.[0] ?? "";
        for (const [url, tail] of end ? [[u, ""], [u.slice(0, -end.length), end]] : [[u, ""]]) {
          const m = (isBare ? [`https://${url}`, `http://${url}`] : [url!]).map(maskUrl).find(masked);
          if (m) return `${m.host ?? "(not a web address)"} ${m.sha256}${tail}`;
        }
        return u;
      }),
    );
}

/** Masks a rule's explanation: every address in it as host and hash. Made once per case, for all its explanations. */
export const textMasker = (known: readonly string[]): ((text: string) => string) => masker(known, () => true);

/**
 * Masks what reviewers wrote (comments, decisions' notes, in the audit trail too): the case's evidence addresses,
 * however they were pasted or typed (the same canonical address), since a colleague's comment is no reveal; another
 * address, such as a hotline's report page, stays as written.
 */
export function writtenMasker(context: AlertContext): WrittenMasker {
  return evidenceMasker(evidenceUrls(context));
}
type WrittenMasker = { text: (s: string) => string; audit: (a: AuditRow) => AuditRow };

/** writtenMasker from the case's evidence addresses alone (evidenceUrls): what the /audit page reads for its cases. */
export function evidenceMasker(known: readonly string[]): WrittenMasker {
  const evidence = new Set(known.map(urlHash));
  const text = masker(known, (m) => evidence.has(m.sha256));
  return { text, audit: (a) => ({ ...a, before: mapStrings(a.before, text), after: mapStrings(a.after, text), detail: mapStrings(a.detail, text) }) };
}

/** `v` with every string in it, in arrays and plain objects at any depth, passed through `f`; other values as they are. */
function mapStrings(v: unknown, f: (s: string) => string): unknown {
  if (typeof v === "string") return f(v);
  if (Array.isArray(v)) return v.map((x) => mapStrings(x, f));
  if (v === null || typeof v !== "object" || ![Object.prototype, null].includes(Object.getPrototypeOf(v))) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mapStrings(x, f)]));
}

/**
 * What leaves the service as a file (the JSON case file, the audit export) keeps what was written, addresses
 * included, but a card number in it truncated (maskCardNumbers): a file outside the bank's card data environment
 * must hold no PAN.
 */
export const withCardNumbersMasked = <T>(v: T): T => mapStrings(v, maskCardNumbers) as T;

/** A case's comments and audit rows with the evidence addresses reviewers wrote into them masked. */
export function maskWritten(d: CaseDetail): Pick<CaseDetail, "comments" | "audit"> {
  const m = writtenMasker(d.context);
  return { comments: d.comments.map((c) => ({ ...c, body: m.text(c.body) })), audit: d.audit.map(m.audit) };
}

/**
 * A context's addresses masked, in their own fields and inside the text the merchant wrote (its legal name and
 * descriptors: a descriptor often carries the shop's URL), with `mask`, a textMasker.
 */
function maskContext(ctx: AlertContext, mask: (text: string) => string): MaskedAlertContext {
  const opt = (u: string | undefined) => (u === undefined ? undefined : maskUrl(u));
  const text = (s: string | undefined) => (s === undefined ? undefined : mask(s));
  return {
    ...ctx,
    profile: ctx.profile && { ...ctx.profile, legalName: text(ctx.profile.legalName), descriptor: mask(ctx.profile.descriptor), websites: ctx.profile.websites.map(maskUrl) },
    events: ctx.events.map((e) => ({
      ...e,
      descriptor: text(e.descriptor),
      checkoutUrl: opt(e.checkoutUrl),
      referrerUrl: opt(e.referrerUrl),
      url: opt(e.url),
      linkedUrls: e.linkedUrls?.map(maskUrl),
      flagged: e.flagged?.map((f) => ({ ...f, url: maskUrl(f.url) })),
    })),
  };
}

export function maskCase(d: CaseDetail): MaskedCaseDetail {
  const mask = textMasker(evidenceUrls(d.context));
  return {
    ...d,
    ...maskWritten(d),
    alerts: d.alerts.map((a) => ({
      ...a,
      signals: a.signals.map((s) => ({ ...s, explanation: s.explanation && mask(s.explanation) })),
      context: a.context && maskContext(a.context, mask),
    })),
    context: maskContext(d.context, mask),
  };
}
