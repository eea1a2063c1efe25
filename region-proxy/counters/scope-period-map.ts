/**
 * Values by budget level, scope then period, found with the two strings a budget check holds: no
 * `scope|period` key is built per lookup (the request path asks several times per budgeted request).
 * The in-process ledger keeps its levels here, the lease client its leases.
 *
 * @example const leases = new ScopePeriodMap<Lease>(); leases.set("ten:t1", "day:2026-11-28", lease); leases.get("ten:t1", "day:2026-11-28")
 */
export class ScopePeriodMap<V> {
  private readonly byScope = new Map<string, Map<string, V>>();
  /** How many values are held, over every scope. */
  size = 0;

  get(scope: string, period: string): V | undefined {
    return this.byScope.get(scope)?.get(period);
  }

  set(scope: string, period: string, value: V): void {
    let periods = this.byScope.get(scope);
    if (!periods) this.byScope.set(scope, (periods = new Map()));
    const before = periods.size;
    periods.set(period, value);
    this.size += periods.size - before;
  }

  delete(scope: string, period: string): void {
    const periods = this.byScope.get(scope);
    if (!periods?.delete(period)) return;
    this.size--;
    if (periods.size === 0) this.byScope.delete(scope);
  }

  /** Every value with its scope and period; deleting the one at hand while iterating is safe. */
  *entries(): Generator<[scope: string, period: string, value: V]> {
    for (const [scope, periods] of this.byScope) for (const [period, value] of periods) yield [scope, period, value];
  }
}
