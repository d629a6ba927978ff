/**
 * A Python child process that benchmarks talk to in JSON lines: it prints one line first (its versions), then
 * answers each request line written to its stdin with one line.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export class PythonLines {
  private readonly lines: AsyncIterator<string>;
  private constructor(private readonly child: ReturnType<typeof spawn>) {
    this.lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  }

  /** Starts `python -c script` and reads its first line as JSON. */
  static async start<First>(python: string, script: string): Promise<{ child: PythonLines; first: First }> {
    const child = new PythonLines(spawn(python, ['-c', script], { stdio: ['pipe', 'pipe', 'inherit'] }));
    return { child, first: JSON.parse(await child.next()) as First };
  }

  /** Writes `request` as one JSON line and parses the line that answers it. */
  async request<Answer>(request: unknown): Promise<Answer> {
    this.child.stdin!.write(`${JSON.stringify(request)}\n`);
    return JSON.parse(await this.next()) as Answer;
  }

  stop(): void {
    this.child.stdin!.end();
  }

  private async next(): Promise<string> {
    const { value, done } = await this.lines.next();
    if (done) throw new Error('the Python process exited');
    return value;
  }
}
