/** Who an audit row is attributed to. */
export interface AuditActor {
  id: string;
  /** The client address of the request, when known. */
  clientAddress: string | null;
}
