// What the alert topic's readers get: an alert carries the merchant's text (descriptor, legal name, a rule's
// explanation quoting a descriptor) and evidence addresses, and a producer that put a card number (PAN) into one
// sent it on to every system reading mt.alerts. The publisher now truncates a card number in an alert's strings to
// its first six and last four digits; a dead letter keeps its original bytes, card number and all (the contract).
import { describe, it, expect } from "vitest";
import pino from "pino";
import type { OutboxMessage } from "../../src/sinks/postgres/store.js";
import { OutboxPublisher } from "../../src/sinks/publisher.js";
import { createTopics, freshNames, freshStore, kafka, readTopic, reviewAlert } from "./harness.js";
import { syntheticPan } from "../helpers/card-numbers.js";

const PAN = syntheticPan("400012345678901");
const SHOWN = `400012******${PAN.slice(-4)}`;

describe("the alert topic", () => {
  it("gets an alert's card numbers truncated; the dead-letter topic gets the bad message's bytes as they came", async () => {
    const n = freshNames("pubpan");
    await createTopics(n, 1);
    const { pool, store } = await freshStore(n, 3);
    const k = kafka();
    const admin = k.admin();
    await admin.connect();
    try {
      const claim = await store.claim(n.events, 0, "test");
      const base = reviewAlert("pubpan", 1);
      const alert = {
        ...base,
        signals: base.signals.map((s) => ({ ...s, explanation: `billing descriptor "SHOP ${PAN}"` })),
        context: { events: [{ eventId: "e-1", type: "transaction" as const, occurredAt: "2026-03-01T00:00:00Z", amountMinor: 100, descriptor: `SHOP ${PAN}`, checkoutUrl: `https://shop.example/c?card=${PAN}` }], activity: [] },
      };
      const bad = Buffer.from(`not json: card ${PAN}`);
      const outbox: OutboxMessage[] = [
        { dest: "alerts", key: Buffer.from(alert.merchantId), value: Buffer.from(JSON.stringify(alert)), headers: { "mt-event-id": "e-1" } },
        { dest: "dead-letter", key: null, value: bad, headers: { "mt-reason": "not JSON" } },
      ];
      await store.commitOutputs({ topic: n.events, partition: 0, epoch: claim.epoch, nextOffset: "2", alerts: [], outbox, acquirerOf: () => undefined });
      const publisher = new OutboxPublisher(k, admin, store, { groupId: n.group, sourceTopic: n.events, partition: 0, alertsTopic: n.alerts, deadLetterTopic: n.dead }, pino({ level: "silent" }));
      await publisher.start();
      await publisher.flush();
      await publisher.stop();

      const [published] = await readTopic(n.alerts, { count: 1 });
      const text = published!.value.toString();
      expect(text).not.toContain(PAN);
      const got = JSON.parse(text);
      expect(got.signals[0].explanation).toBe(`billing descriptor "SHOP ${SHOWN}"`);
      expect(got.context.events[0]).toMatchObject({ descriptor: `SHOP ${SHOWN}`, checkoutUrl: `https://shop.example/c?card=${SHOWN}`, amountMinor: 100 });
      expect({ ...got, signals: alert.signals, context: alert.context }).toEqual(alert);
      const [letter] = await readTopic(n.dead, { count: 1 });
      expect(letter!.value.equals(bad)).toBe(true);
    } finally {
      await admin.disconnect();
      await pool.end();
    }
  });
});
