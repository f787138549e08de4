// One event in, zero or more alerts out: merchant state -> rules -> score -> alert. Replay and the Kafka
// consumer both drive this class; it does no I/O.
import type { Alert, Event } from "./decode/events.js";
import { applyChargeback, applyProfile, applyTransaction, newMerchant, storedCounters, storedProfile, type ActiveSignal, type MerchantState, type StoredMerchant } from "./state/merchant.js";
import { pack, seenBefore, unpack } from "./state/seen.js";
import { parseTime } from "./lib/time.js";
import { InfraIndex, hasKey, infraKeys, sameInfra, type FlagNotice, type FlaggedBy } from "./state/infra.js";
import type { EvalInput, Finding, IndicatorsChanged, PeerFlagged, RuleEnv, RuleMode, Trigger } from "./rules/kind.js";
import type { CompiledRule, RuleSet } from "./rules/ruleset.js";
import { KIND_BY_NAME } from "./rules/registry.js";
import { citation, type IndicatorIndex, type IndicatorRef } from "./indicators/index.js";
import { assess, materiallyChanged } from "./scoring/score.js";
import { buildAlert, summarise } from "./scoring/alert.js";
import { countActivity, keepEvidence, storedActivity, summariseEvent } from "./state/evidence.js";
import { storedPair } from "./state/window.js";

const NO_ALERTS: readonly Alert[] = Object.freeze([]);

/**
 * A slot's key in persisted state: the rule's id, and its kind when the id is not the kind's own name. Rule ids are
 * lowercase letters, digits and dashes, so `@` cannot be part of one.
 */
const slotKey = (r: CompiledRule): string => (r.id === r.kind.kind ? r.id : `${r.id}@${r.kind.kind}`);

/** The rule id and kind of a slot's key; a key that is a bare id names its kind only when it is a kind's name. */
function parseSlotKey(key: string): { id: string; kind?: string } {
  const at = key.indexOf("@");
  if (at >= 0) return { id: key.slice(0, at), kind: key.slice(at + 1) };
  // a bare id that is no kind's name: a slot written before kinds were recorded, taken as the rule's own
  return { id: key, kind: KIND_BY_NAME.has(key) ? key : undefined };
}

/** A cited entry's expiry as a signal keeps it (epoch ms; Number.MAX_SAFE_INTEGER: none). */
const expiryOf = (r: ActiveSignal["indicators"][number]): number => (r.validUntil === undefined ? Number.MAX_SAFE_INTEGER : Date.parse(r.validUntil));

/** The entries the signals cite, as `citation` names them. */
const citationsOf = (signals: Iterable<ActiveSignal>): Set<string> => {
  const out = new Set<string>();
  for (const s of signals) for (const r of s.indicators) out.add(citation(r.source, r.set, r.id));
  return out;
};

/** Whether a signal recomputed counts as it did (the same value and strength, citing the same entries alike). */
const sameFinding = (a: ActiveSignal, b: ActiveSignal): boolean =>
  a.value === b.value && a.strength === b.strength && a.critical === b.critical && JSON.stringify(a.indicators) === JSON.stringify(b.indicators);

/** A rule's finding as the merchant's state keeps it (plain JSON), since when the signal held before. */
const signalOf = (f: Finding, prev: ActiveSignal | undefined, at: number): ActiveSignal => ({
  value: f.value,
  threshold: f.threshold,
  strength: f.strength ?? 1,
  critical: f.critical ?? false,
  eventIds: f.eventIds,
  indicators: (f.indicators ?? []).map((r) => ({
    set: r.set,
    id: r.id,
    source: r.source,
    confidence: r.confidence,
    ...(r.validUntil !== Number.MAX_SAFE_INTEGER && { validUntil: new Date(r.validUntil).toISOString() }),
    ...(r.tlp && { tlp: r.tlp }),
    ...(r.matchedAs && { matchedAs: r.matchedAs }),
  })),
  detail: f.detail,
  since: prev?.since ?? new Date(at).toISOString(),
});

function hasSignal(m: MerchantState): boolean {
  for (const _ in m.signals) return true;
  return false;
}

export interface RuleHit {
  rule: string;
  version: string;
  mode: RuleMode;
  merchantId: string;
  /** event time of the event that made the rule hold */
  at: string;
}

