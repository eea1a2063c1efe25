import { describeBudgetLedger } from "./budget-ledger.suite.ts";
import { createMemoryBudgetLedger } from "./memory-budget-ledger.ts";

describeBudgetLedger("in-process", {
  async pair(options) {
    const ledger = createMemoryBudgetLedger(options);
    return [ledger, ledger];
  },
});
