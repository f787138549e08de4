#!/usr/bin/env node
// moneytrail: the command line. Each command is a thin shell over src/app; errors say what to do.
import { Command, CommanderError, Option } from "commander";
import { basename, join } from "node:path";
import { userInfo } from "node:os";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { doubtText, isRuleFileName, loadRuleSet, type RuleSet } from "./rules/ruleset.js";
import { findVersion, versionFiles } from "./rules/history.js";
import { when } from "./web/html.js";
import { indexSets, loadIndicators, readIndicatorSets, type IndicatorIndex } from "./indicators/index.js";
import type { IndicatorSet } from "./indicators/schema.js";
import { loadTrustStore } from "./indicators/sign.js";
import { indicatorCommands, someSetFiles } from "./app/indicators.js";
import { ConfigError, UnreachableError, UsageError, checkInputFile, checkOutputFile, fileProblem, whatToDo } from "./lib/errors.js";
import { DEFAULT_RULES, PACKAGE_ROOT, SAMPLE_DIR } from "./lib/paths.js";
import { replay, sameFile, type ReplaySummary } from "./app/replay.js";
import { DEFAULT_MAX_AHEAD_MS, DEFAULT_MAX_BYTES, MAX_BYTES_FLAG, MAX_MAX_BYTES, MIN_MAX_BYTES } from "./decode/decode.js";
import { flaggedTable } from "./app/table.js";
import { serveDemo } from "./app/demo.js";
import { readTopicRange } from "./source/kafka-range.js";
import { HOLD_RECHECK_MS, brokersFrom, reachableKafka } from "./source/kafka.js";
import { ZodError } from "zod";
import { connectFailure, serverDb, type Db } from "./cases/db.js";
import { Auth, AuthError, ROLE_SCOPE, heldCases } from "./web/auth.js";
import { authSettings } from "./config/auth.js";
import { CONSOLE, ROLES } from "./cases/store.js";
import { REFUSED_RECHECK_MS, Runner, StartStopped } from "./app/run.js";
import { RunConfig, databaseWhere, misspeltVariables, runConfig, setting, unknownVariables, wholeNumberFlag } from "./config/run.js";
import { produceFile } from "./app/produce.js";
import { requeueFailed } from "./cases/webhook.js";
import { MIGRATIONS, grantServiceRole, migratedAhead } from "./sinks/postgres/migrations.js";
import { resetPositions, skipBatch } from "./sinks/postgres/store.js";
import { createLogger, redact } from "./lib/log.js";
import { BacktestError, backtest, checkWindow, dispositionsFrom, labelsFromFile, parseBound, parseReportFrom, parseSweep, skipDecisionsAt, sweepRuleSets } from "./app/backtest.js";
import { backtestTables, writeBacktestReports } from "./app/backtest-report.js";
import { progressBar } from "./app/progress.js";
import { readLineBatches } from "./source/ndjson.js";

// a reader that has gone (`| head`) ends the command quietly, as a closed pipe ends other command-line tools
for (const stream of [process.stdout, process.stderr])
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code !== "EPIPE") throw err;
    process.exit();
  });

const program = new Command()
  .name("moneytrail")
  .description("Flags merchant accounts linked to child sexual abuse material sites, for human compliance review.")
  .version((JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string }).version)
  // commander's usage errors reach the handler at the end (as a CommanderError), to exit 2 as the other refusals do;
  // set before the commands are added, which inherit it
  .exitOverride();

/** The sets of --indicators, checked with --trust (the backtest reports their revoked entries, so it takes the sets). */
function indicatorSetsFrom(dir: string | undefined, trust: string | undefined): IndicatorSet[] {
  // the trust store checks the sets given: without any, a run would seem checked while nothing was
  if (trust && !dir) throw new UsageError("--trust checks the sets of --indicators: give --indicators DIR as well (or leave --trust out)");
  // a directory of no set (rules/, a wrong one) would run as if the sets had matched nothing
  if (dir) someSetFiles(dir);
  const sets = dir ? readIndicatorSets(dir, trust ? loadTrustStore(trust) : undefined) : [];
  // as run warns without MT_TRUST_STORE: a set changed after signing, or of an unknown key, is taken all the same
  if (dir && !trust) process.stderr.write("warning: indicator sets are taken without checking signatures: give --trust with the publishers' keys\n");
  return sets;
}
function indicatorsFrom(dir: string | undefined, trust: string | undefined): IndicatorIndex {
  return indexSets(indicatorSetsFrom(dir, trust));
}

const MAX_BYTES_HELP = "a larger event (a line, a message) is rejected; give run's MT_MAX_MESSAGE_BYTES to take what run takes";

function printSummary(s: ReplaySummary, events: string, out: string, rejects: string): void {
  process.stderr.write(
    `${s.lines} lines: ${s.events} events processed, ${s.repeated ? `${s.repeated} repeated (an event id its merchant was sent already: skipped), ` : ""}${s.rejected} rejected${s.rejected ? ` (see ${rejects})` : ""}${s.blank ? `, ${s.blank} blank` : ""}; ` +
      `${s.merchants} merchants, ${s.alerts} alerts on ${s.latest.size} merchants -> ${out}\n`,
  );
  // every line refused is most likely another kind of file (a set, a JSON array, a CSV), not a few bad lines
  if (!s.events && s.rejected)
    process.stderr.write(
      `note: no line of ${events} is an event: replay reads NDJSON, one contract event (merchant, transaction, chargeback, site_observation) per line, as fixtures/sample/events.ndjson; each line's reason is in ${rejects}\n`,
    );
}

/** A file given as an argument where the command takes it as an option (`replay events.ndjson`): said with the line to write. */
const filesAsOptions = (example: (file: string) => string) => (cmd: Command) => {
  const [file] = cmd.args;
  if (file !== undefined) throw new UsageError(`${file}: the command takes its files as options, not arguments: ${example(file)}`);
};

