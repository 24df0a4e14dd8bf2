import { APP_BUDGETS, NETWORK_PROFILES } from '@offload/latency';

export interface BudgetChoice {
  app: string;
  network: string;
}

/** The little of Web Storage the store uses; tests pass a Map-backed fake. */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export const DEFAULT_BUDGET: BudgetChoice = { app: 'cloud-phone', network: 'wired' };
const KEY = 'offload.latencyBudget';

/** localStorage if this page may use it (it throws in some sandboxed iframes and private modes). */
export function browserStorage(): KeyValueStorage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

/** The saved choice, each id checked against the known profiles (defaults otherwise). */
export function loadBudgetChoice(storage: KeyValueStorage | null): BudgetChoice {
  try {
    const raw = storage?.getItem(KEY);
    const saved = raw ? (JSON.parse(raw) as Partial<BudgetChoice>) : {};
    return {
      app: typeof saved.app === 'string' && saved.app in APP_BUDGETS ? saved.app : DEFAULT_BUDGET.app,
      network:
        typeof saved.network === 'string' && saved.network in NETWORK_PROFILES
          ? saved.network
          : DEFAULT_BUDGET.network,
    };
  } catch {
    return DEFAULT_BUDGET;
  }
}

export function saveBudgetChoice(storage: KeyValueStorage | null, choice: BudgetChoice): void {
  try {
    storage?.setItem(KEY, JSON.stringify(choice));
  } catch {
    // Quota or privacy mode: the choice just does not survive a reload.
  }
}
