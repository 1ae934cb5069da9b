/** A log destination that keeps every line the service writes, for tests that read its logs. */
export class Capture {
  text = "";
  write(line: string): void {
    this.text += line;
  }

  /** The lines written so far, parsed. */
  lines(): Array<Record<string, unknown>> {
    return this.text
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}