program
  .command("replay")
  .description("run recorded events (NDJSON) through the engine and write contract alerts (NDJSON)")
  .requiredOption("--events <file>", "events, one JSON object per line")
  .requiredOption("--out <file>", "where to write the alerts")
  .option("--rules <dir>", "rule-set directory", DEFAULT_RULES)
  .option("--indicators <dir>", "indicator-set directory or file")
  .option("--trust <file>", "trust store: every indicator set must be signed by a trusted key of its publisher")
  .option("--rejects <file>", "where to write lines that are not valid events (default: beside --out, alerts.rejects.ndjson for alerts.ndjson)")
  .option("--table", "print the flagged merchants as a table")
  .option("--max-ahead-ms <ms>", "an event dated more than this after the start of the replay is rejected", wholeNumberFlag(0), DEFAULT_MAX_AHEAD_MS)
  .option(`${MAX_BYTES_FLAG} <bytes>`, MAX_BYTES_HELP, wholeNumberFlag(MIN_MAX_BYTES, MAX_MAX_BYTES), DEFAULT_MAX_BYTES)
  .option("--no-progress", "no progress bar")
  // before the required options' check, which would say only that --events is missing
  .allowExcessArguments()
  .hook("preAction", filesAsOptions((f) => `moneytrail replay --events ${f} --out alerts.ndjson`))
  .addHelpText(
    "after",
    [
      "",
      "Example, the bundled sample with its indicator set, as npm start runs it (from the repository; 14 alerts on 12 merchants):",
      "  npx moneytrail replay --events fixtures/sample/events.ndjson --out out/alerts.ndjson \\",
      "    --indicators fixtures/sample/indicators --trust fixtures/sample/trust.json --table",
      "Without --indicators the rules that match indicator sets find nothing listed (on the sample, 6 alerts on 5 merchants).",
    ].join("\n"),
  )
  .action(async (o: { events: string; out: string; rules: string; indicators?: string; trust?: string; rejects?: string; table?: boolean; maxAheadMs: number; maxMessageBytes: number; progress: boolean }) => {
    const rejects = o.rejects ?? o.out.replace(/(\.ndjson)?$/, ".rejects.ndjson");
    const ruleSet = loadRuleSet(o.rules);
    const indicators = indicatorsFrom(o.indicators, o.trust);
    const s = await replay({
      events: o.events,
      out: o.out,
      rejects,
      ruleSet,
      indicators,
      progress: o.progress,
      maxAheadMs: o.maxAheadMs,
      maxMessageBytes: o.maxMessageBytes,
    });
    if (o.table) process.stdout.write(`${flaggedTable(s.latest.values(), ruleSet.settings.scoring)}\n`);
    printSummary(s, o.events, o.out, rejects);
  });

program
  .command("demo")
  .description("replay the committed sample, print the flagged merchants, and serve them as cases to review")
  .option("--out <dir>", "output directory", "out")
  .option("--host <host>", "address of the reviewers' page", "127.0.0.1")
  .option("--port <port>", "port of the reviewers' page (0: any free port)", wholeNumberFlag(0, 65535), 8080)
  .option("--no-serve", "print the table and exit")
  .action(async (o: { out: string; host: string; port: number; serve: boolean }) => {
    const out = join(o.out, "sample-alerts.ndjson");
    const rejects = join(o.out, "sample-rejects.ndjson");
    const events = join(SAMPLE_DIR, "events.ndjson");
    const ruleSet = loadRuleSet(DEFAULT_RULES);
    const s = await replay({
      events,
      out,
      rejects,
      ruleSet,
      // the sample set is signed by the sample publisher: the demo checks it as a member would
      indicators: loadIndicators(join(SAMPLE_DIR, "indicators"), loadTrustStore(join(SAMPLE_DIR, "trust.json"))),
      trackHits: true,
    });
    process.stdout.write(`Flagged merchants in the sample (rule set ${ruleSet.id} ${ruleSet.version.slice(0, 19)}…):\n`);
    process.stdout.write(`${flaggedTable(s.latest.values(), ruleSet.settings.scoring)}\n`);
    printSummary(s, events, out, rejects);
    if (!o.serve) return;
    const demo = await serveDemo({ alertsFile: out, engine: s.engine, hits: s.hits, rulesDir: DEFAULT_RULES, host: o.host, port: o.port, log: createLogger("warn") });
    process.stdout.write(
      `\nThe case queue for compliance reviewers is at ${demo.url}\n` +
        `Sign in (one-time passwords of this demo; its database lives in memory and is gone when it stops):\n` +
        demo.logins.map((l) => `  ${l.username.padEnd(9)} ${l.password}   (${l.role})\n`).join("") +
        `Press Ctrl-C to stop.\n`,
    );
    const stop = () => void demo.close().then(() => process.exit(0));
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });

