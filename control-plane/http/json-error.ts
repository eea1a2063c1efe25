/** The internal endpoints' error body: `{ "error": { "message", "code" } }`, never a stack. */
export function jsonError(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return Response.json({ error: { message, code } }, { status, headers });
}
