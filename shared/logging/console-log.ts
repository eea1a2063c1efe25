/**
 * Where a service's log lines go when it runs on its own (`bun region-proxy/main.ts`,
 * `bun control-plane/main.ts`): stdout, as text (`[proxy eu] snapshot version 3 loaded`) or, with
 * LOG_FORMAT=json, one JSON object per line for a log pipeline
 * (`{"time":"2026-11-26T18:00:00.000Z","service":"proxy","region":"eu","message":"snapshot version 3 loaded"}`).
 *
 * @example const log = consoleLog("json", { service: "proxy", region: "eu" }, "[proxy eu] ");
 */
export type LogFormat = "text" | "json";

export function consoleLog(format: LogFormat, fields: Record<string, string>, textPrefix = ""): (line: string) => void {
  if (format === "text") return (line) => console.log(`${textPrefix}${line}`);
  return (line) => console.log(JSON.stringify({ time: new Date().toISOString(), ...fields, message: line }));
}

/** LOG_FORMAT: "text" (default) or "json"; anything else is a configuration error. */
export function logFormatFromEnv(value: string | undefined): LogFormat | { error: string } {
  if (value === undefined || value === "" || value === "text") return "text";
  if (value === "json") return "json";
  return { error: `LOG_FORMAT must be text or json (got "${value}")` };
}

/**
 * A service's refusal to start, on stderr: the text as it is, or with LOG_FORMAT=json one JSON object
 * (its message may hold line breaks, escaped), as the service's log lines are. The format is read from
 * the raw variable, since the configuration that would say it may be what was refused (an unusable
 * LOG_FORMAT: text).
 *
 * @example consoleRefusal(process.env.LOG_FORMAT, { service: "control-plane" }, "control plane: PORT: must be an integer")
 */
export function consoleRefusal(rawLogFormat: string | undefined, fields: Record<string, string>, text: string): void {
  if (logFormatFromEnv(rawLogFormat) !== "json") return console.error(text);
  console.error(JSON.stringify({ time: new Date().toISOString(), ...fields, message: text }));
}