program
  .command("run")
  .description("consume the events topic on Kafka, keep state in PostgreSQL, publish alerts (the main job)")
  .option("--brokers <list>", "Kafka brokers, host:port,... (env KAFKA_BROKERS)")
  .option("--database-url <url>", "PostgreSQL URL (env DATABASE_URL)")
  .option("--group-id <id>", "consumer group (env MT_GROUP_ID, default moneytrail)")
  .option("--events-topic <topic>", "events topic (env MT_EVENTS_TOPIC, default mt.merchant-events)")
  .option("--alerts-topic <topic>", "alerts topic (env MT_ALERTS_TOPIC, default mt.alerts)")
  .option("--dead-letter-topic <topic>", "dead-letter topic (env MT_DEAD_LETTER_TOPIC, default mt.dead-letter)")
  .option("--rules <dir>", "rule-set directory (env MT_RULES)")
  .option("--indicators <dir>", "indicator sets (env MT_INDICATORS)")
  .option("--metrics-port <port>", "port of /metrics, 0 for none (env MT_METRICS_PORT, default 9464)")
  .option("--http-port <port>", "port of the reviewers' page and API, 0 for none (env MT_HTTP_PORT, default 8080)")
  .option("--concurrent-partitions <n>", "partitions processed at once, their commits overlapping (env MT_CONCURRENT_PARTITIONS, default 3)")
  .addHelpText(
    "after",
    "\nThe other settings (MT_TRUST_STORE, MT_INDICATOR_TOPIC, LOG_LEVEL, MT_COMMIT_EVERY, MT_WEBHOOK_URL and more) are\nenvironment variables only: README, \"Running against a broker\", lists each with its default.",
  )
  .action(async (flags: Record<string, unknown>, command: Command) => {
    const cfg = runConfig(process.env, flags, new Set(command.options.map((o) => o.attributeName())));
    // sign-in's settings, refused now rather than when the reviewers' page starts
    authSettings(process.env);
    const log = createLogger(cfg.logLevel);
    const unknown = unknownVariables(process.env);
    if (unknown.length)
      log.warn({ unknown, meant: misspeltVariables(process.env) }, "environment variables that moneytrail run does not read, ignored: check their spelling against the settings in the README (meant: the setting each looks like)");
    // a signal during start-up is honoured once the consumer is up, so it still leaves the group cleanly; one while the
    // start waits for Kafka or warms up ends the start there, before anything has joined
    let signalled: string | undefined;
    let runner: Runner | undefined;
    const starting = new AbortController();
    const shutdown = (signal: string): void => {
      signalled = signal;
      if (!runner) return starting.abort();
      log.info({ signal }, "stopping: finishing the batch in hand, committing, leaving the group");
      runner.stop().then(
        () => process.exit(0),
        (err: Error) => {
          log.error({ err: err.message }, "stop failed");
          process.exit(1);
        },
      );
    };
    process.once("SIGTERM", () => shutdown("SIGTERM"));
    process.once("SIGINT", () => shutdown("SIGINT"));
    runner = await Runner.start(cfg, log, starting.signal).catch((err: unknown) => {
      if (!(err instanceof StartStopped)) throw err;
      log.info({ signal: signalled }, `stopped during the start, ${err.message}: nothing had joined the consumer group, nothing to save`);
      process.exit(0);
    });
    if (signalled) shutdown(signalled);
  });

program
  .command("produce")
  .description("put a recorded NDJSON file on the events topic, keyed by merchantId: to try `run`, or to fill a test topic")
  .requiredOption("--events <file>", "events, one JSON object per line (a line that is not one goes as it is, with no key)")
  .option("--brokers <list>", "Kafka brokers (env KAFKA_BROKERS)")
  .option("--topic <topic>", "events topic (env MT_EVENTS_TOPIC, default mt.merchant-events)")
  .option("--rate <n>", "events per second (default: as fast as the broker takes them)", wholeNumberFlag(1))
  .option("--no-progress", "no progress bar")
  .allowExcessArguments()
  .hook("preAction", filesAsOptions((f) => `moneytrail produce --events ${f}`))
  .action(async (o: { events: string; brokers?: string; topic?: string; rate?: number; progress: boolean }) => {
    const brokers = brokersFrom(o.brokers);
    // before waiting for the brokers
    checkInputFile("--events", o.events, "events file");
    const topic = setting("eventsTopic", { name: "--topic", value: o.topic });
    const kafka = await reachableKafka(brokers, "moneytrail-produce", createLogger("warn"));
    const r = await produceFile({ kafka, events: o.events, topic, rate: o.rate, progress: o.progress && process.stderr.isTTY });
    process.stderr.write(
      `${r.sent} lines onto ${topic} in ${r.seconds.toFixed(1)} s${r.unkeyed ? `; ${r.unkeyed} without a merchantId went without a key (the consumer dead-letters what is not an event)` : ""}\n`,
    );
  });

