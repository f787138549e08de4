// Schema migrations, applied in order under an advisory lock so concurrent processes do not race.
import type pg from "pg";

export const MIGRATIONS: { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: "state, positions, outbox, alerts and cases",
    sql: `
      -- one row per consumed partition: who owns it (epoch fences a consumer that lost it), how far its outputs
      -- are done (next_offset) and as of which offset its merchant state was checkpointed (state_offset)
      CREATE TABLE mt_partitions (
        group_id text NOT NULL, topic text NOT NULL, partition int NOT NULL,
        epoch bigint NOT NULL DEFAULT 0, owner text, claimed_at timestamptz,
        next_offset bigint, state_offset bigint, outbox_seq bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (group_id, topic, partition));
      CREATE TABLE mt_merchant_state (
        group_id text NOT NULL, merchant_id text NOT NULL, topic text NOT NULL, partition int NOT NULL,
        -- json, not jsonb: written on every batch, read only on a claim; no binary conversion on the hot path
        state json NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (group_id, merchant_id));
      CREATE INDEX mt_merchant_state_partition ON mt_merchant_state (group_id, topic, partition);
      -- messages to publish (alerts, dead letters), written in the batch's transaction, removed once published
      CREATE TABLE mt_outbox (
        group_id text NOT NULL, topic text NOT NULL, partition int NOT NULL, seq bigint NOT NULL,
        dest text NOT NULL, key bytea, value bytea NOT NULL, headers jsonb NOT NULL DEFAULT '{}',
        PRIMARY KEY (group_id, topic, partition, seq));
      CREATE TABLE mt_alerts (
        alert_id text PRIMARY KEY, merchant_id text NOT NULL, raised_at timestamptz NOT NULL,
        score int NOT NULL, severity text NOT NULL, rule_set_version text NOT NULL, alert jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now());
      CREATE INDEX mt_alerts_merchant ON mt_alerts (merchant_id, raised_at);
      CREATE TABLE mt_cases (
        case_id bigserial PRIMARY KEY, merchant_id text NOT NULL,
        status text NOT NULL DEFAULT 'open', score int NOT NULL, severity text NOT NULL,
        typologies text[] NOT NULL, acquirer_id text,
        opened_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, last_alert_id text NOT NULL);
      -- one open case per merchant; a closed case stays as it was and a new alert opens a new one
      CREATE UNIQUE INDEX mt_cases_one_open ON mt_cases (merchant_id) WHERE status NOT IN ('reported', 'dismissed');
      CREATE TABLE mt_case_alerts (
        case_id bigint NOT NULL REFERENCES mt_cases, alert_id text NOT NULL REFERENCES mt_alerts,
        PRIMARY KEY (case_id, alert_id));
    `,
  },
];

export async function migrate(client: pg.PoolClient | pg.Client): Promise<number> {
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock(7482019)");
    await client.query(
      "CREATE TABLE IF NOT EXISTS mt_schema_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
    );
    const { rows } = await client.query<{ version: number }>("SELECT version FROM mt_schema_migrations");
    const done = new Set(rows.map((r) => r.version));
    let applied = 0;
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      await client.query(m.sql);
      await client.query("INSERT INTO mt_schema_migrations (version, name) VALUES ($1, $2)", [m.version, m.name]);
      applied++;
    }
    await client.query("COMMIT");
    return applied;
  } catch (err) {
    await client.query("ROLLBACK");
    throw err;
  }
}
