// Indicator set, first version: a JSON file a coalition member shares (flagged sites, keywords, identifiers).
import { z } from "zod";

export const INDICATOR_KINDS = [
  "url", // a full URL, compared after canonicalisation (src/lib/url.ts)
  "domain", // a domain: the domain itself and all its subdomains
  "url-sha256", // sha256: of the canonical URL, for sets that must not carry plaintext
  "keyword", // a descriptor keyword, compared after normalisation (src/lib/descriptor.ts)
  "merchant-id",
  "email-sha256",
  "account-sha256",
  "principal-sha256",
  "wallet",
  "ip",
  "analytics-id",
] as const;
export const IndicatorKind = z.enum(INDICATOR_KINDS);
export type IndicatorKind = z.infer<typeof IndicatorKind>;

export const Tlp = z.enum(["clear", "green", "amber", "amber+strict", "red"]);

export type Tlp = z.infer<typeof Tlp>;

export const IndicatorEntry = z.strictObject({
  id: z.string().min(1).max(128),
  kind: IndicatorKind,
  value: z.string().min(1).max(4096),
  confidence: z.number().int().min(0).max(100),
  validUntil: z.iso.datetime({ offset: true }).optional(),
  /** Traffic Light Protocol 2.0 label: how far the entry may be shared; shown to reviewers with the match */
  tlp: Tlp.optional(),
});

export const IndicatorSetV1 = z.strictObject({
  id: z.string().min(1).max(128),
  source: z.string().min(1).max(256),
  created: z.iso.datetime({ offset: true }),
  entries: z.array(IndicatorEntry),
});

export type IndicatorEntry = z.infer<typeof IndicatorEntry>;
export type IndicatorSetV1 = z.infer<typeof IndicatorSetV1>;