export class Engine {
  readonly merchants = new Map<string, MerchantState>();
  /** merchants whose state changed since the last takeDirty(), for persistence */
  private dirty = new Set<string>();
  readonly infra: InfraIndex;
  private readonly env: RuleEnv;
  // one reused argument object keeps the per-rule call free of allocation
  private readonly input: EvalInput<unknown, unknown>;
  /**
   * events: applied; repeated: events whose id the merchant was recently sent, skipped (seen.ts); slotsReset: rule
   * slots checkpointed by a rule of another kind under the same id, dropped (see restore)
   */
  readonly counts = { events: 0, repeated: 0, alerts: 0, slotsReset: 0 };
  /** a finding of the event in hand cites it */
  private cited = false;
  /** merchants on which a rule started to hold since the last takeHits(), live and shadow, for the tuners */
  private hits: RuleHit[] = [];
  /**
   * merchants with findings when a rule set was put in force (or restored from a checkpoint), not assessed under it
   * since: their next event alerts them if the set does (a shadow rule put live, a weight raised), though it changes no
   * finding, and records their findings as hits of the rules in force
   */
  private reassess = new Set<string>();
  /** merchants flagged, no longer flagged or with keys added or dropped since the last takeFlags(), for the other partitions */
  private flags: FlagNotice[] = [];
  /**
   * the notices of merchants no longer flagged without an event of theirs (a reload, an indicator revoked or expired,
   * a restore), or flagged so as their account was closed (replaceTerminated): a caller that writes notices with the events that made them writes these on the merchant's own
   * partition, whichever event was in hand
   */
  private readonly lapsed = new WeakSet<FlagNotice>();
  /** the merchants held here that are flagged on their own evidence */
  private readonly flaggedIds = new Set<string>();
  /** event time: the latest event's time processed or restored; indicators expire by it (expireFlags) */
  private clock = 0;
  /** no flagged merchant's signal can lose its last indicator to expiry before this time (a bound; see expireFlags) */
  private nextExpiry = Number.MAX_SAFE_INTEGER;
  /**
   * Called with a merchant's id before an event changes its state, for a caller that must see the state as it was
   * (a checkpoint in progress serialises it first).
   */
  beforeChange?: (merchantId: string) => void;
  /**
   * Whether a peer of a merchant being flagged is linked at once (unset: every peer). The Kafka consumer, which
   * commits each partition's outputs apart, leaves out peers on another partition: they are linked in their own
   * partition's transaction, from the flag's committed notice (triggerPeers).
   */
  linksAtOnce?: (peerId: string) => boolean;

  constructor(
    public ruleSet: RuleSet,
    indicators: IndicatorIndex,
    /** record which merchants changed, for a caller that persists them (replay does not) */
    private readonly trackDirty = false,
    /** record rule hits (takeHits), for the tuners' hit counts and backtests */
    private readonly trackHits = false,
  ) {
    this.infra = new InfraIndex(ruleSet.settings.maxSharers);
    this.env = { indicators, infra: this.infra, highRiskMccs: ruleSet.highRiskMccs };
    this.input = { event: undefined as unknown as Event, at: 0, merchant: undefined as unknown as MerchantState, params: undefined, slot: undefined, env: this.env, noted: false };
  }

