// Logs never carry card or API tokens, passwords, e-mails, payout accounts, principals or wallets, wherever they sit in a
// logged object or message.
import { describe, it, expect } from "vitest";
import { Writable } from "node:stream";
import { createLogger } from "../src/lib/log.js";
import { sha256Tagged } from "../src/lib/url.js";
import { kafkaClient } from "../src/source/kafka.js";

describe("log redaction", () => {
  it("redacts identifiers in events and nested objects", () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _e, cb) => (lines.push(chunk.toString()), cb()) });
    const log = createLogger("info", sink);
    const token = sha256Tagged("card-1");
    const email = sha256Tagged("mail-1");
    const account = sha256Tagged("acct-1");
    log.info({ event: { type: "transaction", card: { token, bin: "411111" } } }, "tx");
    log.info({ merchant: { contactEmail: email, payoutAccount: account, principals: [account], wallets: ["w-1"] } }, "profile");
    log.info({ card: { token }, email }, "top level");
    const text = lines.join("");
    expect(lines).toHaveLength(3);
    for (const secret of [token, email, account, "w-1", "411111"]) expect(text).not.toContain(secret);
    expect(text).toContain("[redacted]");
  });

  it("redacts at any depth, in arrays, in child bindings and in the message, and keeps the rest", () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _e, cb) => (lines.push(chunk.toString()), cb()) });
    const log = createLogger("info", sink);
    const email = sha256Tagged("mail-2");
    const account = sha256Tagged("acct-2");
    const token = sha256Tagged("card-2");
    const alert = { alertId: "a-1", merchantId: "m-1", context: { profile: { contactEmail: email, payoutAccount: account, descriptor: "SHOP ONE" } } };
    log.info({ alert }, "alert");
    log.info({ events: [{ card: { token } }, { contactEmail: email }] }, "events");
    log.info({ token: "mt_api_secret", password: "hunter2", headers: { authorization: "Bearer abc", accept: "text/html" } }, "request");
    log.child({ user: { email: "alice@bank.example" } }).info("signed in as alice@bank.example");
    const err = Object.assign(new Error("no user bob@bank.example"), { code: "E_USER" });
    log.error({ err }, "failed");
    const text = lines.join("");
    for (const secret of [email, account, token, "mt_api_secret", "hunter2", "Bearer abc", "alice@bank.example", "bob@bank.example"]) expect(text).not.toContain(secret);
    const [first, , third, fourth, fifth] = lines.map((l) => JSON.parse(l) as Record<string, any>);
    expect(first!.alert.context.profile.descriptor).toBe("SHOP ONE");
    expect(first!.alert.merchantId).toBe("m-1");
    expect(third!.headers.accept).toBe("text/html");
    expect(fourth!.msg).toBe("signed in as [redacted]");
    expect(fifth!.err).toMatchObject({ type: "Error", message: "no user [redacted]", code: "E_USER" });
    expect(fifth!.err.stack).toContain("no user [redacted]");
  });

  it("redacts a class's instance by its fields, a URL-encoded address, and bank and card field names", () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _e, cb) => (lines.push(chunk.toString()), cb()) });
    const log = createLogger("info", sink);
    class Profile {
      descriptor = "SHOP TWO";
      contactEmail = "carol@shop.example";
    }
    log.info({ profile: new Profile(), url: new URL("https://bank.example/login?next=%2F&user=dave%40bank.example") }, "request");
    log.info({ iban: "NL00TEST0000000000", account: "acct-3", cardNumber: "tok-4", sessionId: "s-5", at: new Date(0) }, "bank fields");
    const text = lines.join("");
    for (const secret of ["carol@shop.example", "dave%40bank.example", "NL00TEST0000000000", "acct-3", "tok-4", "s-5"]) expect(text).not.toContain(secret);
    const [first, second] = lines.map((l) => JSON.parse(l) as Record<string, any>);
    expect(first!.profile.descriptor).toBe("SHOP TWO");
    expect(first!.url).toBe("https://bank.example/login?next=%2F&user=[redacted]");
    expect(second!.at).toBe("1970-01-01T00:00:00.000Z");
  });

  it("redacts API keys and credentials under the names other tools give them", () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _e, cb) => (lines.push(chunk.toString()), cb()) });
    const log = createLogger("info", sink);
    const names = { apiKey: "k-1", api_key: "k-2", "x-api-key": "k-3", passwd: "k-4", pwd: "k-5", credentials: { user: "u", pass: "k-6" } };
    log.info({ receiver: names, pwdHint: "kept" }, "config");
    const text = lines.join("");
    for (const secret of ["k-1", "k-2", "k-3", "k-4", "k-5", "k-6"]) expect(text).not.toContain(secret);
    expect(JSON.parse(lines[0]!).pwdHint).toBe("kept");
  });
});

describe("kafkajs lines in our log", () => {
  const capture = () => {
    const lines: { level: number; msg: string }[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _e, cb) => (lines.push(JSON.parse(chunk.toString())), cb()) });
    const kafka = kafkaClient(["127.0.0.1:9"], "log-test", createLogger("debug", sink));
    return { lines, connection: kafka.logger().namespace("Connection") };
  };
  const concurrent = "The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing";

  it("logs a CONCURRENT_TRANSACTIONS answer to AddPartitionsToTxn at debug: the patched kafkajs retries it at once", () => {
    const { lines, connection } = capture();
    connection.error("Response AddPartitionsToTxn(key: 24, version: 1)", { error: concurrent, correlationId: 17 });
    connection.error("Response AddOffsetsToTxn(key: 25, version: 1)", { error: concurrent, correlationId: 18 });
    expect(lines.map((l) => l.level)).toEqual([20, 20]);
  });

  // the first start on a fresh cluster showed three such errors while the broker created its offsets topic
  it("logs a GROUP_COORDINATOR_NOT_AVAILABLE answer to FindCoordinator at debug: kafkajs looks it up again", () => {
    const { lines, connection } = capture();
    connection.error("Response GroupCoordinator(key: 10, version: 2)", { error: "The group coordinator is not available", correlationId: 3 });
    connection.error("Response GroupCoordinator(key: 10, version: 2)", { error: "Not authorized to access group: Group authorization failed" });
    connection.error("Response JoinGroup(key: 11, version: 5)", { error: "The group coordinator is not available" });
    expect(lines.map((l) => l.level)).toEqual([20, 50, 50]);
  });

  it("drops kafkajs's notice about its 2.0 change of default partitioner", () => {
    const { lines, connection } = capture();
    connection.warn("KafkaJS v2.0.0 switched default partitioner. To retain the same partitioning behavior as in previous versions, ...");
    connection.warn("Something else worth a warning");
    expect(lines.map((l) => l.msg)).toEqual(["Something else worth a warning"]);
  });

  it("keeps other errors, of these requests too, at error", () => {
    const { lines, connection } = capture();
    connection.error("Response AddPartitionsToTxn(key: 24, version: 1)", { error: "The producer attempted to use a producer id which is not currently assigned to its transactional id" });
    connection.error("Response Produce(key: 0, version: 7)", { error: concurrent });
    expect(lines.map((l) => l.level)).toEqual([50, 50]);
  });
});
