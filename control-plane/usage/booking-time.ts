/**
 * The time the ledger books an event at. An event's time is its proxy's clock: one running ahead would
 * book usage in a period not yet begun, out of reach of today's budget and spend (parseEventTime takes any
 * year up to 9999). An event dated more than MAX_FUTURE_SKEW_MS after the control plane received it is
 * booked when it was received, and the proxy's time is kept beside it (usage_events.proxy_time). An event
 * dated in the past keeps its time: a proxy delivering late (after an outage) spent it then.
 */
export const MAX_FUTURE_SKEW_MS = 5 * 60_000;

/** Where an event is booked (`time`) and the proxy's own time when that is not it (`proxyTime`, else null). */
export function bookingTime(eventTime: string, receivedAt: Date): { time: Date; proxyTime: Date | null } {
  const sent = new Date(eventTime);
  return sent.getTime() > receivedAt.getTime() + MAX_FUTURE_SKEW_MS ? { time: receivedAt, proxyTime: sent } : { time: sent, proxyTime: null };
}