  process(event: Event): readonly Alert[] {
    this.beforeChange?.(event.merchantId);
    const at = parseTime(event.occurredAt);
    const indicators = this.env.indicators.fingerprint;
    let m = this.merchants.get(event.merchantId);
    if (!m) {
      this.merchants.set(event.merchantId, (m = newMerchant(event.merchantId)));
      m.indicatorsSeen = indicators;
      // no state kept of a merchant whose account was closed: flagged all the same, its keys as its profile comes
      if (this.infra.terminated.has(m.id)) {
        m.flagged = true;
        this.flaggedAt(m);
      }
    }
    // an event sent again is applied once
    if (seenBefore(m, event)) {
      this.counts.repeated++;
      return NO_ALERTS;
    }
    this.counts.events++;
    // checked against the entries in force up to its latest event: one that began to hold since is checked now
    const begun = m.lastEventAt > 0 && this.env.indicators.beginsWithin(m.lastEventAt, at);
    if (at > m.lastEventAt) m.lastEventAt = at;
    if (this.trackDirty) this.dirty.add(m.id);
    if (at > this.clock) {
      this.clock = at;
      if (at >= this.nextExpiry) this.expireFlags();
    }
    // the merchant is first brought up to date with the indicators in force, then given its event
    let changed =
      begun || m.indicatorsSeen !== indicators || (m.indicatorsExpire !== undefined && at >= m.indicatorsExpire)
        ? this.recheckIndicators(m, indicators, event.eventId, at)
        : false;
    let newPeers: string[] | undefined;
    // flags on its keys since its last profile, counted for it since that profile's evaluation (made on another
    // partition of this process, their notices not read yet): replay linked it at them, before this event
    const missed = event.type === "merchant" && this.infra.timed && m.profile?.at !== undefined && at > m.profile.at ? this.linkBetween(m, m.profile.at, at) : NO_ALERTS;
    switch (event.type) {
      case "merchant": {
        const was = m.profile;
        // an older profile than the one held (in event time) changes nothing; most profile events repeat the
        // merchant's infrastructure: the index, a lookup per key, is left alone
        if (!applyProfile(m, event, at)) break;
        if (sameInfra(was, m.profile)) {
          this.infra.kept(m.id, was!);
          break;
        }
        const before = infraKeys(was);
        const after = infraKeys(m.profile);
        this.infra.update(m.id, before, after);
        // a flagged merchant stays flagged on infrastructure it adds later (as restore() has it); its new peers
        // are told once its own rules have run. Other processes learn of the keys it adds and of those it drops.
        if (m.flagged) {
          const added = after.filter((k) => !hasKey(before, k));
          newPeers = this.infra.flag(m.id, added, { eventId: event.eventId, occurredAt: event.occurredAt, at });
          const dropped = before.filter((k) => !hasKey(after, k));
          if (this.trackDirty && (added.length || dropped.length))
            this.flags.push({ merchantId: m.id, eventId: event.eventId, occurredAt: event.occurredAt, keys: added, ...(dropped.length && { dropped }) });
        }
        break;
      }
      case "transaction":
        applyTransaction(m, event, at);
        countActivity(m, event, at);
        break;
      case "chargeback":
        applyChargeback(m, event, at);
        countActivity(m, event, at);
        break;
    }
    // JSON.parse gives a type longer than ten characters as a new string each event, and a keyed read by one looks it up
    // in V8's string table (about 90 ns); a comparison with the literal does not: "transaction", most events, so
    const byEvent = this.ruleSet.byEvent;
    changed = this.runRules(m, event, at, event.type === "transaction" ? byEvent.transaction : byEvent[event.type]) || changed;
    if (this.reassess.size && this.reassess.delete(m.id)) {
      changed = true;
      // the findings it holds count under the set in force now: its hits (a shadow rule put live counts them live)
      if (this.trackHits)
        for (const r of this.ruleSet.rules) if (m.signals[r.id]) this.hits.push({ rule: r.id, version: r.version, mode: r.mode, merchantId: m.id, at: event.occurredAt });
    }
    // details of an event a signal cites now; of one a rule only noted, once the merchant is suspect at all (most
    // merchants never are, and their state stays small)
    if (this.cited || (this.input.noted && hasSignal(m))) keepEvidence(m, summariseEvent(event, this.env.indicators, at));
    // the last signal withdrawn: nothing can cite the kept details any more
    else if (changed && m.evidence && !hasSignal(m)) m.evidence = undefined;
    let own = changed ? this.maybeAlert(m, event.eventId, event.occurredAt, at) : NO_ALERTS;
    if (missed.length) own = [...missed, ...own];
    if (!newPeers?.length) return own;
    const peers = this.alertPeers(m.id, newPeers, event.eventId, event.occurredAt, at);
    return peers.length ? [...own, ...peers] : own;
  }

  /**
   * Links a merchant held here by the flags on its keys made by events in [from, to), in their order, but those of
   * `except` (timed only).
   */
  private linkBetween(m: MerchantState, from: number, to: number, except?: string): readonly Alert[] {
    const flags = this.infra.flaggedBetween(m.id, infraKeys(m.profile), from, to);
    if (flags.length === 0) return NO_ALERTS;
    const out: Alert[] = [];
    for (const f of flags) if (f.merchantId !== except) out.push(...this.alertPeers(f.merchantId, [m.id], f.by.eventId, f.by.occurredAt, f.by.at, false));
    return out;
  }

  /**
   * Runs the rules that match indicators again on what the merchant's state holds: sets replaced since it was last
   * checked may list it now, or no longer; an entry its signals cite may have expired.
   */
  private recheckIndicators(m: MerchantState, fingerprint: number, eventId: string, at: number): boolean {
    m.indicatorsSeen = fingerprint;
    m.indicatorsExpire = undefined;
    const trigger: IndicatorsChanged = { type: "indicators-changed", eventId, merchantId: m.id };
    return this.runRules(m, trigger, at, this.ruleSet.byEvent["indicators-changed"]);
  }

  /** Returns true when any signal of the merchant was set, changed or withdrawn. */
  private runRules(m: MerchantState, event: Trigger, at: number, rules: CompiledRule[]): boolean {
    const input = this.input;
    input.event = event;
    input.at = at;
    input.merchant = m;
    input.noted = false;
    this.cited = false;
    let changed = false;
    for (const rule of rules) {
      input.params = rule.params;
      const slot = m.slots[rule.index];
      input.slot = slot;
      const f = rule.evaluate(input);
      if (input.slot !== slot) m.slots[rule.index] = input.slot;
      if (f === undefined) continue;
      if (f === null) {
        if (m.signals[rule.id]) {
          delete m.signals[rule.id];
          changed = true;
        }
        continue;
      }
      if (!this.cited && f.eventIds.includes(event.eventId)) this.cited = true;
      const prev = m.signals[rule.id];
      if (!prev && this.trackHits) this.hits.push({ rule: rule.id, version: rule.version, mode: rule.mode, merchantId: m.id, at: "occurredAt" in event ? event.occurredAt : new Date(at).toISOString() });
      // the earliest expiry among the indicators cited: from then on the merchant is checked again
      for (const r of f.indicators ?? []) if (r.validUntil < (m.indicatorsExpire ?? Number.MAX_SAFE_INTEGER)) m.indicatorsExpire = r.validUntil;
      if (m.flagged) for (const r of f.indicators ?? []) if (r.validUntil > this.clock && r.validUntil < this.nextExpiry) this.nextExpiry = r.validUntil;
      m.signals[rule.id] = signalOf(f, prev, at);
      changed = true;
    }
    return changed;
  }

