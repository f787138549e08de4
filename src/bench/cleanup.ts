// What a benchmark started (brokers, processes, schemas) is stopped in reverse order when it ends or is
// interrupted: each step at most `timeoutMs`, a failure reported and passed over so the rest still runs.
export class Cleanups {
  private readonly steps: { name: string; fn: () => Promise<unknown> }[] = [];
  private running?: Promise<void>;

  constructor(
    private readonly say: (line: string) => void,
    private readonly timeoutMs: number,
  ) {}

  /** On SIGINT or SIGTERM: tell the caller, stop everything started, exit 130 or 143. */
  onSignals(interrupted: () => void = () => undefined): void {
    for (const sig of ["SIGINT", "SIGTERM"] as const)
      process.once(sig, () => {
        interrupted();
        this.say(`${sig}: stopping everything started`);
        void this.run().finally(() => process.exit(sig === "SIGINT" ? 130 : 143));
      });
  }

  defer(name: string, fn: () => Promise<unknown>): void {
    this.steps.push({ name, fn });
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      for (const { name, fn } of this.steps.reverse()) {
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([fn(), new Promise((_, rej) => (timer = setTimeout(() => rej(new Error(`timed out after ${this.timeoutMs / 1000} s`)), this.timeoutMs)))]);
        } catch (err) {
          this.say(`clean-up "${name}" failed: ${(err as Error).message}`);
        } finally {
          clearTimeout(timer);
        }
      }
      this.steps.length = 0;
    })();
    return this.running;
  }
}
