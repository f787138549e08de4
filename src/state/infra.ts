// Which merchants share a piece of infrastructure or identity (IP, analytics ID, principal, payout account,
// e-mail hash), and which of them are flagged. Cross-merchant by nature, so it lives beside the per-merchant
// state rather than in it; it holds keys, never events. One table per kind, keyed by the profile's own value
// strings, and a lone merchant stored as a string: most keys have one holder, and this index is per merchant
// the largest thing in memory after the state itself.
import { z } from "zod";
import type { Profile } from "./merchant.js";
import { canonicalIp } from "../lib/ip.js";

export const InfraKind = z.enum(["ip", "analytics-id", "principal", "payout-account", "email"]);
export type InfraKind = z.infer<typeof InfraKind>;
export const INFRA_KINDS = InfraKind.options;

// an address read back (a flag notice written before addresses were read in one spelling) in the spelling of events'
export const InfraKey = z.object({ kind: InfraKind, value: z.string() }).overwrite((k) => (k.kind === "ip" ? { ...k, value: canonicalIp(k.value) } : k));
export type InfraKey = z.infer<typeof InfraKey>;

/**
 * A merchant flagged on its own evidence, a flagged merchant's keys added or dropped later, or a merchant no longer
 * flagged (every key dropped, none added), as other processes learn of it: the event and the keys. Read back from
 * PostgreSQL, so a schema.
 */
export const FlagNotice = z.object({
  merchantId: z.string(),
  eventId: z.string(),
  occurredAt: z.string(),
  keys: z.array(InfraKey),
  /**
   * keys no longer flagged through the merchant: those it no longer holds, or all of them once it is no longer flagged
   * (absent in notices before 2026-12-04)
   */
  dropped: z.array(InfraKey).optional(),
});
export type FlagNotice = z.infer<typeof FlagNotice>;

export function infraKeys(p: Profile | undefined): InfraKey[] {
  if (!p) return [];
  const keys: InfraKey[] = [];
  for (const value of p.ips) keys.push({ kind: "ip", value });
  for (const value of p.analyticsIds) keys.push({ kind: "analytics-id", value });
  for (const value of p.principals) keys.push({ kind: "principal", value });
  if (p.payoutAccount) keys.push({ kind: "payout-account", value: p.payoutAccount });
  if (p.contactEmail) keys.push({ kind: "email", value: p.contactEmail });
  return keys;
}

/** True when two profiles hold the same infrastructure keys; applyProfile keeps an unchanged list as the same array. */
export function sameInfra(a: Profile | undefined, b: Profile | undefined): boolean {
  return (
    a !== undefined &&
    b !== undefined &&
    a.ips === b.ips &&
    a.analyticsIds === b.analyticsIds &&
    a.principals === b.principals &&
    a.payoutAccount === b.payoutAccount &&
    a.contactEmail === b.contactEmail
  );
}

const sameKey = (a: InfraKey, b: InfraKey): boolean => a.kind === b.kind && a.value === b.value;
export const hasKey = (keys: readonly InfraKey[], k: InfraKey): boolean => keys.some((x) => sameKey(x, k));

/**
 * A key's holders: one merchant as a string, a few in an array, many (a CDN's IP) in a set. All are kept, so whether
 * a key is common follows its sharers exactly as they come and go, and under any maxSharers a new rule set brings.
 */
type Holders = string | string[] | Set<string>;
const ARRAY_MAX = 16;
const holders = (h: Holders | undefined): Iterable<string> => (h === undefined ? [] : typeof h === "string" ? [h] : h);
const count = (h: Holders | undefined): number => (h === undefined ? 0 : typeof h === "string" ? 1 : Array.isArray(h) ? h.length : h.size);

/** The event that flagged a merchant's key, as its flag notice gives it (a key flagged by a restore or a closed account has none). */
export interface FlaggedBy {
  eventId: string;
  occurredAt: string;
  /** epoch ms of occurredAt */
  at: number;
}

/** A key's flagged holder, and since when in event time (undefined: always, as a restored flag or a closed account). */
interface Flag {
  merchantId: string;
  by?: FlaggedBy;
}

/** A flag the evaluation of a merchant passed over as later in event time than the evaluation (InfraIndex.timed). */
export interface AheadFlag {
  /** the merchant evaluated */
  peer: string;
  /** the flagged merchant */
  merchantId: string;
  key: InfraKey;
  by: FlaggedBy;
}

/** A merchant's profile that a later profile kept the keys of: its event's time and id. */
export interface KeptProfile {
  at: number;
  /** absent when restored from a checkpoint written before these were kept (keysSince alone) */
  eventId?: string;
}

/** Kept profiles of a merchant at most (InfraIndex.keptSince): one that sends its profile again and again keeps the first and the latest. */
const KEPT_MAX = 8;

