// "Matched as" through `moneytrail run`: a listed page reached with a doubled slash in its path raises an alert whose
// evidence says so (matchedAs: the URL as host and hash, slashesMerged), on the alerts topic and in PostgreSQL's case
// store as replay gives it; and after a restart from the checkpoint, the merchant's next event keeps it.
import { expect, it } from "vitest";
import type { Alert } from "../../src/decode/events.js";
import { urlHash } from "../../src/cases/store.js";
import { merchant, tx } from "../helpers/events.js";
import { listedUrlStack, replayed } from "./flags.js";
import { casesAndAlerts, produce, readTopic, startRunner, waitCaughtUp } from "./harness.js";

const LISTED_URL = "https://listed-as.example/gallery/6";
const SEEN = "https://listed-as.example/gallery//6";
const M = "acq-test:M-AS1";

const fslEvidence = (a: Alert) => a.signals.find((s) => s.kind === "flagged-site-link")!.evidence;

it("an alert on a listed page matched only with its doubled slash merged carries matchedAs, on the topic and in the case store, as replay gives it", { timeout: 180_000 }, async () => {
  const { n, url, indicators } = await listedUrlStack("matched-as", 1, LISTED_URL);
  const boarded = JSON.stringify(merchant({ merchantId: M, occurredAt: "2026-03-01T00:00:00Z", websites: [SEEN] }));
  // after the restart: a sale through the same address, which makes the rule's finding again from the checkpointed slot
  const sale = JSON.stringify(tx({ merchantId: M, occurredAt: "2026-03-02T00:00:00Z", checkout: { url: SEEN } }));
  const first = await startRunner(n, url, { indicators, checkpointMs: 200 });
  try {
    await produce(n.events, [boarded]);
    await waitCaughtUp(n, url);
  } finally {
    await first.stop();
  }
  const expected = { set: "matched-as", id: "url-1", source: "member:hotline-test", confidence: 95, matchedAs: { host: "listed-as.example", urlSha256: urlHash(SEEN), slashesMerged: true } };
  const second = await startRunner(n, url, { indicators });
  try {
    await produce(n.events, [sale]);
    await waitCaughtUp(n, url);
    // the restarted process's state: the signal made again after the sale still says how the entry matched
    expect(second.engine.merchants.get(M)?.signals["flagged-site-link"]?.indicators).toEqual([expected]);
  } finally {
    await second.stop();
  }
  const { alerts } = await casesAndAlerts(url);
  expect(alerts).toHaveLength(1);
  expect(fslEvidence(alerts[0]!).indicators).toEqual([expected]);
  const onTopic = (await readTopic(n.alerts, { count: 1 })).map((r) => JSON.parse(r.value.toString("utf8")) as Alert);
  expect(onTopic.map((a) => fslEvidence(a).indicators)).toEqual([[expected]]);
  expect(alerts).toEqual(await replayed([boarded, sale], indicators));
});
