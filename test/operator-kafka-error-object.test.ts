// An error kafkajs hands over as an object ("Error when calling eachBatch") keeps, in the service's log, what it
// says: its type, message and stack, as pino's err serializer gives them.
import { describe, it, expect } from "vitest";
import { kafkaLogCapture } from "./helpers/kafka-log.js";

describe("an error kafkajs logs as an object", () => {
  // "Error when calling eachBatch" came out as "error":{"name":"Error","errno":-111,...}: no message, no stack
  it("keeps its message and its stack", () => {
    const { lines, logger } = kafkaLogCapture();
    const e = Object.assign(new TypeError("cannot read properties of undefined (reading 'epoch')"), { code: "E_TEST" });
    logger.namespace("Runner").error("Error when calling eachBatch", { topic: "t", partition: 3, offset: "949", stack: e.stack, error: e });
    const [line] = lines;
    expect(line!.level).toBe(50);
    expect(line!.msg).toBe("Error when calling eachBatch");
    expect(line!.partition).toBe(3);
    expect(line!.err).toMatchObject({ name: "TypeError", message: "cannot read properties of undefined (reading 'epoch')", code: "E_TEST" });
    expect(line!.err.stack).toContain("operator-kafka-error-object.test.ts");
  });
});