export class InfraIndex {
  private readonly tables = new Map<InfraKind, Map<string, Holders>>(INFRA_KINDS.map((k) => [k, new Map()]));
  /** flagged holders, only for keys that have any */
  private readonly flagged = new Map<InfraKind, Map<string, Flag[]>>(INFRA_KINDS.map((k) => [k, new Map()]));

  /**
   * Flags count from their event's time on (the Kafka consumer: its partitions run apart in event time, and a flag made
   * on one ahead must not link a merchant of one behind by the merchant's earlier events, which replay evaluated
   * before the flag). Passed-over flags are kept in `ahead` for the caller to link at the flag's time. Unset (replay
   * and the other commands, which take events in the file's order), a flag counts at once.
   */
  timed = false;
  /** flags passed over as later than the evaluation that looked them up (only when `timed`); the caller takes them */
  ahead: AheadFlag[] = [];
  /**
   * the profiles of a merchant before its latest since it took the keys it holds, where later profiles kept them
   * (only when `timed`), oldest first: the first says when it took them (a profile update that keeps its keys does not
   * make it a merchant that took them after a flag), and each which profile was in force at a late flag's time, whose
   * event replay's finding cites. Checkpointed with the merchant (StoredMerchant.keysSince, keptProfiles) and put back
   * by the engine's restore.
   */
  private readonly keptSince = new Map<string, KeptProfile[]>();

  /**
   * merchants whose account the bank closed (a case closed as account_closed): flagged whatever their own evidence,
   * and named as such in the findings that link to them; every process holds the whole list (engine.replaceTerminated)
   */
  terminated: ReadonlySet<string> = new Set();

  /** beyond this many sharers a key is common infrastructure (a CDN, a shared host) and links no one */
  constructor(public maxSharers = 25) {}

  /** Records a merchant's keys after a profile change. */
  update(merchantId: string, before: readonly InfraKey[], after: readonly InfraKey[]): void {
    this.keptSince.delete(merchantId);
    for (const k of before) {
      if (hasKey(after, k)) continue;
      const table = this.tables.get(k.kind)!;
      const h = table.get(k.value);
      if (h instanceof Set) {
        h.delete(merchantId);
        if (h.size === 0) table.delete(k.value);
      } else {
        const rest = [...holders(h)].filter((m) => m !== merchantId);
        if (rest.length === 0) table.delete(k.value);
        else table.set(k.value, rest.length === 1 ? rest[0]! : rest);
      }
      this.unflagKey(merchantId, k);
    }
    for (const k of after) {
      const table = this.tables.get(k.kind)!;
      const h = table.get(k.value);
      if (h === undefined) table.set(k.value, merchantId);
      else if (typeof h === "string") {
        if (h !== merchantId) table.set(k.value, [h, merchantId]);
      } else if (h instanceof Set) h.add(merchantId);
      else if (!h.includes(merchantId)) {
        if (h.length < ARRAY_MAX) h.push(merchantId);
        else table.set(k.value, new Set([...h, merchantId]));
      }
    }
  }

  private common(k: InfraKey): boolean {
    return count(this.tables.get(k.kind)!.get(k.value)) > this.maxSharers;
  }

  /**
   * Marks a merchant flagged; returns the other merchants that share one of its keys (one hop). The merchant may be
   * one this index does not hold (flagged by another process): its keys are then marked for the merchants that
   * come to hold them later.
   */
  flag(merchantId: string, keys: readonly InfraKey[], by?: FlaggedBy): string[] {
    for (const k of keys) {
      if (this.common(k)) continue;
      const flags = this.flagged.get(k.kind)!;
      const f = flags.get(k.value);
      if (!f) flags.set(k.value, [{ merchantId, by }]);
      else if (!f.some((x) => x.merchantId === merchantId)) f.push({ merchantId, by });
    }
    return this.sharers(merchantId, keys);
  }

  /** The other merchants that hold one of the keys, common keys left out (one hop). */
  sharers(merchantId: string, keys: readonly InfraKey[]): string[] {
    const peers: string[] = [];
    for (const k of keys) {
      if (this.common(k)) continue;
      for (const m of holders(this.tables.get(k.kind)!.get(k.value))) if (m !== merchantId && !peers.includes(m)) peers.push(m);
    }
    return peers;
  }

  /** A profile of the merchant kept the keys of its profile `was` (timed only). */
  kept(merchantId: string, was: { eventId: string; at?: number }): void {
    if (!this.timed || was.at === undefined) return;
    const kept = this.keptSince.get(merchantId);
    const p: KeptProfile = { at: was.at, eventId: was.eventId };
    if (!kept) this.keptSince.set(merchantId, [p]);
    else {
      // the first stays (when it took the keys); a merchant that sends its profile again and again keeps the latest few
      if (kept.length >= KEPT_MAX) kept.splice(1, 1);
      kept.push(p);
    }
  }