program
  .command("backtest")
  .description("run recorded events through a baseline and a candidate rule set and compare what each flags (docs/backtest.md)")
  .option("--events <file>", "events, one JSON object per line")
  .option("--topic <topic>", "or: the events recorded on a Kafka topic (with --brokers or KAFKA_BROKERS)")
  .option("--brokers <list>", "Kafka brokers for --topic (env KAFKA_BROKERS)")
  .option(
    "--database-url <url>",
    "with --topic: the service's PostgreSQL (env DATABASE_URL), where operators' skips of record batches that cannot be read are recorded (db skip-batch); such a batch is skipped here too, its records counted as unreadable-batch",
  )
  .option("--from <t>", "first event: an RFC 3339 time (on occurredAt), or a line number (with --topic: an offset, in every partition)")
  .option("--to <t>", "last event, inclusive: an RFC 3339 time (on occurredAt), or a line number (with --topic: an offset)")
  .option(
    "--report-from <time>",
    "an RFC 3339 time: the events before it (from --from on) are run to build the state as live had it, and only hits and alerts from then on are reported",
  )
  .requiredOption("--baseline <dir>", "rule set A: as in force")
  .requiredOption("--candidate <dir>", "rule set B: the change to try")
  .option("--indicators <dir>", "indicator-set directory or file: A's, and B's unless --candidate-indicators is given")
  .option("--candidate-indicators <dir>", "B's indicator sets (a new version of a set, a set to add), to compare with A's (--indicators); --candidate may then be the same directory as --baseline")
  .option("--trust <file>", "trust store: every indicator set (of both sides) must be signed by a trusted key of its publisher")
  .option("--labels <file>", "labels JSON: {\"merchants\": {\"ID\": {\"label\": \"positive\"}, ...}}; negative, benign and hard-negative are negative; typologies (of a positive) and note optional")
  .option("--dispositions <url>", "the case store's PostgreSQL: reported cases and closed accounts positive; dismissed as false-positive or legitimate-business negative")
  .option("--json <file>", "write the full result as JSON")
  .option("--html <file>", "write a self-contained HTML report")
  .option("--sweep <spec>", "RULE_ID.PATH=FROM:TO:STEP: the candidate again with one numeric parameter at each value")
  .option("--max-ahead-ms <ms>", "an event dated more than this after its message's timestamp (--topic) or the start of the backtest (--events) is rejected", wholeNumberFlag(0), DEFAULT_MAX_AHEAD_MS)
  .option(`${MAX_BYTES_FLAG} <bytes>`, MAX_BYTES_HELP, wholeNumberFlag(MIN_MAX_BYTES, MAX_MAX_BYTES), DEFAULT_MAX_BYTES)
  .option("--no-progress", "no progress bar")
  .addHelpText(
    "after",
    [
      "",
      "Example, a change tried on the bundled sample (from the repository):",
      "  cp -r rules my-rules                  # then edit my-rules/*.yaml",
      "  npx moneytrail rules validate my-rules",
      "  npx moneytrail backtest --events fixtures/sample/events.ndjson --baseline rules/ --candidate my-rules/ \\",
      "    --indicators fixtures/sample/indicators --trust fixtures/sample/trust.json \\",
      "    --labels fixtures/sample/labels.json --html out/backtest.html",
      "Give --indicators with the sets in force: without them the rules that match indicator sets find nothing listed.",
    ].join("\n"),
  )
  .action(
    async (o: {
      events?: string;
      topic?: string;
      brokers?: string;
      databaseUrl?: string;
      from?: string;
      to?: string;
      reportFrom?: string;
      baseline: string;
      candidate: string;
      indicators?: string;
      candidateIndicators?: string;
      trust?: string;
      labels?: string;
      dispositions?: string;
      json?: string;
      html?: string;
      sweep?: string;
      maxAheadMs: number;
      maxMessageBytes: number;
      progress: boolean;
    }) => {
      if (!o.events === !o.topic) throw new UsageError("give the recorded events: --events FILE or --topic TOPIC (one of them)");
      if (o.events) checkInputFile("--events", o.events, "events file");
      const brokers = o.topic ? brokersFrom(o.brokers, "--topic needs the brokers") : undefined;
      // a name Kafka would refuse is said as such, not as a topic missing from the brokers
      if (o.topic) setting("eventsTopic", { name: "--topic", value: o.topic });
      if (o.labels && o.dispositions) throw new UsageError("give --labels or --dispositions, not both");
      // A's sets given even when none is in force (an empty directory): left out by mistake, B's would be compared with no set at all
      if (o.candidateIndicators !== undefined && o.indicators === undefined)
        throw new UsageError("--candidate-indicators gives B's indicator sets, to compare with A's: give A's as --indicators DIR (the sets in force; an empty directory if there are none)");
      if (o.databaseUrl !== undefined && !o.topic) throw new UsageError("--database-url is read with --topic only (the operators' skips of record batches on the topic); a file has no batches to skip");
      if (o.labels) checkInputFile("--labels", o.labels, "labels file");
      // the reports are written when the run is over: over an input they would replace the recorded events or labels
      for (const [flag, out] of [["--json", o.json], ["--html", o.html]] as const)
        for (const [input, file] of [["--events", o.events], ["--labels", o.labels]] as const)
          if (out && file && sameFile(file, out)) throw new UsageError(`${flag} ${out} is the ${input} file ${file}: the report would replace it; give another ${flag} file`);
      if (o.json && o.html && sameFile(o.json, o.html)) throw new UsageError(`--json and --html are the same file ${o.json}: the page would replace the JSON; give each its own file`);
      for (const [flag, out] of [["--json", o.json], ["--html", o.html]] as const) if (out) checkOutputFile(flag, out);
      try {
        const bound = (flag: string, s: string | undefined) => (s === undefined ? undefined : parseBound(flag, s, o.topic !== undefined));
        const from = bound("--from", o.from);
        const to = bound("--to", o.to);
        // on a topic a plain integer is an offset, applied by the source in every partition
        const offset = (b: typeof from) => (b && "offset" in b ? b.offset : undefined);
        checkWindow(o.from, o.to);
        const reportFrom = o.reportFrom === undefined ? undefined : parseReportFrom(o.reportFrom, o.from, o.to);
        const baseline = { name: o.baseline, ruleSet: loadRuleSet(o.baseline) };
        const candidate = { name: o.candidate, ruleSet: loadRuleSet(o.candidate) };
        const sweep = o.sweep ? sweepRuleSets(o.candidate, parseSweep(o.sweep)) : undefined;
        // read before the events: a set refused is said at once. B's are checked with the same trust store, so a
        // version that does not verify is refused as `run` would refuse it
        const indicators = indicatorSetsFrom(o.indicators, o.trust);
        const candidateIndicators = o.candidateIndicators === undefined ? undefined : readIndicatorSets(o.candidateIndicators, o.trust ? loadTrustStore(o.trust) : undefined);
        const truth = o.labels ? labelsFromFile(o.labels) : o.dispositions ? await dispositionsFrom(o.dispositions) : undefined;
        // the operators' skips are read as `run` reads them: an unreadable batch it went past is gone past here too
        const dbUrl = o.databaseUrl ?? process.env.DATABASE_URL;
        const decisions = o.topic && dbUrl ? skipDecisionsAt(dbUrl, o.databaseUrl !== undefined ? "--database-url" : "DATABASE_URL") : undefined;
        const shown = o.progress && process.stderr.isTTY === true;
        // a topic's range is read whole before it is run: a bar for each
        const reading = progressBar(`reading ${o.topic}`, shown && o.topic !== undefined, "messages");
        const bar = progressBar("backtest", shown, o.events ? "bytes" : "messages");
        const onProgress = (done: number, total: number) => {
          reading.stop();
          bar.update(done, total);
        };
        const events = o.events
          ? { name: o.events, batches: readLineBatches(o.events, onProgress) }
          : // a wrong address is said in seconds, not after the client's minutes of retries
            {
              name: `topic ${o.topic}`,
              batches: readTopicRange(await reachableKafka(brokers!, "moneytrail-backtest", createLogger("warn")), o.topic!, onProgress, {
                from: offset(from),
                to: offset(to),
                reading: (done, total) => reading.update(done, total),
                skips: decisions?.skips ?? { without: "give the service's database (--database-url or DATABASE_URL) to skip it here too" },
              }),
            };
        const result = await backtest({ events, from, to, reportFrom, baseline, candidate, indicators, candidateIndicators, truth, sweep, maxAheadMs: o.maxAheadMs, maxMessageBytes: o.maxMessageBytes }).finally(async () => {
          reading.stop();
          bar.stop();
          await decisions?.close();
        });
        process.stdout.write(backtestTables(result));
        writeBacktestReports(result, o);
        // without the sets, the rules that match them can only miss: say so beside the recall they lower
        if (!o.indicators) {
          const matching = new Set([baseline, candidate].flatMap((s) => s.ruleSet.byEvent["indicators-changed"].map((r) => r.id)));
          if (matching.size)
            process.stderr.write(
              `note: no indicator sets given (--indicators): ${[...matching].sort().join(", ")} matched no listed site, identifier or keyword in either run; give --indicators with the sets in force to backtest them too\n`,
            );
        }
      } catch (err) {
        if (err instanceof ConfigError) throw new ConfigError(err.file, err.issues, whatToDo(err, "the backtest"));
        throw err instanceof BacktestError ? new UsageError(err.message) : err;
      }
    },
  );