  private maybeAlert(m: MerchantState, eventId: string, occurredAt: string, at: number): readonly Alert[] {
    const a = assess(m, this.ruleSet);
    const peers = this.followEvidence(m, a.alert && assess(m, this.ruleSet, true).alert, eventId, occurredAt, at);
    if (!a.alert || !materiallyChanged(m.lastAlert, a, this.ruleSet)) return peers;
    const alert = buildAlert(m, a, this.ruleSet, eventId, occurredAt);
    m.lastAlert = summarise(alert, a);
    this.counts.alerts++;
    return peers.length ? [alert, ...peers] : [alert];
  }

  /**
   * One hop: a merchant is flagged while its own evidence alerts, and makes its infrastructure peers suspect; one
   * alerted only through its peers does not pass it on. Once its own evidence no longer alerts (an indicator revoked
   * or expired, signals out of their windows: a false positive, usually) its keys stop linking merchants, here and,
   * through a notice dropping every key, in the other processes; peers already alerted stay alerted. Returns the
   * alerts of the peers of a merchant just flagged.
   */
  private followEvidence(m: MerchantState, own: boolean, eventId: string, occurredAt: string, at: number, withoutEvent = false): readonly Alert[] {
    // a merchant whose account was closed stays flagged (replaceTerminated), and was flagged without alerting its peers
    if (own === !!m.flagged || (!own && this.infra.terminated.has(m.id))) return NO_ALERTS;
    m.flagged = own;
    const keys = infraKeys(m.profile);
    // for a restore: its flag counts from this event's time on
    m.flaggedBy = own ? { eventId, occurredAt } : undefined;
    if (!own) {
      this.flaggedIds.delete(m.id);
      this.infra.unflag(m.id, keys);
      if (this.trackDirty) {
        const n: FlagNotice = { merchantId: m.id, eventId, occurredAt, keys: [], dropped: keys };
        this.flags.push(n);
        if (withoutEvent) this.lapsed.add(n);
      }
      return NO_ALERTS;
    }
    this.flaggedAt(m);
    if (this.trackDirty) this.flags.push({ merchantId: m.id, eventId, occurredAt, keys });
    return this.alertPeers(m.id, this.infra.flag(m.id, keys, { eventId, occurredAt, at }), eventId, occurredAt, at);
  }

  /**
   * Runs the peer-flagged rules of the merchants sharing infrastructure with a flagged merchant. Timed (run), a peer
   * is first linked by the flags on its keys made between its taking them and this flag (`catchUp`): those counted
   * here whose notices are not read yet (made on another partition of this process, or read in another order than
   * their time), as replay linked it at them first; one it was linked by already changes nothing.
   */
  private alertPeers(flaggedId: string, peerIds: string[], eventId: string, occurredAt: string, at: number, catchUp = this.infra.timed): Alert[] {
    const out: Alert[] = [];
    for (const peerId of peerIds) {
      const peer = this.merchants.get(peerId);
      if (!peer || this.linksAtOnce?.(peerId) === false) continue;
      if (catchUp) out.push(...this.linkBetween(peer, this.heldSince(peerId) ?? -Infinity, at, flaggedId));
      this.beforeChange?.(peerId);
      if (this.trackDirty) this.dirty.add(peerId);
      const trigger: PeerFlagged = { type: "peer-flagged", eventId, merchantId: peerId, peerId: flaggedId };
      if (this.runRules(peer, trigger, at, this.ruleSet.byEvent["peer-flagged"])) out.push(...this.maybeAlert(peer, eventId, occurredAt, at));
    }
    return out;
  }

  /**
   * Puts a new rule set in force between two events, keeping each merchant's state: a rule's slot and signal go
   * with its id, so a changed threshold applies to the counts already gathered; a removed rule's are dropped. A
   * merchant flagged on its own evidence that the new set does not alert is unflagged at once (recheckFlag).
   */
  replaceRuleSet(next: RuleSet): void {
    // each new rule's index in the old set; a rule that keeps its id but changes kind starts afresh (the other
    // kind's slot has another shape)
    const from = next.rules.map((r) => {
      const was = this.ruleSet.byId.get(r.id);
      return was?.kind === r.kind ? was.index : undefined;
    });
    const keep = new Set(next.rules.filter((_, i) => from[i] !== undefined).map((r) => r.id));
    for (const m of this.merchants.values()) {
      const old = m.slots;
      m.slots = from.map((i) => (i === undefined ? undefined : old[i]));
      for (const id of Object.keys(m.signals)) if (!keep.has(id)) delete m.signals[id];
      if (this.trackDirty) this.dirty.add(m.id);
      if (hasSignal(m)) this.reassess.add(m.id);
    }
    this.ruleSet = next;
    this.infra.maxSharers = next.settings.maxSharers;
    this.env.highRiskMccs = next.highRiskMccs;
    const flagged = [...this.flaggedIds].map((id) => this.merchants.get(id)!);
    const held = this.expiredCitations(flagged);
    for (const m of flagged) this.recheckFlag(m, this.ruleSet.version, undefined, held);
  }