  /** The merchant's kept profiles (see keptSince), as its checkpoint stores them: [at, eventId], oldest first. */
  keptOf(merchantId: string): [number, string][] | undefined {
    return this.keptSince.get(merchantId)?.flatMap((p) => (p.eventId === undefined ? [] : [[p.at, p.eventId] as [number, string]]));
  }

  /**
   * Puts back a merchant's kept profiles from its checkpoint (timed only): when it took its keys and, if the checkpoint
   * has them, the profiles kept since (keptOf's form); one written before them has the time alone.
   */
  restoreKept(merchantId: string, since: number, profiles?: readonly (readonly [number, string])[]): void {
    if (!this.timed) return;
    const kept: KeptProfile[] = (profiles ?? []).map(([at, eventId]) => ({ at, eventId }));
    if (kept[0]?.at !== since) kept.unshift({ at: since });
    this.keptSince.set(merchantId, kept);
  }

  /** Since when (event time) the merchant holds its keys, when a later profile kept them; else its profile's time. */
  heldSince(merchantId: string, profileAt: number | undefined): number | undefined {
    return this.keptSince.get(merchantId)?.[0]!.at ?? profileAt;
  }

  /**
   * The merchant's profile in force at `at` (event time) among those a later profile kept the keys of (timed only);
   * undefined when none is (its latest is, or it had not taken its keys). Its event is undefined when restored from a
   * checkpoint written before the events were kept.
   */
  keptAt(merchantId: string, at: number): KeptProfile | undefined {
    const kept = this.keptSince.get(merchantId);
    if (kept === undefined) return undefined;
    for (let i = kept.length - 1; i >= 0; i--) if (kept[i]!.at <= at) return kept[i];
    return undefined;
  }

  /** Whether the key is flagged through the merchant. */
  flaggedThrough(merchantId: string, k: InfraKey): boolean {
    return this.flagged.get(k.kind)!.get(k.value)?.some((x) => x.merchantId === merchantId) ?? false;
  }

  /** Keys a flagged merchant no longer holds stop being flagged through it (a merchant held elsewhere: its notice). */
  unflag(merchantId: string, keys: readonly InfraKey[]): void {
    for (const k of keys) this.unflagKey(merchantId, k);
  }

  private unflagKey(merchantId: string, k: InfraKey): void {
    const flags = this.flagged.get(k.kind)!;
    const f = flags.get(k.value)?.filter((x) => x.merchantId !== merchantId);
    if (f?.length) flags.set(k.value, f);
    else flags.delete(k.value);
  }

  /**
   * The flagged merchants (other than this one) sharing each of the given keys; with `timed` and the evaluation's
   * event time `at`, those flagged by an event later than `at` are left out (and noted in `ahead`), save merchants
   * whose account was closed.
   */
  flaggedPeers(merchantId: string, keys: readonly InfraKey[], at?: number): { key: InfraKey; merchantId: string; terminated: boolean }[] {
    const out: { key: InfraKey; merchantId: string; terminated: boolean }[] = [];
    for (const k of keys) {
      const f = this.flagged.get(k.kind)!.get(k.value);
      if (!f || this.common(k)) continue;
      for (const { merchantId: m, by } of f) {
        if (m === merchantId) continue;
        const terminated = this.terminated.has(m);
        if (this.timed && at !== undefined && by !== undefined && by.at > at && !terminated) this.ahead.push({ peer: merchantId, merchantId: m, key: k, by });
        else out.push({ key: k, merchantId: m, terminated });
      }
    }
    return out;
  }

  /**
   * The flags on the given keys (other merchants', not common) made by events in [from, to), each flagging event once,
   * in event time: those a peer that held the keys since `from` was linked by, in replay, before a flag at `to`.
   */
  flaggedBetween(merchantId: string, keys: readonly InfraKey[], from: number, to: number): { merchantId: string; by: FlaggedBy }[] {
    const out: { merchantId: string; by: FlaggedBy }[] = [];
    for (const k of keys) {
      const f = this.flagged.get(k.kind)!.get(k.value);
      if (!f || this.common(k)) continue;
      for (const { merchantId: m, by } of f)
        if (m !== merchantId && by && by.at >= from && by.at < to && !out.some((x) => x.merchantId === m && x.by.eventId === by.eventId)) out.push({ merchantId: m, by });
    }
    return out.sort((a, b) => a.by.at - b.by.at);
  }

  get size(): number {
    let n = 0;
    for (const t of this.tables.values()) n += t.size;
    return n;
  }
}
