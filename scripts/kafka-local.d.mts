// Types of scripts/kafka-local.mjs for the TypeScript tests (the script itself is plain JavaScript, no build).

export interface StartKafkaOptions {
  /** Broker port; default KAFKA_PORT or a free port. */
  port?: number;
  /** Controller port; default KAFKA_CONTROLLER_PORT or a free port. */
  controllerPort?: number;
  /** Apache Kafka version to resolve; default KAFKA_VERSION or the pom's (3.9.2). */
  version?: string;
  /** Name of the run directory .cache/kafka/run-<id>; default a fresh one. */
  id?: string;
  /** Keep data and logs in the run directory when stopped. */
  keep?: boolean;
  /** Let the broker outlive this process (the CLI's `start`); otherwise it is killed when this process exits. */
  detached?: boolean;
  /** Do not print the "up at" line on stderr. */
  quiet?: boolean;
  /**
   * A second listener with TLS and SASL SCRAM-SHA-256, as a bank's cluster has: `keystore` is a PEM file of the
   * broker's private key (PKCS#8, unencrypted) and certificate chain; `users` are added when the storage is formatted.
   */
  saslSsl?: { keystore: string; users: { name: string; password: string }[] };
}

export interface KafkaTimings {
  /** Time spent finding (or, when resolvedNow, downloading with mvn) the jars. */
  resolveMs: number;
  resolvedNow: boolean;
  /** From launching the broker JVM until a kafkajs admin described the cluster. */
  bootMs: number;
  totalMs: number;
}

export interface StopOptions {
  /** Wait this long after SIGTERM before SIGKILL; default 30000. */
  graceMs?: number;
  /** Keep the run directory (data and logs). */
  keep?: boolean;
}

export interface RestartOptions {
  /** "SIGTERM" (default): clean shutdown; "SIGKILL": a crash. */
  signal?: "SIGTERM" | "SIGKILL";
  /** Stay down this long before starting again. */
  downMs?: number;
  graceMs?: number;
}

export interface KafkaHandle {
  /** "127.0.0.1:PORT", for KAFKA_BROKERS / kafkajs `brokers`. */
  readonly brokers: string;
  /** The TLS + SASL SCRAM-SHA-256 listener's "127.0.0.1:PORT", when started with `saslSsl`. */
  readonly saslSslBrokers: string | undefined;
  readonly port: number;
  readonly controllerPort: number;
  /** Pid of the broker JVM (changes on restart). */
  readonly pid: number;
  readonly runDir: string;
  /** The broker's log4j log. */
  readonly logFile: string;
  readonly version: string;
  readonly timings: KafkaTimings;
  /** SIGTERM, wait, SIGKILL; deletes the run directory unless kept. Resolves to how it ended. */
  stop(opts?: StopOptions): Promise<string>;
  /** Stops and starts the same broker: same data, cluster id and ports. Resolves once it answers again. */
  restart(opts?: RestartOptions): Promise<{ ms: number }>;
}

export const REPO_ROOT: string;
export function startKafka(opts?: StartKafkaOptions): Promise<KafkaHandle>;
export function stopKafka(handle: KafkaHandle, opts?: StopOptions): Promise<string>;
export function restartKafka(handle: KafkaHandle, opts?: RestartOptions): Promise<{ ms: number }>;
export function resolveKafkaLibs(opts?: { version?: string }): Promise<{ libs: string; version: string; resolvedNow: boolean; ms: number }>;
export function randomClusterId(): string;
/** Runs a Java main class with the broker's jars on the classpath; `input` to its standard input. */
export function runJavaMain(mainClass: string, args?: string[], opts?: { input?: string | Buffer; timeoutMs?: number }): Promise<{ code: number | null; output: string }>;
export function freePort(): Promise<number>;