  /** A merchant flagged on its own evidence: watched for the expiry of the indicators its signals cite. */
  private flaggedAt(m: MerchantState): void {
    this.flaggedIds.add(m.id);
    if (m.indicatorsExpire !== undefined && m.indicatorsExpire < this.nextExpiry) this.nextExpiry = m.indicatorsExpire;
  }

  /**
   * Unflags a merchant flagged on its own evidence that no longer alerts without an event of its own, which a merchant
   * already closed may never have: its rule removed or made shadow, a weight or the alert level changed (a reload), the
   * indicators its signals cite revoked, left out or changed in their sets' new versions (`inForce`: the entries cited
   * that the sets in force hold), or expired by the clock (`held`: an index holding at least the entries cited, else
   * the sets in force are searched). Its infrastructure stops linking merchants now; the notice dropping its keys
   * names the cause in place of an event. Under new sets a signal is recomputed by its rule from the entries it cites
   * as the sets hold them now, and dropped when none matches, as the merchant's next event would, whatever its time
   * (that event looks at the new sets whole). A signal whose entries expired stays (its own events are judged at their
   * own time, and one from before the expiry may arrive late), but counts for no flag, and one with some expired
   * counts as its rule has it without them. Nothing is added (a new entry that lists the merchant waits for its next
   * event: only an event alerts).
   */
  private recheckFlag(m: MerchantState, cause: string, inForce?: Map<string, IndicatorRef>, held?: IndicatorIndex): void {
    if (!m.flagged) return;
    const until = (r: ActiveSignal["indicators"][number]): number | undefined => (inForce ? inForce.get(citation(r.source, r.set, r.id))?.validUntil : expiryOf(r));
    // every entry cited no longer held in force (gone), or no longer valid at the clock
    const lapsed = (s: ActiveSignal, gone: boolean): boolean =>
      s.indicators.length > 0 &&
      s.indicators.every((r) => {
        const u = until(r);
        return u === undefined || (!gone && u <= this.clock);
      });
    const index = held ?? this.env.indicators;
    let changed = false;
    const change = () => {
      if (changed) return;
      changed = true;
      this.beforeChange?.(m.id);
      if (this.trackDirty) this.dirty.add(m.id);
    };
    // under new sets, a signal citing entries is its rule's finding again from those entries as the sets hold them now
    // (some revoked or left out, or one's value, confidence or validity changed under its id); dropped when none of
    // them matches any more, as the merchant's next event would, whatever its time
    if (inForce)
      for (const [rule, s] of Object.entries(m.signals)) {
        if (s.indicators.length === 0) continue;
        const now = this.reevaluated(m, rule, index, m.lastEventAt, cause);
        // undefined: its rule is no longer in the set (the signal counts for nothing), dropped once its entries are gone
        if (now === null || (now === undefined && lapsed(s, true))) {
          change();
          delete m.signals[rule];
        } else if (now && !sameFinding(now, s)) {
          change();
          m.signals[rule] = now;
        }
      }
    const live: MerchantState["signals"] = {};
    for (const [rule, s] of Object.entries(m.signals)) {
      if (lapsed(s, false)) continue;
      // some of its entries expired by the clock: it counts as its rule has it without them (the signal stays as it
      // is for the merchant's own events, judged at their own time)
      const now = s.indicators.some((r) => (until(r) ?? 0) <= this.clock) ? this.reevaluated(m, rule, index, this.clock, cause) : s;
      if (now !== null) live[rule] = now ?? s;
    }
    if (assess({ ...m, signals: live }, this.ruleSet, true).alert) return;
    change();
    const at = Math.max(this.clock, m.lastEventAt);
    this.followEvidence(m, false, cause, new Date(at).toISOString(), at, true);
  }

