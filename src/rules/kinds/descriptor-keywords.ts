// Descriptor keywords: the billing descriptor, normalised against obfuscation (case, diacritics, digits for
// letters, separators), contains a keyword from an indicator set or from the rule's own list.
import { z } from "zod";
import { defineKind, keep } from "../kind.js";
import { hash32 } from "../../lib/hash.js";
import type { IndicatorRef } from "../../indicators/index.js";
import { compactKeyword, containsKeyword, normaliseDescriptor } from "../../lib/descriptor.js";

const Params = z.strictObject({
  minConfidence: z.number().int().min(0).max(100).default(50),
  /** extra keywords kept in the rules file (placeholders in this repository); indicator sets add theirs */
  keywords: z.array(z.string().min(2)).default([]),
});

interface Slot {
  /** fingerprint of the last descriptor checked, so one descriptor repeated on every sale is checked once */
  last: number;
  hits?: { descriptor: string; eventId: string; indicators: IndicatorRef[]; keywords: string[] }[];
}
const fresh = (): Slot => ({ last: 0 });

export default defineKind<z.infer<typeof Params>, Slot>({
  kind: "descriptor-keywords",
  summary: "the normalised billing descriptor contains a listed keyword on word boundaries",
  params: Params,
  on: ["merchant", "transaction"],
  evaluate(input) {
    const { event, at, params, env } = input;
    const descriptor = event.type === "merchant" || event.type === "transaction" ? event.descriptor : undefined;
    if (!descriptor) return undefined;
    const h = hash32(descriptor);
    if (input.slot?.last === h) return undefined;
    const slot = keep(input, fresh);
    slot.last = h;
    const indicators = env.indicators.matchKeywords(descriptor, at).filter((r) => r.confidence >= params.minConfidence);
    const normalised = normaliseDescriptor(descriptor);
    const keywords = params.keywords.filter((k) => containsKeyword(normalised, compactKeyword(k)));
    if (indicators.length === 0 && keywords.length === 0) return undefined;
    const hits = (slot.hits ??= []);
    if (!hits.some((x) => x.descriptor === descriptor)) {
      hits.push({ descriptor, eventId: event.eventId, indicators, keywords });
      if (hits.length > 4) hits.shift();
    }
    const all = hits.flatMap((x) => x.indicators);
    const count = new Set([...all.map((r) => r.id), ...hits.flatMap((x) => x.keywords)]).size;
    return {
      value: count,
      threshold: 1,
      strength: all.length ? Math.max(...all.map((r) => r.confidence)) / 100 : 1,
      eventIds: hits.map((x) => x.eventId),
      indicators: all,
      detail: hits.map((x) => `"${x.descriptor}"`).join(", "),
    };
  },
  explain: (f) => `billing descriptor ${f.detail ?? ""} contains ${f.value} listed keyword(s)`,
});
