#!/usr/bin/env node
// A real, single-node Apache Kafka broker (KRaft, one combined broker+controller) on 127.0.0.1, for integration
// tests and benchmarks on machines without Docker. Kafka is resolved from Maven Central with `mvn` (pom at
// scripts/kafka/pom.xml) into .cache/kafka/libs once; later starts only launch the JVM.
//
//   node scripts/kafka-local.mjs start     starts a broker in the background, prints KAFKA_BROKERS=127.0.0.1:PORT
//   node scripts/kafka-local.mjs status    exit 0 and the address when the started broker answers, else exit 1
//   node scripts/kafka-local.mjs restart   restarts it keeping its data and ports
//   node scripts/kafka-local.mjs stop      stops it (SIGTERM, then SIGKILL) and deletes its data (--keep keeps it)
//   node scripts/kafka-local.mjs resolve   only resolves the jars (e.g. to warm a CI cache)
//
// Importable: `const k = await startKafka(); k.brokers; await k.restart(); await k.stop();`, and
// `await runJavaMain("kafka.tools.ConsoleProducer", [...args], { input })` runs a Java tool of the broker's jars.
//
// Environment (all optional): KAFKA_PORT, KAFKA_CONTROLLER_PORT (fixed ports instead of free ones),
// KAFKA_HEAP (default "-Xms256m -Xmx512m", e.g. "-Xms1g -Xmx1g" for benchmarks), KAFKA_VERSION (default from the pom),
// KAFKA_LOCAL_CACHE (default <repo>/.cache/kafka), KAFKA_LIBS (a directory of Kafka jars to use instead of mvn),
// KAFKA_LOG_LEVEL (log4j level of the broker log, default INFO), JAVA (java executable), MVN (mvn executable),
// KAFKA_START_TIMEOUT_MS (default 120000), KAFKA_RESOLVE_TIMEOUT_MS (mvn, default 900000).
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import kafkajs from "kafkajs";

const { Kafka, logLevel } = kafkajs;

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(HERE, "..");
const POM = join(HERE, "kafka", "pom.xml");
const HOST = "127.0.0.1";

const env = process.env;
const cacheDir = () => resolve(env.KAFKA_LOCAL_CACHE || join(REPO_ROOT, ".cache", "kafka"));
const currentFile = () => join(cacheDir(), "current.json");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const say = (msg) => process.stderr.write(`[kafka-local] ${msg}\n`);

function pomVersion(name) {
  const m = readFileSync(POM, "utf8").match(new RegExp(`<${name.replace(".", "\\.")}>([^<]+)</`));
  if (!m) throw new Error(`${POM} has no <${name}> property`);
  return m[1].trim();
}

// ---------------------------------------------------------------------------------------------- jars (mvn)

/**
 * Kafka's jars, resolved once with Maven into <cache>/libs (or KAFKA_LIBS as is). Safe when several processes
 * resolve at once: each copies into a directory of its own and renames it into place.
 * @returns {Promise<{ libs: string, version: string, resolvedNow: boolean, ms: number }>}
 */
