// Shared infrastructure: the merchant shares an IP, analytics ID, principal, payout account or e-mail hash with
// a merchant that is flagged (on its own evidence, or as one whose account the bank closed), or its IP / analytics ID
// is itself on an indicator list. One hop only: a merchant flagged through this rule does not pass the flag on.
import { z } from "zod";
import { defineKind } from "../kind.js";
import { INFRA_KINDS, InfraKind, infraKeys } from "../../state/infra.js";
import type { IndicatorRef } from "../../indicators/index.js";

const Params = z.strictObject({
  via: z.array(InfraKind).min(1).default([...INFRA_KINDS]),
  minConfidence: z.number().int().min(0).max(100).default(50),
});

export default defineKind<z.infer<typeof Params>>({
  kind: "shared-infrastructure",
  summary: "shares an IP, analytics ID, principal, payout account or e-mail hash with a flagged or listed merchant",
  params: Params,
  on: ["merchant", "peer-flagged", "indicators-changed"],
  secondHand: true,
  // a key shared by more merchants than this links no one
  reads: () => ["maxSharers"],
  evaluate({ event, at, merchant, params, env }) {
    const keys = infraKeys(merchant.profile).filter((k) => params.via.includes(k.kind));
    // looked up afresh each time: a link to a merchant no longer flagged is withdrawn at this one's next evaluation
    const peers = env.infra.flaggedPeers(merchant.id, keys, at);
    const listed: IndicatorRef[] = [];
    for (const k of keys) {
      if (k.kind !== "ip" && k.kind !== "analytics-id") continue;
      for (const r of env.indicators.lookup(k.kind, k.value, at)) if (r.confidence >= params.minConfidence) listed.push(r);
    }
    if (peers.length === 0 && listed.length === 0) return null;
    const links = [
      // a merchant whose account the bank closed is linked for that, whatever its own evidence now: the reviewer is told
      ...peers.map((p) => (p.terminated ? `${p.key.kind} with terminated merchant ${p.merchantId} (account closed)` : `${p.key.kind} with flagged merchant ${p.merchantId}`)),
      // the entry's confidence against the rule's floor: why it counts
      ...listed.map((r) => `listed ${r.kind} (${r.set}/${r.id}, confidence ${r.confidence}, counted from ${params.minConfidence})`),
    ];
    // the profile in force at the evaluation: a late flag's (run, InfraIndex.timed) may predate a later profile that kept the keys
    const p = merchant.profile;
    const inForce = p && event.type === "peer-flagged" && p.at !== undefined && at < p.at ? (env.infra.keptAt(merchant.id, at)?.eventId ?? p.eventId) : p?.eventId;
    const eventIds = [inForce ?? event.eventId];
    // linked by its own profile event (a peer that took the keys after the flag: engine.linkPeers), cited once
    if (event.type === "peer-flagged" && event.eventId !== eventIds[0]) eventIds.push(event.eventId);
    return {
      value: new Set(peers.map((p) => p.merchantId)).size + listed.length,
      threshold: 1,
      eventIds,
      indicators: listed,
      detail: links.slice(0, 6).join("; "),
    };
  },
  explain: (f) => plainLinks(f.detail ?? ""),
});

/** What the merchant has of each key kind, as a reviewer reads it, for n keys linking it to the same merchant. */
const SHARED_WORDS: Record<InfraKind, (n: number) => string> = {
  ip: (n) => (n === 1 ? "shares an IP address with" : `shares ${n} IP addresses with`),
  "analytics-id": (n) => (n === 1 ? "shares an analytics ID with" : `shares ${n} analytics IDs with`),
  principal: (n) => (n === 1 ? "shares a principal (owner or director, hashed) with" : `shares ${n} principals (owners or directors, hashed) with`),
  // a merchant has one of each of these
  "payout-account": () => "has the same payout account (hashed) as",
  email: () => "has the same contact e-mail (hashed) as",
};
const LISTED_WORDS: Partial<Record<InfraKind, string>> = { ip: "uses an IP address", "analytics-id": "uses an analytics ID" };

const PEER = /^(\S+) with (flagged|terminated) merchant (.+?)(?: \(account closed\))?$/;
const LISTED = /^listed (\S+) \((.+)\)$/;
const isKind = (k: string): k is InfraKind => (INFRA_KINDS as readonly string[]).includes(k);

/**
 * The finding's detail in plain words, made when a signal is explained (an alert), not per event: the evaluator keeps
 * its short form, which checkpoints and stored signals also hold. The same link made twice (two shared IPs) is said
 * once with its count; a part in no known form is kept as written.
 */
function plainLinks(detail: string): string {
  const counts = new Map<string, number>();
  for (const part of detail.split("; ")) counts.set(part, (counts.get(part) ?? 0) + 1);
  return [...counts]
    .map(([part, n]) => {
      const peer = PEER.exec(part);
      if (peer && isKind(peer[1]!))
        return `${SHARED_WORDS[peer[1]](n)} merchant ${peer[3]}, ${peer[2] === "terminated" ? "whose account the bank closed" : "flagged on its own evidence"}`;
      const listed = LISTED.exec(part);
      const uses = listed && LISTED_WORDS[listed[1] as InfraKind];
      return uses ? `${uses} on an indicator list (entry ${listed[2]})` : part;
    })
    .join("; ");
}
