// How every Kafka client of moneytrail's connects to a bank's cluster: TLS (a private CA, a client certificate) and
// SASL (PLAIN, SCRAM), from the environment, validated with zod like the rest of the configuration. Read by each
// client made (run, produce, backtest --topic, indicators publish, db reset-positions), so every command connects
// as run does.
import { readFileSync } from "node:fs";
import { createSecureContext } from "node:tls";
import type { KafkaConfig, SASLOptions } from "kafkajs";
import { z } from "zod";
import { UsageError } from "../lib/errors.js";

/**
 * A PEM file, read. Node takes a CA that is not PEM (DER, a Java truststore) without a word, and a certificate or key
 * that is not fails each connection: either way the start waited MT_KAFKA_START_WAIT_MS and said the brokers did not
 * answer. `wrong` says what is wrong with the text, if anything, and how to convert the file.
 */
const file = (what: string, wrong: (text: string, path: string) => string | undefined) =>
  z
    .string()
    .min(1)
    .transform((path, ctx) => {
      let text: string;
      try {
        text = readFileSync(path, "utf8");
      } catch (err) {
        ctx.addIssue({ code: "custom", message: `${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): give the path of ${what}` });
        return z.NEVER;
      }
      const why = wrong(text, path);
      if (why === undefined) return text;
      ctx.addIssue({ code: "custom", message: `${path} ${why}` });
      return z.NEVER;
    });

const CERTIFICATE = "-----BEGIN CERTIFICATE-----";
/** a certificate's file: one PEM certificate at least, else how to make one of a Java keystore's or a DER file */
const certificate = (of: string) => (text: string, path: string) =>
  text.includes(CERTIFICATE)
    ? undefined
    : `holds no PEM certificate (${CERTIFICATE}): convert it and give the PEM file: a DER certificate with openssl x509 -inform der -in ${path} -out ${of}.pem; a Java keystore (.jks, .p12) with keytool -exportcert -rfc -keystore ${path} -alias ALIAS -file ${of}.pem`;
const privateKey = (text: string, path: string) =>
  !/-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/.test(text)
    ? `holds no PEM private key (-----BEGIN PRIVATE KEY-----): convert it and give the PEM file: from a PKCS#12 keystore with openssl pkcs12 -in ${path} -nocerts -nodes -out key.pem; a DER key with openssl pkey -inform der -in ${path} -out key.pem`
    : /ENCRYPTED/.test(text)
      ? `is encrypted, and moneytrail takes no passphrase: decrypt it into a file only the service's user may read (openssl pkey -in ${path} -out key.pem) and give that file`
      : undefined;

const KafkaVariables = z.object({
  KAFKA_SSL: z.enum(["true", "false"], { error: "true or false" }).optional(),
  KAFKA_SSL_CA_FILE: file("the PEM file of the CA that signed the brokers' certificates", certificate("ca")).optional(),
  KAFKA_SSL_CERT_FILE: file("this client's PEM certificate (with KAFKA_SSL_KEY_FILE)", certificate("cert")).optional(),
  KAFKA_SSL_KEY_FILE: file("this client's PEM private key (with KAFKA_SSL_CERT_FILE)", privateKey).optional(),
  // as Kafka's own clients and brokers write them too (sasl.mechanism=SCRAM-SHA-512)
  KAFKA_SASL_MECHANISM: z
    .string()
    .transform((m) => m.toLowerCase())
    .pipe(z.enum(["plain", "scram-sha-256", "scram-sha-512"], { error: "plain, scram-sha-256 or scram-sha-512" }))
    .optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
});
export const KAFKA_SECURITY_VARIABLES = Object.keys(KafkaVariables.shape);