export async function resolveKafkaLibs(opts = {}) {
  const t0 = Date.now();
  if (env.KAFKA_LIBS) {
    const libs = resolve(env.KAFKA_LIBS);
    // the version as the broker's jar is named: kafka_2.13-3.9.2.jar
    const jar = readdirSync(libs)
      .map((f) => /^kafka_2\.1[23]-(\d[\w.]*)\.jar$/.exec(f))
      .find((m) => m);
    if (!jar) throw new Error(`KAFKA_LIBS=${libs} holds no kafka_2.13-*.jar`);
    return { libs, version: jar[1], resolvedNow: false, ms: 0 };
  }
  const version = opts.version || env.KAFKA_VERSION || pomVersion("kafka.version");
  const slf4j = pomVersion("slf4j.version");
  const stamp = createHash("sha256").update(readFileSync(POM)).update(`\0${version}`).digest("hex").slice(0, 16);
  const cache = cacheDir();
  const libs = join(cache, "libs");
  const stampFile = join(libs, ".resolved.json");
  const readStamp = () => {
    try {
      return JSON.parse(readFileSync(stampFile, "utf8")).stamp;
    } catch {
      return undefined;
    }
  };
  if (readStamp() === stamp) return { libs, version, resolvedNow: false, ms: Date.now() - t0 };

  mkdirSync(cache, { recursive: true });
  const tmp = join(cache, `libs.tmp-${process.pid}-${randomBytes(3).toString("hex")}`);
  const mvn = env.MVN || "mvn";
  say(`resolving Apache Kafka ${version} (slf4j-reload4j ${slf4j}) from Maven Central with ${mvn} into ${libs} (first run only)...`);
  const args = [
    "-B",
    "-q",
    "-f",
    POM,
    "dependency:copy-dependencies",
    `-DoutputDirectory=${tmp}`,
    "-DincludeScope=runtime",
    `-Dkafka.version=${version}`,
  ];
  const timeoutMs = Number(env.KAFKA_RESOLVE_TIMEOUT_MS || 900_000);
  const r = await run(mvn, args, { timeoutMs });
  if (r.error || r.code !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    const why = r.error
      ? `${r.error.message}${r.error.code === "ENOENT" ? ` (is Maven installed and on PATH? set MVN=/path/to/mvn)` : ""}`
      : r.timedOut
        ? `killed after ${timeoutMs / 1000} s (KAFKA_RESOLVE_TIMEOUT_MS)`
        : `exit code ${r.code}`;
    throw new Error(`resolving Apache Kafka ${version} with Maven failed: ${mvn} ${args.join(" ")}: ${why}\n${r.output.slice(-4000)}`);
  }
  if (!existsSync(join(tmp, `kafka_2.13-${version}.jar`))) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`Maven finished but ${tmp} holds no kafka_2.13-${version}.jar:\n${r.output.slice(-4000)}`);
  }
  writeFileSync(join(tmp, ".resolved.json"), JSON.stringify({ stamp, version, slf4j, at: new Date().toISOString() }) + "\n");
  if (readStamp() !== stamp) {
    // move a stale (other version) or half-made libs out of the way, then ours in
    if (existsSync(libs)) {
      const old = join(cache, `libs.old-${process.pid}-${randomBytes(3).toString("hex")}`);
      try {
        renameSync(libs, old);
        rmSync(old, { recursive: true, force: true });
      } catch {
        /* another process moved it first */
      }
    }
    try {
      renameSync(tmp, libs);
    } catch (e) {
      if (readStamp() !== stamp) throw e; // not because someone else just put the same jars there
    }
  }
  rmSync(tmp, { recursive: true, force: true });
  const ms = Date.now() - t0;
  say(`resolved Apache Kafka ${version} in ${(ms / 1000).toFixed(1)} s`);
  return { libs, version, resolvedNow: true, ms };
}

