import type { Dashboards } from '../dashboard/dashboardPanel';
import type { Command } from './command';

/** Usage Dashboard: opens (or reveals) the one dashboard. The status bar's spend item runs it too. */
export class ShowDashboardCommand implements Command {
  readonly id = 'llmFleet.showDashboard';
  constructor(private readonly dashboards: Dashboards) {}
  execute(): void {
    this.dashboards.show();
  }
}