const rules = program.command("rules").description("rule sets");
rules
  .command("validate")
  .description("check a rule-set directory; every bad file is refused in one run, each with the file, line, path and reason")
  .argument("[dir]", `rule-set directory (default: MT_RULES, the directory \`run\` reads, or when it is not set ${DEFAULT_RULES})`)
  .action((given: string | undefined) => {
    // what `run` would read: a hand edit in the service's directory is what a tuner checks
    const dir = given ?? (process.env.MT_RULES || DEFAULT_RULES);
    let rs: RuleSet;
    try {
      rs = loadRuleSet(dir);
    } catch (err) {
      // validating changes nothing, and is what is run again
      throw err instanceof ConfigError ? new ConfigError(err.file, err.issues, "Fix what is said above and validate again.") : err;
    }
    process.stdout.write(`${dir}: valid rule set "${rs.id}" version ${rs.version}\n`);
    // a file renamed by mistake (sites.YAML, sites.yml.txt) would leave its rules out of a set that still validates
    const unread = statSync(dir).isDirectory() ? readdirSync(dir).filter((f) => !f.startsWith(".") && !isRuleFileName(f)) : [];
    if (unread.length) process.stderr.write(`note: not read, as a rule file's name ends in .yaml or .yml: ${unread.sort().join(", ")}\n`);
    // an emptied file (> for >>) or a rule turned off leaves rules out of a set that validates, and the list below shows only what is in it
    if (rs.ruleless.length) process.stderr.write(`note: no rules in ${rs.ruleless.join(", ")}: an empty file is allowed, but any rules it should hold are not in this set\n`);
    if (rs.disabled.length) process.stderr.write(`note: disabled (enabled: false), so not in this set: ${rs.disabled.join(", ")}\n`);
    for (const d of rs.doubts) process.stderr.write(`note: ${doubtText(d)}\n`);
    // a rule meant to be tried in shadow that went in live (its mode forgotten) would alert: each line says which;
    // a context rule is marked, as it scores differently from the rest
    const context = rs.settings.scoring.contextRules ?? [];
    for (const r of rs.rules)
      process.stdout.write(
        `  ${r.id.padEnd(28)} ${r.kind.kind.padEnd(22)} ${r.mode.padEnd(6)} weight ${String(r.weight).padStart(3)}  ${r.typology}${context.includes(r.id) ? "  context" : ""}\n`,
      );
    // an id no file defines is refused (loadRuleSet), but one of a rule turned off is taken: it counts again when turned on
    const named = new Set(rs.rules.map((r) => r.id));
    const off = context.filter((id) => rs.disabled.includes(id));
    if (context.length)
      process.stdout.write(
        `context rules (scoring.contextRules): ${context.filter((id) => named.has(id)).join(", ") || "none in this set"}; each adds to other evidence, but they do not add up among themselves: a merchant with context signals alone scores as its strongest one alone` +
          `${off.length ? `; also named, turned off (enabled: false): ${off.join(", ")}` : ""}\n`,
      );
  });