function run(cmd, args, { timeoutMs, input, ...options } = {}) {
  return new Promise((res) => {
    let output = "";
    let child;
    let timedOut = false;
    try {
      child = spawn(cmd, args, { stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"], ...options });
    } catch (error) {
      res({ code: null, output, error });
      return;
    }
    if (input !== undefined) {
      child.stdin.on("error", () => {}); // a child that exits before reading it all: its exit code tells
      child.stdin.end(input);
    }
    const timer = timeoutMs ? setTimeout(() => ((timedOut = true), child.kill("SIGKILL")), timeoutMs) : undefined;
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", (error) => (clearTimeout(timer), res({ code: null, output, error })));
    child.on("close", (code) => (clearTimeout(timer), res({ code, output, timedOut })));
  });
}

/**
 * Runs a Java main class with the broker's jars on the classpath (kafka-clients with its codecs' libraries, the
 * broker's tools), e.g. kafka.tools.ConsoleProducer writing what a Java client writes. `input` goes to its standard
 * input. Resolves to its exit code and output (stdout and stderr); rejects when Java cannot be run.
 * @returns {Promise<{ code: number | null, output: string }>}
 */
export async function runJavaMain(mainClass, args = [], { input, timeoutMs = 120_000 } = {}) {
  const { libs } = await resolveKafkaLibs();
  // a short-lived JVM, as the storage format's; log4j without a configuration only warns that it has none
  const jvm = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Djava.awt.headless=true", "-Dlog4j.configuration=file:/dev/null", "-cp", join(libs, "*")];
  const r = await run(javaBin(), [...jvm, mainClass, ...args], { input, timeoutMs });
  if (r.error) throw new Error(`could not run ${javaBin()}: ${r.error.message}${r.error.code === "ENOENT" ? " (is Java 17+ installed? set JAVA or JAVA_HOME)" : ""}`);
  return { code: r.timedOut ? null : r.code, output: r.output };
}

// ---------------------------------------------------------------------------------------------- config

/** A KRaft cluster id: 16 random bytes, base64url without padding (what `kafka-storage.sh random-uuid` prints). */
export function randomClusterId() {
  for (;;) {
    const b = randomBytes(16);
    const id = b.toString("base64url");
    // Kafka's Uuid.randomUuid avoids ids that look like a command-line flag; zero and one are reserved
    if (!id.startsWith("-") && !b.subarray(0, 15).every((x) => x === 0)) return id;
  }
}

/** A port nothing listens on now, on 127.0.0.1. */
export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.unref();
    s.on("error", rej);
    s.listen(0, HOST, () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/**
 * With `secure` ({ port, keystore: a PEM file of the broker's private key and certificate chain }), a second listener
 * as a bank's cluster has one: TLS and SASL SCRAM-SHA-256 (its users are added when the storage is formatted).
 */
function serverProperties({ port, controllerPort, dataDir, secure }) {
  const tls = secure
    ? {
        listener: `,SASL_SSL://${HOST}:${secure.port}`,
        map: ",SASL_SSL:SASL_SSL",
        rest: `sasl.enabled.mechanisms=SCRAM-SHA-256
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
ssl.keystore.type=PEM
ssl.keystore.location=${secure.keystore}
`,
      }
    : { listener: "", map: "", rest: "" };
  return `# written by scripts/kafka-local.mjs: one combined KRaft broker+controller for tests
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@${HOST}:${controllerPort}
listeners=PLAINTEXT://${HOST}:${port},CONTROLLER://${HOST}:${controllerPort}${tls.listener}
advertised.listeners=PLAINTEXT://${HOST}:${port}${tls.listener}
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT${tls.map}
${tls.rest}controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=${dataDir}
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=true
delete.topic.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=${COORDINATOR_PARTITIONS}
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=${COORDINATOR_PARTITIONS}
group.initial.rebalance.delay.ms=0
# small machine: the log cleaner's dedupe buffer defaults to 128 MiB of a 512 MiB heap
log.cleaner.dedupe.buffer.size=16777216
# after a kill -9 the restarted broker cannot register until its old session expires (default 9 s)
broker.session.timeout.ms=5000
broker.heartbeat.interval.ms=1000
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
`;
}

function log4jProperties({ logsDir, level }) {
  return `# written by scripts/kafka-local.mjs: everything to ${logsDir}/server.log, nothing to stdout
log4j.rootLogger=${level}, file
log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File=${logsDir}/server.log
log4j.appender.file.MaxFileSize=50MB
log4j.appender.file.MaxBackupIndex=2
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=${level}
log4j.logger.org.apache.kafka=${level}
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.authorizer.logger=WARN
log4j.logger.org.apache.zookeeper=WARN
`;
}

// ---------------------------------------------------------------------------------------------- processes

function javaBin() {
  if (env.JAVA) return env.JAVA;
  if (env.JAVA_HOME && existsSync(join(env.JAVA_HOME, "bin", "java"))) return join(env.JAVA_HOME, "bin", "java");
  return "java";
}

function jvmArgs(rt) {
  const heap = (env.KAFKA_HEAP || "-Xms256m -Xmx512m").split(/\s+/).filter(Boolean);
  return [
    ...heap,
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-Djava.awt.headless=true",
    `-Dlog4j.configuration=file:${rt.log4j}`,
    `-Dkafka.logs.dir=${rt.logsDir}`,
    "-cp",
    join(rt.libs, "*"),
  ];
}

/** True when pid runs and is not a zombie (a reaped-by-nobody orphan in a container still answers kill 0). */
function alive(pid) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    return e.code === "EPERM";
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return true; // no /proc (macOS): trust kill 0
  }
}

/** True when pid is (still) the broker of runDir, not a process that got its pid later. */
function isOurBroker(pid, runDir) {
  if (!alive(pid)) return false;
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    return cmd.includes("kafka.Kafka") && cmd.includes(runDir);
  } catch {
    return true; // no /proc: trust the pid file
  }
}

