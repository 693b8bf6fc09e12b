import * as vscode from 'vscode';
import type { Ledger } from '../core/cost/ledger';
import type { Fleet } from '../core/fleet';
import { errorMessage } from '../core/errors';
import { nextLocalMidnight } from '../core/spend';
import { spendStatus } from './dashboard/spendStatus';

/**
 * Two items: the fleet (busy instances; a click lists them) and today's spend from the usage ledger, against the
 * daily cap when one is set (a click opens the usage dashboard). The ledger counts every instance, killed ones and
 * other windows' too, which is what a daily cap is checked against. The fleet item follows status changes; the
 * spend changes only when a turn ends (its ledger record is written by then), at midnight, or when a cap does.
 */
export function registerStatusBar(fleet: Fleet, ledger: Ledger, caps: () => { readonly dailyUsd?: number }): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('llmFleet.status', vscode.StatusBarAlignment.Left, 50);
  item.name = 'LLM Fleet';
  item.command = 'llmFleet.pickInstance';
  const spend = vscode.window.createStatusBarItem('llmFleet.spend', vscode.StatusBarAlignment.Left, 49);
  spend.name = 'LLM Fleet Spend';
  spend.command = 'llmFleet.showDashboard';
  let midnight: NodeJS.Timeout | undefined;
  let generation = 0;
  const updateSpend = async () => {
    const gen = ++generation;
    try {
      const today = await ledger.query({ period: 'day' });
      if (gen !== generation) return; // a later update overtook this one
      const s = spendStatus(today.total, caps().dailyUsd);
      spend.text = `$(graph-line) ${s.text}`;
      spend.tooltip = s.tooltip;
      spend.backgroundColor = s.level === 'over' ? new vscode.ThemeColor('statusBarItem.errorBackground') : s.level === 'near' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    } catch (e) {
      spend.text = '$(graph-line) spend unknown';
      spend.tooltip = `LLM Fleet: the usage ledger could not be read: ${errorMessage(e)}`;
    }
    spend.show();
  };
  const update = () => {
    const all = fleet.list();
    const busy = all.filter((i) => i.status === 'busy').length;
    const errors = all.filter((i) => i.status === 'error').length;
    item.text = busy ? `$(loading~spin) ${busy} busy` : '$(hubot) LLM Fleet';
    item.tooltip = `LLM Fleet: ${all.length} instance(s), ${busy} busy, ${errors} with errors. Click to pick one.`;
    item.backgroundColor = errors > 0 ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    item.show();
  };
  // An idle window sees no events overnight; without this, yesterday's spend would read as today's until the next turn.
  const atMidnight = () => {
    midnight = setTimeout(() => {
      void updateSpend();
      atMidnight();
    }, nextLocalMidnight(Date.now()) - Date.now() + 1000);
  };
  update();
  void updateSpend();
  atMidnight();
  return vscode.Disposable.from(
    item,
    spend,
    new vscode.Disposable(() => clearTimeout(midnight)),
    fleet.onDidChangeStatus(update),
    fleet.onDidCompleteTurn(() => {
      update();
      void updateSpend();
    }),
    fleet.onDidSpawn(update),
    fleet.onDidKill(update),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('llmFleet.budget') && void updateSpend()),
  );
}