rules
  .command("export")
  .description("write a version of the rule-set history (the Rules page's version history) into a new directory, to backtest or compare it; only reads the service's database")
  .argument("<version>", "the version as the page or a backtest report shows it (sha256: and 12 hex digits), or whole")
  .argument("<dir>", "a new or empty directory")
  .option("--database-url <url>", "the service's PostgreSQL (env DATABASE_URL)")
  .action(async (given: string, dir: string, o: { databaseUrl?: string }) => {
    if (existsSync(dir) && (!statSync(dir).isDirectory() || readdirSync(dir).length))
      throw new UsageError(`${dir} is not empty: give a new directory (the version's files would replace what is there)`);
    const { client, where } = await readOnlyDb(o.databaseUrl);
    try {
      const v = await findVersion(client, given, where).catch((err: Error & { code?: string }) => {
        if (err.code === "42P01") throw new UsageError(`no rule-set history (mt_rule_versions) at ${where}: give the service's database (--database-url or DATABASE_URL)`);
        throw err;
      });
      if ("problem" in v) throw new UsageError(v.why);
      const files = (await versionFiles(client, v.version))!;
      mkdirSync(dir, { recursive: true });
      for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, basename(name)), text);
      process.stdout.write(
        `wrote version ${v.version} (${v.ruleSetId}, recorded by ${v.recordedBy} at ${when(v.recordedAt)}${v.note ? `: ${v.note}` : ""}) to ${dir}: ${Object.keys(files).sort().join(", ")}\n` +
          `backtest it: moneytrail backtest --events FILE|--topic TOPIC --baseline RULES_IN_FORCE --candidate ${dir} (or as --baseline, against a change)\n`,
      );
      // recorded by an earlier build, it may hold what this one refuses
      try {
        loadRuleSet(dir);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        process.stderr.write(`note: this version does not validate with this moneytrail (${err.message}): a backtest refuses it until it is fixed\n`);
      }
    } finally {
      await client.end();
    }
  });

/** The service's database as it is, for a command that only reads it: connected to, never migrated. */
async function readOnlyDb(flag: string | undefined): Promise<{ client: import("pg").Client; where: string }> {
  const url = flag ?? process.env.DATABASE_URL;
  if (!url) throw new UsageError("DATABASE_URL is not set: give the service's PostgreSQL URL (or --database-url)");
  const checked = RunConfig.shape.databaseUrl.safeParse(url);
  if (!checked.success) throw new UsageError(checked.error.issues[0]!.message);
  const where = databaseWhere(url);
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url });
  await client.connect().catch((err: Error) => {
    throw connectFailure(err, where, flag === undefined ? "DATABASE_URL" : "--database-url");
  });
  return { client, where };
}

const db = program.command("db").description("the service's PostgreSQL database (run on the server, as its operator)");
db.command("migrate")
  .description("create or update the tables; with --service-role, let that role run the service without owning them")
  .option("--database-url <url>", "PostgreSQL URL of the tables' owner (env DATABASE_URL)")
  .option("--service-role <role>", "the role `moneytrail run` connects as: it may read and write the tables but only append to the audit trail")
  .action(async (o: { databaseUrl?: string; serviceRole?: string }) => {
    await withServiceDb(o.databaseUrl, async (d) => {
      if (o.serviceRole) await grantServiceRole(d, o.serviceRole);
      // an older release's migrate (a rollback) said it had migrated to its own last version
      const ahead = await migratedAhead(d);
      const last = MIGRATIONS[MIGRATIONS.length - 1]!.version;
      process.stdout.write(
        `${ahead ? `nothing to migrate: ${ahead}` : d.migrationsApplied ? `migrated to version ${last} (${d.migrationsApplied} applied)` : `nothing to migrate: the database is at version ${last}, this release's last`}${o.serviceRole ? `; ${o.serviceRole} may run the service, and cannot change or remove audit rows` : ""}\n`,
      );
    });
  });

db.command("reset-positions")
  .description("after the events topic was deleted and recreated or the cluster replaced: start every partition of the topic again at the log's start (a running consumer refuses them until then)")
  .addOption(new Option("--keep-state", "keep the merchants' state: the new log holds only events not seen before (a topic recreated empty)").conflicts("forgetState"))
  .option("--forget-state", "forget it: the new log holds the old events again (a mirrored or restored cluster), which rebuild it")
  .option("--topic <topic>", "the events topic (env MT_EVENTS_TOPIC)")
  .option("--group-id <id>", "the consumer group (env MT_GROUP_ID)")
  .option("--database-url <url>", "PostgreSQL URL (env DATABASE_URL)")
  .action(async (o: { keepState?: boolean; forgetState?: boolean; topic?: string; groupId?: string; databaseUrl?: string }) => {
    if (!o.keepState && !o.forgetState)
      throw new UsageError(
        "give --keep-state if the new log holds only events not seen before (a topic recreated empty), or --forget-state if it holds the old events again (a mirrored or restored cluster)",
      );
    const topic = setting("eventsTopic", { name: "--topic", value: o.topic });
    const group = setting("groupId", { name: "--group-id", value: o.groupId });
    await withServiceDb(o.databaseUrl, async (d) => {
      const reset = await resetPositions(d, group, topic, Boolean(o.keepState));
      if (!reset.length) throw new UsageError(`group ${group} has no positions stored for topic ${topic}: check --group-id and --topic (MT_GROUP_ID, MT_EVENTS_TOPIC)`);
      process.stdout.write(
        `group ${group}, topic ${topic}: partitions ${reset.join(", ")} start again at the log's start, ${o.keepState ? "with the merchants' state kept" : "their merchants' state forgotten"}; running consumers take them within ${REFUSED_RECHECK_MS / 1000} s\n`,
      );
    });
  });

