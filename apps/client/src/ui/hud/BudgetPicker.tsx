import { APP_BUDGETS, NETWORK_PROFILES } from '@offload/latency';
import { useOffload } from '../OffloadContext';

/** App budget × network profile selectors (the choice is persisted by the store). */
export function BudgetPicker() {
  const choice = useOffload((s) => s.latency.choice);
  const setChoice = useOffload((s) => s.setBudgetChoice);
  return (
    <div className="hud-pickers">
      <label>
        App
        <select
          data-testid="hud-budget-app"
          value={choice.app}
          onChange={(e) => setChoice({ app: e.target.value })}
        >
          {Object.values(APP_BUDGETS).map((a) => (
            <option key={a.id} value={a.id} title={a.source}>
              {a.name} ({a.totalMs} ms)
            </option>
          ))}
        </select>
      </label>
      <label>
        Network
        <select
          data-testid="hud-budget-network"
          value={choice.network}
          onChange={(e) => setChoice({ network: e.target.value })}
        >
          {Object.values(NETWORK_PROFILES).map((n) => (
            <option key={n.id} value={n.id} title={n.source}>
              {n.name}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
