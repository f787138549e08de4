// kafkajs's lines as the service logs them: a client made as run makes it (kafkaClient), whose logger a test writes
// to as kafkajs would, and the JSON lines that come out.
import { Writable } from "node:stream";
import { createLogger } from "../../src/lib/log.js";
import { kafkaClient } from "../../src/source/kafka.js";

/** A client's kafkajs logger, and the lines it has logged so far (no broker at its address: it never connects). */
export function kafkaLogCapture(): { lines: Record<string, any>[]; logger: ReturnType<ReturnType<typeof kafkaClient>["logger"]> } {
  const lines: Record<string, any>[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _e, cb) => (lines.push(JSON.parse(chunk.toString())), cb()) });
  const kafka = kafkaClient(["127.0.0.1:9"], "operator-log-test", createLogger("debug", sink));
  return { lines, logger: kafka.logger() };
}

/** The levels the lines kafkajs logs at error, each [namespace, message, extra], come out at. */
export function levelsOfKafkaErrors(...logged: [namespace: string, message: string, extra?: object][]): number[] {
  const { lines, logger } = kafkaLogCapture();
  for (const [namespace, message, extra] of logged) logger.namespace(namespace).error(message, extra);
  return lines.map((l) => l.level as number);
}
