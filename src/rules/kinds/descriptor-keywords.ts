// Descriptor keywords: the billing descriptor, normalised against obfuscation (case, diacritics, digits for
// letters, separators), contains a keyword from an indicator set or from the rule's own list.
import { z } from "zod";
import { defineKind, keep, type EvalInput, type Finding } from "../kind.js";
import { hash32 } from "../../lib/hash.js";
import { citation, type IndicatorRef } from "../../indicators/index.js";
import { compactKeyword, containsKeyword, keywordForm } from "../../lib/descriptor.js";

const Params = z.strictObject({
  minConfidence: z.number().int().min(0).max(100).default(50),
  /** extra keywords kept in the rules file (placeholders in this repository); indicator sets add theirs */
  keywords: z
    .array(
      z
        .string()
        .min(2)
        // one without letters (a number, punctuation) would never match: descriptors are matched on their words
        .refine((k) => compactKeyword(k) !== "", "has no letters, so it could never match a descriptor: give the word (digits for letters, as in T0KALPHA, are read as letters)"),
    )
    .default([]),
});

interface Slot {
  /** fingerprint of the last descriptor checked, so one descriptor repeated on every sale is checked once */
  last: number;
  hits?: Hit[];
}
interface Hit {
  descriptor: string;
  eventId: string;
  indicators: IndicatorRef[];
  keywords: string[];
}
type Params = z.infer<typeof Params>;
const fresh = (): Slot => ({ last: 0 });

/** The keywords a descriptor contains, from the indicator sets and the rule's own list; null when none. */
function match(input: EvalInput<Params, Slot>, descriptor: string, eventId: string): Hit | null {
  const { at, params, env } = input;
  const indicators = env.indicators.matchKeywords(descriptor, at).filter((r) => r.confidence >= params.minConfidence);
  const normalised = keywordForm(descriptor);
  const keywords = params.keywords.filter((k) => containsKeyword(normalised, compactKeyword(k)));
  return indicators.length === 0 && keywords.length === 0 ? null : { descriptor, eventId, indicators, keywords };
}

function finding(hits: Hit[]): Finding {
  // an entry is its publisher's set's (entry ids are a set's own), cited once however many descriptors matched it
  const byEntry = new Map(hits.flatMap((x) => x.indicators).map((r) => [citation(r.source, r.set, r.id), r]));
  const all = [...byEntry.values()];
  const count = byEntry.size + new Set(hits.flatMap((x) => x.keywords)).size;
  return {
    value: count,
    threshold: 1,
    // a keyword of the rule's own list counts in full, as it does alone, whatever indicator also matched
    strength: all.length && !hits.some((x) => x.keywords.length) ? Math.max(...all.map((r) => r.confidence)) / 100 : 1,
    eventIds: hits.map((x) => x.eventId),
    indicators: all,
    detail: hits.map((x) => `"${x.descriptor}"`).join(", "),
  };
}

export default defineKind<Params, Slot>({
  kind: "descriptor-keywords",
  summary: "the normalised billing descriptor contains a listed keyword on word boundaries",
  params: Params,
  on: ["merchant", "transaction", "indicators-changed"],
  evaluate(input) {
    const { event, merchant } = input;
    if (event.type === "indicators-changed") {
      // the descriptors that matched and the profile's are matched again; the next sale's is checked afresh
      const was = input.slot?.hits ?? [];
      const profile = merchant.profile;
      const candidates = was.map((h) => [h.descriptor, h.eventId] as const);
      if (profile && !was.some((h) => h.descriptor === profile.descriptor)) candidates.push([profile.descriptor, profile.eventId]);
      const hits = candidates.map(([d, id]) => match(input, d, id)).filter((h) => h !== null).slice(-4);
      if (input.slot) input.slot.last = 0;
      if (hits.length === 0) {
        if (input.slot) input.slot.hits = undefined;
        return null;
      }
      keep(input, fresh).hits = hits;
      return finding(hits);
    }
    const descriptor = event.type === "merchant" || event.type === "transaction" ? event.descriptor : undefined;
    if (!descriptor) return undefined;
    const h = hash32(descriptor);
    if (input.slot?.last === h) return undefined;
    const slot = keep(input, fresh);
    slot.last = h;
    const hit = match(input, descriptor, event.eventId);
    if (!hit) return undefined;
    const hits = (slot.hits ??= []);
    if (!hits.some((x) => x.descriptor === descriptor)) {
      hits.push(hit);
      if (hits.length > 4) hits.shift();
    }
    return finding(hits);
  },
  explain: (f, p) =>
    `billing descriptor ${f.detail ?? ""} contains ${f.value} listed keyword(s), ` +
    (f.strength < 1
      ? `at indicator confidence ${Math.round(f.strength * 100)} (counted from ${p.minConfidence}): ${Math.round(f.strength * 100)}% of the rule's weight`
      : "at the rule's full weight (a keyword of its own list, or one listed at confidence 100)"),
});
