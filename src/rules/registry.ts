// Every rule kind the engine knows. Adding a kind: its file in kinds/, one line here, its tests.
import type { RuleKind } from "./kind.js";
import flaggedSiteLink from "./kinds/flagged-site-link.js";
import cloakedContent from "./kinds/cloaked-content.js";
import undisclosedReferrers from "./kinds/undisclosed-referrers.js";
import descriptorKeywords from "./kinds/descriptor-keywords.js";
import descriptorChurn from "./kinds/descriptor-churn.js";
import listedIdentifier from "./kinds/listed-identifier.js";
import sharedInfrastructure from "./kinds/shared-infrastructure.js";
import chargebackRatio from "./kinds/chargeback-ratio.js";
import reasonCluster from "./kinds/reason-cluster.js";
import subscriptionPattern from "./kinds/subscription-pattern.js";
import crossBorder from "./kinds/cross-border.js";
import highRiskMcc from "./kinds/high-risk-mcc.js";
import testTransactions from "./kinds/test-transactions.js";

// Each kind has its own parameter and slot types; the registry erases them, the kind's file keeps them.
export const KINDS = [
  flaggedSiteLink,
  cloakedContent,
  undisclosedReferrers,
  descriptorKeywords,
  descriptorChurn,
  listedIdentifier,
  sharedInfrastructure,
  chargebackRatio,
  reasonCluster,
  subscriptionPattern,
  crossBorder,
  highRiskMcc,
  testTransactions,
] as unknown as readonly RuleKind<unknown, unknown>[];

export const KIND_BY_NAME: ReadonlyMap<string, RuleKind<unknown, unknown>> = new Map(KINDS.map((k) => [k.kind, k]));
