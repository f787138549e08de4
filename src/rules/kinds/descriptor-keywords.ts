// Descriptor keywords: the billing descriptor, normalised against obfuscation (case, diacritics, digits for
// letters, separators), contains a keyword from an indicator set or from the rule's own list.
import { z } from "zod";
import { defineKind } from "../kind.js";
import type { IndicatorRef } from "../../indicators/index.js";
import { compactKeyword, containsKeyword, normaliseDescriptor } from "../../lib/descriptor.js";

const Params = z.strictObject({
  minConfidence: z.number().int().min(0).max(100).default(50),
  /** extra keywords kept in the rules file (placeholders in this repository); indicator sets add theirs */
  keywords: z.array(z.string().min(2)).default([]),
});

interface Slot {
  /** last descriptor checked, so one descriptor repeated on every sale is checked once */
  last?: string;
  hits: { descriptor: string; eventId: string; indicators: IndicatorRef[]; keywords: string[] }[];
}

export default defineKind<z.infer<typeof Params>, Slot>({
  kind: "descriptor-keywords",
  summary: "the normalised billing descriptor contains a listed keyword on word boundaries",
  params: Params,
  on: ["merchant", "transaction"],
  slot: () => ({ hits: [] }),
  evaluate({ event, at, params, slot, env }) {
    const descriptor = event.type === "merchant" || event.type === "transaction" ? event.descriptor : undefined;
    if (!descriptor || descriptor === slot.last) return undefined;
    slot.last = descriptor;
    const indicators = env.indicators.matchKeywords(descriptor, at).filter((r) => r.confidence >= params.minConfidence);
    const normalised = normaliseDescriptor(descriptor);
    const keywords = params.keywords.filter((k) => containsKeyword(normalised, compactKeyword(k)));
    if (indicators.length === 0 && keywords.length === 0) return undefined;
    if (!slot.hits.some((h) => h.descriptor === descriptor)) {
      slot.hits.push({ descriptor, eventId: event.eventId, indicators, keywords });
      if (slot.hits.length > 4) slot.hits.shift();
    }
    const all = slot.hits.flatMap((h) => h.indicators);
    const count = new Set([...all.map((r) => r.id), ...slot.hits.flatMap((h) => h.keywords)]).size;
    return {
      value: count,
      threshold: 1,
      strength: all.length ? Math.max(...all.map((r) => r.confidence)) / 100 : 1,
      eventIds: slot.hits.map((h) => h.eventId),
      indicators: all,
      detail: slot.hits.map((h) => `"${h.descriptor}"`).join(", "),
    };
  },
  explain: (f) => `billing descriptor ${f.detail ?? ""} contains ${f.value} listed keyword(s)`,
});
