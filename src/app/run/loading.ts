// What `run` reads from files, first, before it connects to anything: the trust store and the indicator sets, their
// index, the rule set. Each step holds the event loop while it runs (the rule set's schemas compiled: about half a
// second at start on a loaded machine; a large indicator set indexed), and together they held it for a second or
// more (then after the topics were made) while /healthz did not answer: each step has a turn of the loop of its own.
import { setImmediate as turn } from "node:timers/promises";
import type { RunConfig } from "../../config/run.js";
import { indexSets, readIndicatorSets, type IndicatorIndex } from "../../indicators/index.js";
import type { IndicatorSet } from "../../indicators/schema.js";
import { loadTrustStore, type TrustStore } from "../../indicators/sign.js";
import { loadRuleSet, type RuleSet } from "../../rules/ruleset.js";

export interface Loaded {
  trust: TrustStore | undefined;
  sets: IndicatorSet[];
  indicators: IndicatorIndex;
  ruleSet: RuleSet;
}

/** Reads MT_TRUST_STORE, MT_INDICATORS and MT_RULES, a turn of the event loop after each step. */
export async function loadFiles(cfg: Pick<RunConfig, "trustStore" | "indicators" | "rules">): Promise<Loaded> {
  const trust = cfg.trustStore ? loadTrustStore(cfg.trustStore) : undefined;
  const sets = cfg.indicators ? readIndicatorSets(cfg.indicators, trust) : [];
  await turn();
  const indicators = indexSets(sets);
  await turn();
  const ruleSet = loadRuleSet(cfg.rules);
  await turn();
  return { trust, sets, indicators, ruleSet };
}
