// The commands that talk to Kafka once (indicators publish, produce, backtest --topic) waited a fixed 10 s for brokers
// that do not answer; an operator running a publish from cron, like `run`, chooses the wait: MT_KAFKA_START_WAIT_MS.
// Counted as tries of a listener that closes each connection, not as time.
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { once } from "node:events";
import { createServer, type AddressInfo } from "node:net";
import { UnreachableError, UsageError } from "../src/lib/errors.js";
import { createLogger } from "../src/lib/log.js";
import { reachableKafka } from "../src/source/kafka.js";

let tries = 0;
const closing = createServer((s) => {
  tries++;
  s.destroy();
});
await once(closing.listen(0, "127.0.0.1"), "listening");
const broker = `127.0.0.1:${(closing.address() as AddressInfo).port}`;
afterAll(() => closing.close());

const saved = process.env.MT_KAFKA_START_WAIT_MS;
afterEach(() => {
  if (saved === undefined) delete process.env.MT_KAFKA_START_WAIT_MS;
  else process.env.MT_KAFKA_START_WAIT_MS = saved;
  tries = 0;
});

describe("a one-shot command's wait for its brokers", () => {
  it("MT_KAFKA_START_WAIT_MS=0: one try, then says the broker did not answer", async () => {
    process.env.MT_KAFKA_START_WAIT_MS = "0";
    const err = await reachableKafka(broker, "mt-test", createLogger("silent")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreachableError);
    expect((err as Error).message).toBe(`cannot reach Kafka at ${broker} (Closed connection: the broker closed the connection of a client without TLS or SASL, as a TLS or SASL listener does: set KAFKA_SSL=true for its TLS (KAFKA_SSL_CA_FILE for a private CA), KAFKA_SASL_* for its sign-in); is the broker running, and is the address the one it advertises?`);
    expect(tries).toBe(1);
  });

  it("a wait that is not a whole number of ms is refused with the variable, before any try", async () => {
    process.env.MT_KAFKA_START_WAIT_MS = "10s";
    const err = await reachableKafka(broker, "mt-test", createLogger("silent")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe("MT_KAFKA_START_WAIT_MS 10s: expected a whole number from 0 to 3600000");
    expect(tries).toBe(0);
  });
});