async function waitExit(pid, ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!alive(pid)) return true;
    await sleep(100);
  }
  return !alive(pid);
}

/** SIGTERM (Kafka's clean shutdown), wait up to graceMs, then SIGKILL. */
async function terminate(pid, graceMs = 30_000, signal = "SIGTERM") {
  if (!alive(pid)) return "not running";
  try {
    process.kill(pid, signal);
  } catch {
    return "not running";
  }
  if (signal === "SIGKILL") return (await waitExit(pid, 10_000)) ? "killed" : "did not die";
  if (await waitExit(pid, graceMs)) return "stopped";
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    /* gone meanwhile */
  }
  return (await waitExit(pid, 10_000)) ? `killed after ${graceMs / 1000} s` : "did not die";
}

// Brokers started in-process are killed when this process exits, even when it forgets to stop them.
const owned = new Set();
let exitHookInstalled = false;
function own(pid) {
  owned.add(pid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const p of owned) {
      try {
        process.kill(p, "SIGKILL");
      } catch {
        /* already gone */
      }
    }
  });
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}

/**
 * Leftovers of earlier runs: a broker whose owning process died (a test run killed mid-way) is killed and its
 * directory deleted; directories of failed or abandoned starts are deleted after a day.
 */
async function sweep() {
  const cache = cacheDir();
  if (!existsSync(cache)) return;
  for (const name of readdirSync(cache)) {
    if (!name.startsWith("run-")) continue;
    const dir = join(cache, name);
    const info = readJson(join(dir, "run.json"));
    let old = false;
    try {
      old = Date.now() - statSync(dir).mtimeMs > 24 * 3600_000;
    } catch {
      continue;
    }
    if (!info) {
      if (old) rmSync(dir, { recursive: true, force: true });
      continue;
    }
    if (info.ownerPid && !alive(info.ownerPid)) {
      if (isOurBroker(info.pid, dir)) {
        say(`killing broker pid ${info.pid} left by process ${info.ownerPid}, which is gone (${dir})`);
        await terminate(info.pid, 5_000, "SIGKILL");
      }
      if (!info.keep || old) rmSync(dir, { recursive: true, force: true });
    } else if (!info.ownerPid && !isOurBroker(info.pid, dir) && old) {
      rmSync(dir, { recursive: true, force: true }); // a CLI broker that died and was never stopped
    }
  }
}

/** The first ERROR/FATAL lines of a log (the cause, usually) and its last lines. */
function logTail(file, lines = 15) {
  let all;
  try {
    all = readFileSync(file, "utf8").split("\n");
  } catch {
    return "(no log written)";
  }
  const errors = all.filter((l) => /^\[[^\]]+\] (ERROR|FATAL) /.test(l)).slice(0, 8);
  const tail = all.slice(-lines).join("\n");
  return errors.length ? `${errors.join("\n")}\n...\n${tail}` : tail;
}

async function describeCluster(brokers, timeoutMs) {
  const kafka = new Kafka({
    clientId: "kafka-local-probe",
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: Math.min(3000, timeoutMs),
    requestTimeout: Math.min(5000, Math.max(timeoutMs, 1000)),
    retry: { retries: 0 },
  });
  const admin = kafka.admin({ retry: { retries: 0 } });
  try {
    await admin.connect();
    return await admin.describeCluster();
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

// partition counts of __consumer_offsets and __transaction_state in serverProperties()
const COORDINATOR_PARTITIONS = 10;

/** Kafka's coordinator partition of a group or transactional id: Utils.abs(id.hashCode()) % partitions. */
function coordinatorPartition(id, partitions) {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (Math.imul(h, 31) + id.charCodeAt(i)) | 0;
  return (h & 0x7fffffff) % partitions;
}

/** One id per coordinator partition: "<prefix>-N" for the first N that lands on each. */
function idsCoveringPartitions(prefix, partitions) {
  const byPartition = new Map();
  for (let n = 0; byPartition.size < partitions; n++) {
    const id = `${prefix}-${n}`;
    const p = coordinatorPartition(id, partitions);
    if (!byPartition.has(p)) byPartition.set(p, id);
  }
  return [...byPartition.values()];
}

/**
 * Makes every group and transaction coordinator partition ready: Kafka creates __consumer_offsets and
 * __transaction_state on first use and loads each partition when it starts or restarts, so without this the first
 * consumer groups and transactional producers of a test meet "coordinator not available / loading" errors.
 */
async function warmUp(brokers) {
  const kafka = new Kafka({
    clientId: "kafka-local-probe",
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1000 },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.describeGroups(idsCoveringPartitions("kafka-local-warmup", COORDINATOR_PARTITIONS));
  } finally {
    await admin.disconnect().catch(() => {});
  }
  await Promise.all(
    idsCoveringPartitions("kafka-local-warmup", COORDINATOR_PARTITIONS).map(async (transactionalId) => {
      const producer = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 });
      await producer.connect(); // FindCoordinator + InitProducerId on that __transaction_state partition
      await producer.disconnect().catch(() => {});
    }),
  );
}

