/**
 * The lines of a service's output that are not one JSON log object with `time`, `message` and the
 * given fields (LOG_FORMAT=json: README promises one object per line), each said with why.
 *
 * @example expect(notJsonLogLines("stderr", run.stderr, { service: "proxy", region: "eu" })).toEqual([])
 */
export function notJsonLogLines(label: string, text: string, fields: Record<string, string>): string[] {
  const bad: string[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    try {
      const record = JSON.parse(line) as Record<string, unknown> | null;
      const fits = typeof record === "object" && record !== null && typeof record.message === "string" && typeof record.time === "string" && Object.entries(fields).every(([k, v]) => record[k] === v);
      if (!fits) bad.push(`${label}: missing fields: ${line}`);
    } catch {
      bad.push(`${label}: not JSON: ${JSON.stringify(line)}`);
    }
  }
  return bad;
}
