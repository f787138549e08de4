/**
 * A wide early warning, as YAML to append to a rules file's list: 0.3% with one event, any MCC. On the committed
 * sample it hits 7 merchants, 5 of them negatives, so a backtest shows it clearly.
 */
export const wideEarlyWarning = (id: string, mode: "live" | "shadow") => `
  - id: ${id}
    kind: chargeback-ratio
    mode: ${mode}
    weight: 60
    typology: excessive-disputes
    params:
      measure: window
      levels:
        - { name: "wide", ratio: 0.003, minCount: 1 }
`;