/** Launches the JVM of rt (a run directory's runtime record) and waits until a kafkajs admin describes the cluster. */
async function launch(rt, { detached }) {
  const out = openSync(rt.stdoutLog, "a");
  let child;
  try {
    child = spawn(javaBin(), [...jvmArgs(rt), "kafka.Kafka", rt.serverProperties], {
      cwd: rt.runDir,
      detached,
      stdio: ["ignore", out, out],
    });
  } finally {
    closeSync(out);
  }
  let exited = null;
  let spawnError = null;
  child.on("exit", (code, signal) => (exited = { code, signal }));
  child.on("error", (e) => (spawnError = e));
  if (detached) child.unref();
  else own(child.pid);
  rt.pid = child.pid;
  writeRunJson(rt);

  const timeoutMs = Number(env.KAFKA_START_TIMEOUT_MS || 120_000);
  const t0 = Date.now();
  let lastError;
  for (;;) {
    if (spawnError) throw new Error(`could not run ${javaBin()}: ${spawnError.message} (is Java 17+ installed? set JAVA or JAVA_HOME)`);
    if (exited) {
      owned.delete(child.pid);
      throw new Error(
        `Kafka broker exited during start-up (${exited.signal ?? `code ${exited.code}`}); see ${rt.serverLog} and ${rt.stdoutLog}\n` +
          `--- ${rt.stdoutLog} ---\n${logTail(rt.stdoutLog)}\n--- ${rt.serverLog} ---\n${logTail(rt.serverLog)}`,
      );
    }
    try {
      const d = await describeCluster(rt.brokers, 3000);
      if (d.brokers.length > 0) {
        await warmUp(rt.brokers);
        return { child, ms: Date.now() - t0 };
      }
    } catch (e) {
      lastError = e;
    }
    if (Date.now() - t0 > timeoutMs) {
      await terminate(child.pid, 5_000);
      owned.delete(child.pid);
      throw new Error(
        `Kafka broker at ${rt.brokers} did not answer within ${timeoutMs / 1000} s (last error: ${lastError?.message}); ` +
          `see the broker log ${rt.serverLog} and ${rt.stdoutLog}\n--- ${rt.serverLog} (tail) ---\n${logTail(rt.serverLog)}`,
      );
    }
    await sleep(250);
  }
}

function writeRunJson(rt) {
  writeFileSync(join(rt.runDir, "run.json"), JSON.stringify(rt, null, 2) + "\n");
}

// ---------------------------------------------------------------------------------------------- API

/**
 * Starts a fresh single-node broker.
 * @param {import("./kafka-local.d.mts").StartKafkaOptions} [opts]
 * @returns {Promise<import("./kafka-local.d.mts").KafkaHandle>}
 */