const KafkaSecurity = KafkaVariables.superRefine((v, ctx) => {
  const need = (name: keyof typeof v, why: string) => v[name] === undefined && ctx.addIssue({ code: "custom", path: [name], message: `is not set: ${why}` });
  if (v.KAFKA_SSL_CERT_FILE !== undefined) need("KAFKA_SSL_KEY_FILE", "a client certificate goes with its private key");
  if (v.KAFKA_SSL_KEY_FILE !== undefined) need("KAFKA_SSL_CERT_FILE", "a client private key goes with its certificate");
  // a key that is not the certificate's failed each connection, as a broker that does not answer
  if (v.KAFKA_SSL_CERT_FILE !== undefined && v.KAFKA_SSL_KEY_FILE !== undefined)
    try {
      createSecureContext({ cert: v.KAFKA_SSL_CERT_FILE, key: v.KAFKA_SSL_KEY_FILE });
    } catch (err) {
      ctx.addIssue({ code: "custom", path: ["KAFKA_SSL_KEY_FILE"], message: `cannot be used with KAFKA_SSL_CERT_FILE's certificate (${(err as Error).message}): give the private key that certificate was issued for` });
    }
  if (v.KAFKA_SASL_MECHANISM !== undefined) {
    need("KAFKA_SASL_USERNAME", `SASL ${v.KAFKA_SASL_MECHANISM} signs in with a user name`);
    need("KAFKA_SASL_PASSWORD", `SASL ${v.KAFKA_SASL_MECHANISM} signs in with a password`);
  } else if (v.KAFKA_SASL_USERNAME !== undefined || v.KAFKA_SASL_PASSWORD !== undefined)
    need("KAFKA_SASL_MECHANISM", "give the mechanism the brokers take (plain, scram-sha-256 or scram-sha-512)");
  // a password sent over a listener without TLS travels in the clear (PLAIN) or is open to an offline guess (SCRAM)
  if (v.KAFKA_SASL_MECHANISM !== undefined && v.KAFKA_SSL === "false")
    ctx.addIssue({ code: "custom", path: ["KAFKA_SSL"], message: "is false while KAFKA_SASL_MECHANISM is set: SASL's password would cross the network without TLS; leave KAFKA_SSL unset or true" });
}).transform((v): Pick<KafkaConfig, "ssl" | "sasl"> => {
  const files = v.KAFKA_SSL_CA_FILE !== undefined || v.KAFKA_SSL_CERT_FILE !== undefined;
  const tls = v.KAFKA_SSL === "true" || files || (v.KAFKA_SSL === undefined && v.KAFKA_SASL_MECHANISM !== undefined);
  const ssl = !tls ? undefined : files ? { ca: v.KAFKA_SSL_CA_FILE, cert: v.KAFKA_SSL_CERT_FILE, key: v.KAFKA_SSL_KEY_FILE } : true;
  const user = { username: v.KAFKA_SASL_USERNAME!, password: v.KAFKA_SASL_PASSWORD! };
  const m = v.KAFKA_SASL_MECHANISM;
  const sasl: SASLOptions | undefined =
    m === undefined ? undefined : m === "plain" ? { mechanism: m, ...user } : m === "scram-sha-256" ? { mechanism: m, ...user } : { mechanism: m, ...user };
  return { ...(ssl && { ssl }), ...(sasl && { sasl }) };
});

/** What each setting read gave, by its variables' values: a process runs with one, a test with a few. */
const read = new Map<string, Pick<KafkaConfig, "ssl" | "sasl">>();

/**
 * The TLS and SASL options of a Kafka client, from the environment (none: plaintext, as a broker on a test machine);
 * a bad value is refused naming the variable and what it takes, never repeating a password.
 */
export function kafkaSecurity(env: NodeJS.ProcessEnv = process.env): Pick<KafkaConfig, "ssl" | "sasl"> {
  const set = Object.fromEntries(KAFKA_SECURITY_VARIABLES.filter((k) => env[k]).map((k) => [k, env[k]]));
  // asked at start-up and again for each Kafka client made (the brokers' probe, the client): the PEM files are read
  // once for each setting (another path is another setting); a refusal is not kept, so a file put in place is read next time
  const key = JSON.stringify(set);
  const known = read.get(key);
  if (known) return known;
  const r = KafkaSecurity.safeParse(set);
  if (!r.success) throw new UsageError(r.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`).join("; "));
  read.set(key, r.data);
  return r.data;
}