  /**
   * A signal whose cited entries changed (revoked, changed in a new version, or expired at `at`): its rule's finding
   * again at `at`, from the entries it cites as `held` (an index holding at least those) has them, so that nothing is
   * added; null when none of them matches any more, undefined when its rule is not in the set. On a copy of the
   * rule's slot: the merchant's next event looks at the sets in force whole, from the slot as it was.
   */
  private reevaluated(m: MerchantState, ruleId: string, held: IndicatorIndex, at: number, cause: string): ActiveSignal | null | undefined {
    const rule = this.ruleSet.byId.get(ruleId);
    const prev = m.signals[ruleId];
    if (!rule || !prev) return undefined;
    const input: EvalInput<unknown, unknown> = {
      event: { type: "indicators-changed", eventId: cause, merchantId: m.id },
      at,
      merchant: m,
      params: rule.params,
      slot: structuredClone(m.slots[rule.index]),
      env: { ...this.env, indicators: held.citedOnly(citationsOf([prev])) },
      noted: false,
    };
    const f = rule.kind.evaluate(input);
    return f ? signalOf(f, prev, at) : f;
  }

  /**
   * Event time passed the expiry of an indicator a flagged merchant's signal cites: the merchants whose signals lose
   * their last indicator in force are rechecked (recheckFlag), whichever merchant's event moved the clock.
   */
  private expireFlags(): void {
    this.nextExpiry = Number.MAX_SAFE_INTEGER;
    const flagged = [...this.flaggedIds].map((id) => this.merchants.get(id)!);
    const held = this.expiredCitations(flagged);
    for (const m of flagged) {
      this.recheckFlag(m, `indicators-expired@${new Date(this.clock).toISOString()}`, undefined, held);
      if (!m.flagged) continue;
      // the next time one of its signals loses an indicator; one expired already counts for no flag, nor comes round again
      for (const s of Object.values(m.signals))
        for (const r of s.indicators) {
          const e = expiryOf(r);
          if (e > this.clock && e < this.nextExpiry) this.nextExpiry = e;
        }
    }
  }

  /** The entries cited by the merchants' signals that lost some to the clock, looked up once for all (reevaluated). */
  private expiredCitations(ms: MerchantState[]): IndicatorIndex {
    return this.env.indicators.citedOnly(citationsOf(ms.flatMap((m) => Object.values(m.signals).filter((s) => s.indicators.some((r) => expiryOf(r) <= this.clock)))));
  }

  /**
   * The flagged merchants' signals checked against new indicator sets (a set's new version, or a restore under sets
   * other than those they were checked against): see recheckFlag. The index is searched once for every entry cited.
   */
  private recheckCitations(ms: MerchantState[], changed: (source: string, set: string) => boolean = () => true): void {
    const stale = ms.filter(
      (m) => m.flagged && m.indicatorsSeen !== this.env.indicators.fingerprint && Object.values(m.signals).some((s) => s.indicators.some((r) => changed(r.source, r.set))),
    );
    if (stale.length === 0) return;
    const cited = citationsOf(stale.flatMap((m) => Object.values(m.signals)));
    const held = this.env.indicators.citedOnly(cited);
    const inForce = held.find(cited);
    const cause = `indicator-sets@${this.env.indicators.fingerprint.toString(16)}`;
    for (const m of stale) this.recheckFlag(m, cause, inForce, held);
    this.nextExpiry = this.clock;
  }

  /** The indicator sets in force. */
  get indicators(): IndicatorIndex {
    return this.env.indicators;
  }

  /**
   * New indicator sets in force from the next event on (a set's new version arrived). A merchant flagged on entries
   * they no longer hold in force is unflagged now (recheckCitations); one they list anew waits for its next event.
   */
  replaceIndicators(next: IndicatorIndex): void {
    // a version is a release (the subscriber refuses other content under it): only merchants citing a set whose
    // version changed, or that left, are looked at
    const versions = (ix: IndicatorIndex) => new Map(ix.sets.map((s) => [`${s.source}\0${s.id}`, s.version]));
    const was = versions(this.env.indicators);
    const now = versions(next);
    this.env.indicators = next;
    this.recheckCitations(
      [...this.flaggedIds].map((id) => this.merchants.get(id)!),
      (source, set) => was.get(`${source}\0${set}`) !== now.get(`${source}\0${set}`),
    );
  }

  /**
   * The merchants whose account the bank closed (a case closed as account_closed), in force from now on: each is
   * flagged for shared infrastructure whatever its own evidence, and stays so through reloads and indicator changes
   * while it is listed. One held here not flagged yet is flagged now, its keys marked and its notice made without an
   * event (as an unflag's, `lapsed`), and no peer is alerted here: only an event alerts. Peers held on other
   * partitions are linked when the notice is read back (as for any flag notice); one on the merchant's own partition,
   * or boarding later, at its next profile event. One no longer listed (its case reopened) falls back to its own
   * evidence (recheckFlag).
   */
  replaceTerminated(ids: Iterable<string>): void {
    const before = this.infra.terminated;
    const next = new Set(ids);
    this.infra.terminated = next;
    for (const id of next) {
      const m = this.merchants.get(id);
      if (!m || m.flagged) continue;
      this.terminate(m);
    }
    for (const id of before) {
      const m = this.merchants.get(id);
      if (m && !next.has(id)) this.recheckFlag(m, `account-reopened:${id}`);
    }
  }