export async function startKafka(opts = {}) {
  const t0 = Date.now();
  await sweep().catch((e) => say(`sweeping old runs failed (ignored): ${e.message}`));
  const { libs, version, resolvedNow, ms: resolveMs } = await resolveKafkaLibs({ version: opts.version });
  const id = opts.id ?? `${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
  const runDir = join(cacheDir(), `run-${id}`);
  const logsDir = join(runDir, "logs");
  const dataDir = join(runDir, "data");
  mkdirSync(logsDir, { recursive: true });
  const port = Number(opts.port ?? env.KAFKA_PORT ?? 0) || (await freePort());
  let controllerPort = Number(opts.controllerPort ?? env.KAFKA_CONTROLLER_PORT ?? 0) || (await freePort());
  while (controllerPort === port) controllerPort = await freePort();
  // opts.saslSsl: { keystore, users: [{ name, password }] } for a TLS + SCRAM listener beside the plaintext one
  let securePort = 0;
  if (opts.saslSsl) do securePort = await freePort(); while (securePort === port || securePort === controllerPort);
  const rt = {
    id,
    version,
    brokers: `${HOST}:${port}`,
    port,
    controllerPort,
    secure: opts.saslSsl ? { port: securePort, keystore: opts.saslSsl.keystore } : undefined,
    clusterId: randomClusterId(),
    runDir,
    libs,
    logsDir,
    dataDir,
    serverProperties: join(runDir, "server.properties"),
    log4j: join(runDir, "log4j.properties"),
    serverLog: join(logsDir, "server.log"),
    stdoutLog: join(logsDir, "stdout.log"),
    // null for a broker started from the CLI (it outlives the CLI); else the process whose exit kills it
    ownerPid: opts.detached ? null : process.pid,
    keep: Boolean(opts.keep),
    pid: null,
    startedAt: new Date().toISOString(),
  };
  writeFileSync(rt.serverProperties, serverProperties(rt));
  writeFileSync(rt.log4j, log4jProperties({ logsDir, level: env.KAFKA_LOG_LEVEL || "INFO" }));
  writeRunJson(rt);

  // a short-lived JVM: C1 only and the serial GC halve its ~2 s
  const fmtJvm = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", ...jvmArgs(rt).filter((a) => !a.startsWith("-XX:"))];
  const scram = (opts.saslSsl?.users ?? []).flatMap((u) => ["--add-scram", `SCRAM-SHA-256=[name=${u.name},password=${u.password}]`]);
  const fmt = await run(javaBin(), [...fmtJvm, "kafka.tools.StorageTool", "format", "-t", rt.clusterId, "-c", rt.serverProperties, ...scram], {
    cwd: runDir,
  });
  writeFileSync(join(logsDir, "format.log"), fmt.output);
  if (fmt.error || fmt.code !== 0) {
    const why = fmt.error ? `${fmt.error.message}${fmt.error.code === "ENOENT" ? " (is Java 17+ installed? set JAVA or JAVA_HOME)" : ""}` : `exit code ${fmt.code}`;
    throw new Error(`formatting Kafka storage failed (${why}); see ${join(logsDir, "format.log")} and ${rt.serverLog}\n${fmt.output.slice(-3000)}`);
  }

  const { ms: bootMs } = await launch(rt, { detached: Boolean(opts.detached) });
  const timings = { resolveMs, resolvedNow, bootMs, totalMs: Date.now() - t0 };
  if (!opts.quiet) say(`Apache Kafka ${version} up at ${rt.brokers} in ${(timings.totalMs / 1000).toFixed(1)} s (pid ${rt.pid}; log ${rt.serverLog})`);
  return handleFor(rt, timings);
}

function handleFor(rt, timings) {
  const handle = {
    brokers: rt.brokers,
    /** the TLS + SASL SCRAM-SHA-256 listener's host:port, when started with opts.saslSsl */
    saslSslBrokers: rt.secure ? `${HOST}:${rt.secure.port}` : undefined,
    port: rt.port,
    controllerPort: rt.controllerPort,
    get pid() {
      return rt.pid;
    },
    runDir: rt.runDir,
    logFile: rt.serverLog,
    version: rt.version,
    timings,
    stop: (o) => stopRun(rt, o),
    restart: (o) => restartRun(rt, o),
  };
  return handle;
}

async function stopRun(rt, o = {}) {
  const how = await terminate(rt.pid, o.graceMs ?? 30_000);
  owned.delete(rt.pid);
  if (how === "did not die") throw new Error(`Kafka broker pid ${rt.pid} did not die after SIGKILL`);
  const keep = o.keep ?? rt.keep;
  if (!keep) rmSync(rt.runDir, { recursive: true, force: true });
  else writeRunJson({ ...rt, pid: null });
  return how;
}

/**
 * Stops the broker (SIGTERM, or SIGKILL with {signal: "SIGKILL"} for a crash), optionally stays down for downMs,
 * and starts it again with the same data, cluster id and ports. Resolves when it answers again.
 */
async function restartRun(rt, o = {}) {
  const t0 = Date.now();
  const how = await terminate(rt.pid, o.graceMs ?? 30_000, o.signal ?? "SIGTERM");
  owned.delete(rt.pid);
  if (how === "did not die") throw new Error(`Kafka broker pid ${rt.pid} did not die`);
  if (o.downMs) await sleep(o.downMs);
  await launch(rt, { detached: rt.ownerPid === null });
  return { ms: Date.now() - t0 };
}

/** Same as handle.stop(). */
export async function stopKafka(handle, opts) {
  return handle.stop(opts);
}

/** Same as handle.restart(): keeps data, cluster id and ports. */
export async function restartKafka(handle, opts) {
  return handle.restart(opts);
}

// ---------------------------------------------------------------------------------------------- CLI

function current() {
  const c = readJson(currentFile());
  if (!c) return undefined;
  const rt = readJson(join(c.runDir, "run.json"));
  return rt ? { ...c, rt } : { ...c, rt: undefined };
}

async function cli(argv) {
  const [cmd, ...rest] = argv;
  const keep = rest.includes("--keep");
  switch (cmd) {
    case "start": {
      const c = current();
      if (c?.rt && isOurBroker(c.rt.pid, c.rt.runDir)) {
        say(`already running (pid ${c.rt.pid}, ${c.rt.runDir})`);
        console.log(`KAFKA_BROKERS=${c.brokers}`);
        return 0;
      }
      const h = await startKafka({ detached: true, keep });
      const info = { brokers: h.brokers, pid: h.pid, port: h.port, controllerPort: h.controllerPort, runDir: h.runDir, logFile: h.logFile, version: h.version, startedAt: new Date().toISOString() };
      writeFileSync(currentFile(), JSON.stringify(info, null, 2) + "\n");
      console.log(`KAFKA_BROKERS=${h.brokers}`);
      return 0;
    }
    case "stop": {
      const c = current();
      if (!c) {
        say("no broker started (no .cache/kafka/current.json)");
        return 0;
      }
      const running = c.rt && isOurBroker(c.rt.pid, c.rt.runDir);
      const how = running ? await terminate(c.rt.pid, 30_000) : "not running";
      if (how === "did not die") throw new Error(`broker pid ${c.rt.pid} did not die`);
      const keepData = keep || Boolean(c.rt?.keep);
      if (!keepData) rmSync(c.runDir, { recursive: true, force: true });
      rmSync(currentFile(), { force: true });
      say(`${c.brokers}: ${how}${keepData ? `; data and logs kept in ${c.runDir}` : ""}`);
      return 0;
    }
    case "status": {
      const c = current();
      if (!c?.rt || !isOurBroker(c.rt.pid, c.rt.runDir)) {
        console.log(c ? `not running (last: ${c.brokers}, pid ${c.pid})` : "not running");
        return 1;
      }
      try {
        const d = await describeCluster(c.brokers, 5000);
        console.log(`running: KAFKA_BROKERS=${c.brokers} pid=${c.rt.pid} cluster=${d.clusterId} version=${c.version} log=${c.logFile}`);
        return 0;
      } catch (e) {
        console.log(`process ${c.rt.pid} runs but ${c.brokers} does not answer (${e.message}); see ${c.logFile}`);
        return 1;
      }
    }
    case "restart": {
      const c = current();
      if (!c?.rt) throw new Error("no broker started (no .cache/kafka/current.json): use start");
      const { ms } = await restartRun(c.rt, { signal: rest.includes("--kill") ? "SIGKILL" : "SIGTERM" });
      writeFileSync(currentFile(), JSON.stringify({ ...c, rt: undefined, pid: c.rt.pid }, null, 2) + "\n");
      say(`restarted in ${(ms / 1000).toFixed(1)} s (pid ${c.rt.pid})`);
      console.log(`KAFKA_BROKERS=${c.brokers}`);
      return 0;
    }
    case "resolve": {
      const r = await resolveKafkaLibs();
      console.log(r.libs);
      return 0;
    }
    default:
      console.error("usage: node scripts/kafka-local.mjs start [--keep] | stop [--keep] | status | restart [--kill] | resolve");
      return 2;
  }
}

function isMain() {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  cli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(`[kafka-local] ${e.message}`);
      process.exit(1);
    },
  );
}