db.command("skip-batch")
  .description(
    "skip a record batch that cannot be read (over MT_MAX_BATCH_BYTES, or corrupt), at which `run` holds its partition: every consumer of the topic dead-letters its records (reason unreadable-batch; on the indicator topic, refuses them as sets) and goes on, now and after restarts",
  )
  .addOption(new Option("--partition <n>", "the partition held, as the hold's log line and /readyz name it").argParser(wholeNumberFlag(0, 2 ** 31 - 1)).makeOptionMandatory())
  .addOption(new Option("--offset <offset>", "the batch's first offset, as the hold names it").makeOptionMandatory())
  .addOption(new Option("--reason <text>", "why it is skipped (kept with the decision and in the audit trail)").makeOptionMandatory())
  .option("--topic <topic>", "the topic held, the events topic unless it is the indicator topic (env MT_EVENTS_TOPIC)")
  .option("--group-id <id>", "the consumer group whose position is checked (env MT_GROUP_ID)")
  .option("--database-url <url>", "PostgreSQL URL (env DATABASE_URL)")
  .action(async (o: { partition: number; offset: string; reason: string; topic?: string; groupId?: string; databaseUrl?: string }) => {
    if (!/^\d{1,19}$/.test(o.offset) || BigInt(o.offset) > 2n ** 63n - 1n) throw new UsageError(`--offset ${o.offset}: an offset is a whole number, as the hold names it (offset N of topic[partition])`);
    const reason = o.reason.trim();
    if (!reason) throw new UsageError("--reason is empty: say why the batch is skipped (it is kept with the decision and in the audit trail)");
    const topic = setting("eventsTopic", { name: "--topic", value: o.topic });
    const groupId = setting("groupId", { name: "--group-id", value: o.groupId });
    const at = `${topic}[${o.partition}] at offset ${o.offset}`;
    await withServiceDb(o.databaseUrl, async (d) => {
      const r = await skipBatch(d, { groupId, topic, partition: o.partition, offset: String(BigInt(o.offset)), reason, by: osUser() });
      if ("passed" in r)
        throw new UsageError(
          `group ${groupId} is past ${at} already (its position is ${r.passed}): nothing is held there, nothing recorded. Give the offset the hold names (its log line, /readyz's batches), and --group-id and --topic of the consumer held (MT_GROUP_ID, MT_EVENTS_TOPIC)`,
        );
      if ("already" in r) throw new UsageError(`the batch of ${at} was skipped already, by ${r.already.by} at ${r.already.at} (${r.already.reason}): nothing recorded`);
      process.stdout.write(
        `recorded: the record batch of ${at} is skipped by every consumer of ${topic} that meets it, now and after restarts; its records are dead-lettered (reason unreadable-batch; on the indicator topic, refused as sets). A consumer held at it takes this within ${HOLD_RECHECK_MS / 1000} s; a batch at another offset is not affected\n`,
      );
    });
  });