  /** Flags a held merchant whose account was closed, without an event of its own (see replaceTerminated). */
  private terminate(m: MerchantState): void {
    this.beforeChange?.(m.id);
    if (this.trackDirty) this.dirty.add(m.id);
    m.flagged = true;
    this.flaggedAt(m);
    const keys = infraKeys(m.profile);
    this.infra.flag(m.id, keys);
    if (!this.trackDirty) return;
    const at = Math.max(this.clock, m.lastEventAt);
    const n: FlagNotice = { merchantId: m.id, eventId: `account-closed:${m.id}`, occurredAt: new Date(at).toISOString(), keys };
    this.flags.push(n);
    this.lapsed.add(n);
  }

  /** A merchant's state as it is persisted (plain JSON, slots by rule id and kind: see slotKey). */
  snapshot(m: MerchantState): StoredMerchant {
    const slots: Record<string, unknown> = {};
    for (const r of this.ruleSet.rules) if (m.slots[r.index] !== undefined) slots[slotKey(r)] = m.slots[r.index];
    // when it took its keys, if before its profile's time (a later profile kept them), and the profiles kept since: a
    // restore would lose them
    const since = this.infra.heldSince(m.id, m.profile?.at);
    const kept = since !== undefined && since !== m.profile?.at && { keysSince: since, keptProfiles: this.infra.keptOf(m.id) };
    return { ...m, slots, seenTx: pack(m.seenTx), seenOther: pack(m.seenOther), ...kept };
  }

  /**
   * Puts persisted merchants back, with their infrastructure keys and flags in the shared index. A slot written by a
   * rule of another kind under the same id (the rules changed while the service was down) has another shape: it is
   * dropped, and counted, and the rule starts afresh.
   */
  restore(stored: Iterable<StoredMerchant>): void {
    const restored: MerchantState[] = [];
    for (const s of stored) {
      const slots: unknown[] = new Array(this.ruleSet.rules.length).fill(undefined);
      for (const [key, slot] of Object.entries(s.slots)) {
        const { id, kind } = parseSlotKey(key);
        const r = this.ruleSet.byId.get(id);
        if (!r || slot === undefined) continue;
        if (kind === undefined || kind === r.kind.kind) slots[r.index] = r.kind.restore ? r.kind.restore(slot) : slot;
        else {
          this.counts.slotsReset++;
          delete s.signals[id];
        }
      }
      const { keysSince, keptProfiles, ...pair } = storedPair(s);
      const m: MerchantState = {
        ...pair,
        profile: storedProfile(pair.profile),
        month: storedCounters(pair.month),
        prevMonth: storedCounters(pair.prevMonth),
        activity: storedActivity(s.activity),
        slots,
        seenTx: unpack(s.seenTx),
        seenOther: unpack(s.seenOther),
      };
      this.evict([m.id]);
      this.merchants.set(m.id, m);
      const keys = infraKeys(m.profile);
      this.infra.update(m.id, [], keys);
      if (keysSince !== undefined) this.infra.restoreKept(m.id, keysSince, keptProfiles);
      if (m.lastEventAt > this.clock) this.clock = m.lastEventAt;
      // checkpointed perhaps under another rule set (changed while the service was down): assessed at its next event
      if (hasSignal(m)) this.reassess.add(m.id);
      // its account closed since its checkpoint (or while the service was down)
      if (!m.flagged && this.infra.terminated.has(m.id)) {
        this.terminate(m);
        continue;
      }
      if (!m.flagged) continue;
      // from its flagging event's time on, as it counted before the restart (a partition behind it is rebuilt)
      this.infra.flag(m.id, keys, m.flaggedBy && flaggedBy(m.flaggedBy));
      this.flaggedAt(m);
      restored.push(m);
    }
    // checkpointed under another rule set or other indicator sets (changed while the service was down, or before the
    // change was checkpointed), or with an indicator expired since by the clock
    this.recheckCitations(restored);
    const held = this.expiredCitations(restored);
    for (const m of restored) this.recheckFlag(m, this.ruleSet.version, undefined, held);
    if (this.clock >= this.nextExpiry) this.expireFlags();
  }

  /** Forgets merchants (their partition went to another consumer). */
  evict(ids: Iterable<string>): void {
    for (const id of ids) {
      const m = this.merchants.get(id);
      if (!m) continue;
      this.infra.update(id, infraKeys(m.profile), []);
      this.merchants.delete(id);
      this.dirty.delete(id);
      this.flaggedIds.delete(id);
      this.reassess.delete(id);
    }
  }

  /**
   * A merchant's flag notice, read back from where it was committed (written by another process, or by this one for
   * another partition): its keys are marked flagged here too, so a merchant held here that has or later takes one of
   * them is linked to it, and keys it dropped are no longer. Returns the merchants held here that share one now.
   */
  flagRemote(n: FlagNotice): string[] {
    if (n.dropped) this.infra.unflag(n.merchantId, n.dropped);
    return this.infra.flag(n.merchantId, n.keys, flaggedBy(n));
  }

  /**
   * Runs the peer-flagged rules of merchants held here that share a key with the merchant of a flag notice. With
   * `droppedAt` (epoch ms, event time), a later notice dropped the notice's keys before the peers' partitions could
   * run this: a peer whose profile, and so its keys, dates from before the drop held them while the merchant was
   * flagged and is linked as replay linked it at the flag, the dropped keys flagged again for its evaluation only. A
   * peer with a later profile may have taken them after; it is linked only through keys still flagged.
   */
  triggerPeers(n: FlagNotice, peerIds: string[], droppedAt?: number): Alert[] {
    const lapsed = n.keys.filter((k) => !this.infra.flaggedThrough(n.merchantId, k));
    const by = flaggedBy(n);
    const then = droppedAt === undefined || lapsed.length === 0 ? [] : peerIds.filter((id) => (this.heldSince(id) ?? Infinity) <= droppedAt);
    // with none of its keys flagged now the others are not evaluated: nothing links them, and a link found since is kept
    const now = lapsed.length === n.keys.length ? [] : peerIds.filter((id) => !then.includes(id));
    const out = this.linkPeers(n.merchantId, now, by);
    if (then.length === 0) return out;
    this.infra.flag(n.merchantId, lapsed, by);
    try {
      out.push(...this.linkPeers(n.merchantId, then, by));
    } finally {
      this.infra.unflag(n.merchantId, lapsed);
    }
    return out;
  }

  /**
   * The peers of a flag linked as replay links them: at the flag's event; a peer whose profile (its keys) dates from
   * after the flag took them after it, and replay linked it by that profile's event, which ran here before the flag
   * was known or counted (a partition behind in event time: InfraIndex.timed).
   */
  private linkPeers(flaggedId: string, peerIds: string[], by: FlaggedBy): Alert[] {
    const out: Alert[] = [];
    for (const id of peerIds) {
      const p = this.merchants.get(id)?.profile;
      const since = this.heldSince(id);
      // flags between its taking the keys and this one, whose notices came after this one's, first (alertPeers)
      if (p?.at !== undefined && since !== undefined && since > by.at) {
        // by the profile that took the keys, which a later one may have kept (InfraIndex.keptAt)
        const took = this.infra.keptAt(id, since);
        const [eventId, at] = took?.eventId !== undefined ? [took.eventId, took.at] : [p.eventId, p.at];
        out.push(...this.alertPeers(flaggedId, [id], eventId, isoSeconds(at), at));
      } else out.push(...this.alertPeers(flaggedId, [id], by.eventId, by.occurredAt, by.at));
    }
    // what the peers' evaluations passed over is linked by its own notices
    this.infra.ahead.length = 0;
    return out;
  }

  /** Since when (event time) a merchant held here holds its keys (InfraIndex.heldSince); undefined: not known. */
  private heldSince(id: string): number | undefined {
    return this.infra.heldSince(id, this.merchants.get(id)?.profile?.at);
  }

  /**
   * The flags merchants' evaluations passed over since the last call, as later in event time than the evaluations
   * (InfraIndex.timed): each merchant to link by the flag's notice, with the key it shares.
   */
  takeAhead(): { peer: string; notice: FlagNotice }[] {
    const ahead = this.infra.ahead;
    if (ahead.length === 0) return [];
    this.infra.ahead = [];
    return ahead.map((a) => ({ peer: a.peer, notice: { merchantId: a.merchantId, eventId: a.by.eventId, occurredAt: a.by.occurredAt, keys: [a.key] } }));
  }

  /** Flag notices since the last call (recorded when the engine tracks changes for persistence). */
  takeFlags(): FlagNotice[] {
    const f = this.flags;
    this.flags = [];
    return f;
  }

  /** Whether a notice (of takeFlags) was made without an event of its merchant (see `lapsed`). */
  withoutEvent(n: FlagNotice): boolean {
    return this.lapsed.has(n);
  }

  /** Rule hits since the last call: a rule started to hold on a merchant. */
  takeHits(): RuleHit[] {
    const h = this.hits;
    this.hits = [];
    return h;
  }

  /** The ids of merchants changed since the last call. */
  takeDirty(): Set<string> {
    const d = this.dirty;
    this.dirty = new Set();
    return d;
  }
}

/** The flagging event of a notice. */
const flaggedBy = (n: Pick<FlagNotice, "eventId" | "occurredAt">): FlaggedBy => ({ eventId: n.eventId, occurredAt: n.occurredAt, at: parseTime(n.occurredAt) });

/** An epoch time as events write it: 2026-03-02T10:15:00Z, with milliseconds only when it has some. */
const isoSeconds = (at: number): string => new Date(at).toISOString().replace(".000Z", "Z");