/** Who runs a console command, for what it records: the OS user (a container's may have no name, only a uid). */
function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? "unknown"}`;
  }
}

program
  .command("webhooks")
  .description("case webhooks (run on the server, as its operator)")
  .command("retry")
  .description("requeue given-up deliveries (all, or the ids given), once the receiver is fixed; the running service sends them")
  .argument("[ids...]", "delivery ids, as the give-up log line names them")
  .option("--database-url <url>", "PostgreSQL URL (env DATABASE_URL)")
  .action(async (ids: string[], o: { databaseUrl?: string }) => {
    const bad = ids.find((id) => !/^\d+$/.test(id));
    if (bad !== undefined) throw new UsageError(`${bad}: a delivery id is a whole number, as the log line names it`);
    await withServiceDb(o.databaseUrl, async (d) => {
      const requeued = await requeueFailed(d, ids);
      if (requeued.length || !ids.length) process.stdout.write(requeued.length ? `requeued ${requeued.length}: ${requeued.join(", ")}\n` : "nothing to requeue: no given-up delivery\n");
      const missing = ids.filter((id) => !requeued.includes(String(BigInt(id))));
      if (missing.length)
        throw new UsageError(
          `no given-up delivery has the id${missing.length > 1 ? "s" : ""} ${missing.join(", ")}: check ${missing.length > 1 ? "them" : "it"} against the give-up log line (a delivery that was sent, or is still being tried, is not requeued)`,
        );
    });
  });

/** Runs a command an operator runs on the server with the service's database, migrated, and closes it after. */
async function withServiceDb(flag: string | undefined, use: (db: Db & { migrationsApplied: number }) => Promise<void>): Promise<void> {
  const url = flag ?? process.env.DATABASE_URL;
  if (!url) throw new UsageError("DATABASE_URL is not set: give the service's PostgreSQL URL (or --database-url)");
  // checked as `run` checks it: pg's own refusal is a stack trace
  const checked = RunConfig.shape.databaseUrl.safeParse(url);
  if (!checked.success) throw new UsageError(checked.error.issues[0]!.message);
  const db = await serverDb(url, 1);
  try {
    await use(db);
  } finally {
    await db.close();
  }
}

const users = program.command("users").description("people who use the reviewers' page and API (run on the server, as its operator)");
users
  .command("add")
  .description("add a user; prints a one-time password")
  .argument("<username>")
  // a choice, so that a misspelt role is refused before connecting, naming the flag and the roles
  .addOption(
    new Option("--role <role>", `what the user may do: ${ROLES.map((r) => `${r}: ${ROLE_SCOPE[r]}`).join("; ")}`)
      .choices(ROLES)
      .makeOptionMandatory(),
  )
  .option("--database-url <url>", "PostgreSQL URL (env DATABASE_URL)")
  .action(async (username: string, o: { role: string; databaseUrl?: string }) => {
    // the password's cost refused before connecting, as `run` refuses it before starting
    const settings = authSettings(process.env);
    await withServiceDb(o.databaseUrl, async (db) => {
      const u = await new Auth(db, settings).addUser(CONSOLE, { username, role: o.role });
      process.stdout.write(`added ${u.username} (${u.role}); one-time password: ${u.password}\n`);
    });
  });
users
  .command("token")
  .description("create an API token for a user; printed once, with when it expires")
  .argument("<username>")
  .option("--label <label>", "what the token is for", "api")
  .option("--days <n>", "how long it lasts, at most 365 (env MT_TOKEN_DAYS, default 90)", wholeNumberFlag(1, 365))
  .option("--database-url <url>", "PostgreSQL URL (env DATABASE_URL)")
  .action(async (username: string, o: { label: string; days?: number; databaseUrl?: string }) => {
    await withServiceDb(o.databaseUrl, async (db) => {
      const t = await new Auth(db).createToken(CONSOLE, username, o.label, o.days);
      process.stdout.write(`token ${t.id} for ${username}, expires ${t.expiresAt} (in ${t.days} days; send as Authorization: Bearer ...):\n${t.token}\n`);
    });
  });
users
  .command("list")
  .description("who can sign in: each user's role, whether disabled, and their live API tokens (id, label, expiry)")
  .option("--database-url <url>", "PostgreSQL URL (env DATABASE_URL)")
  .action(async (o: { databaseUrl?: string }) => {
    await withServiceDb(o.databaseUrl, async (db) => {
      const rows = (await new Auth(db).users()).map((u) => [
        u.username,
        u.role,
        u.disabled ? "yes" : "no",
        u.liveTokens.map((t) => `${t.id} (${t.label}) until ${t.expiresAt}`).join(", ") || "-",
      ]);
      const all = [["user", "role", "disabled", "live API tokens"], ...rows];
      const widths = all[0]!.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
      process.stdout.write(all.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]! + 2))).join("")).join("\n") + "\n");
    });
  });
for (const [name, disabled] of [
  ["disable", true],
  ["enable", false],
] as const)
  users
    .command(name)
    .description(
      disabled
        ? "withdraw a user's access (someone who left): ends their sessions and revokes their API tokens at once"
        : "give a disabled user their access back: they sign in with their password; earlier API tokens stay revoked",
    )
    .argument("<username>")
    .option("--database-url <url>", "PostgreSQL URL (env DATABASE_URL)")
    .action(async (username: string, o: { databaseUrl?: string }) => {
      await withServiceDb(o.databaseUrl, async (db) => {
        const u = await new Auth(db).setDisabled(CONSOLE, username, { disabled });
        const held = heldCases(u);
        process.stdout.write(
          disabled
            ? `disabled ${u.username}: signed out everywhere, API tokens revoked${held ? `; ${held}` : ""}\n`
            : `enabled ${u.username}: they sign in with their password; earlier API tokens stay revoked\n`,
        );
      });
    });
users
  .command("revoke-token")
  .description("revoke one API token (leaked, or its script retired) by its id, as users list shows it; it stops at once")
  .argument("<id>", "the token's id: 12 hex digits")
  .option("--database-url <url>", "PostgreSQL URL (env DATABASE_URL)")
  .action(async (id: string, o: { databaseUrl?: string }) => {
    await withServiceDb(o.databaseUrl, async (db) => {
      const t = await new Auth(db).revokeToken(CONSOLE, id);
      process.stdout.write(`revoked API token ${t.id} of ${t.username}\n`);
    });
  });
users
  .command("reset-password")
  .description("give a user a new one-time password (a leaked or forgotten one): ends their sessions and revokes their API tokens")
  .argument("<username>")
  .option("--database-url <url>", "PostgreSQL URL (env DATABASE_URL)")
  .action(async (username: string, o: { databaseUrl?: string }) => {
    const settings = authSettings(process.env);
    await withServiceDb(o.databaseUrl, async (db) => {
      const r = await new Auth(db, settings).resetPassword(CONSOLE, username);
      process.stdout.write(
        `reset the password of ${r.username} (${r.role}): ${r.sessionsEnded} sessions ended, ${r.tokensRevoked} API tokens revoked (new ones: moneytrail users token ${r.username}); one-time password: ${r.password}\n`,
      );
    });
  });

indicatorCommands(program);

/**
 * commander checks required options before unknown ones, so a misspelt one (`--event` for `--events`) was reported
 * as a required option missing: they are checked just before the action instead, after the unknown ones.
 */
function requireAfterUnknown(cmd: Command): void {
  for (const sub of cmd.commands) requireAfterUnknown(sub);
  const required = cmd.options.filter((o) => o.mandatory);
  if (!required.length) return;
  for (const o of required) o.makeOptionMandatory(false);
  cmd.hook("preAction", () => {
    const missing = required.find((o) => cmd.getOptionValue(o.attributeName()) === undefined);
    if (missing) cmd.error(`error: required option '${missing.flags}' not specified`, { code: "commander.missingMandatoryOptionValue" });
  });
}
requireAfterUnknown(program);

program.parseAsync().catch((err: unknown) => {
  const file = fileProblem(err);
  if (err instanceof CommanderError) {
    // commander has said what was wrong (or shown the help asked for, exit code 0)
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else if (err instanceof ConfigError) {
    process.stderr.write(`refused: ${err.message}\n${whatToDo(err)}\n`);
    process.exitCode = 2;
  } else if (err instanceof UsageError || err instanceof AuthError || err instanceof UnreachableError) {
    process.stderr.write(`error: ${err.message}\n`);
    // 1: the command was right, a service it needs was not there
    process.exitCode = err instanceof UnreachableError ? 1 : 2;
  } else if (err instanceof ZodError) {
    process.stderr.write(`error: ${err.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}\n`);
    process.exitCode = 2;
  } else if (file) {
    process.stderr.write(`error: ${file}\n`);
    process.exitCode = 2;
  } else {
    // a fault of moneytrail's: the stack is for its maintainers, masked as a log line would be (a driver's error may quote a value)
    process.stderr.write(`error: ${redact(err instanceof Error ? (err.stack ?? err.message) : String(err)) as string}\n`);
    process.exitCode = 1;
  }
});
