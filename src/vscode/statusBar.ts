import * as vscode from 'vscode';
import type { Fleet } from '../core/fleet';
import { formatUsd } from '../core/cost/cost';
import { nextLocalMidnight, spentToday, type DaySpend } from '../core/spend';

/** Today's spend by the live instances (see core/spend.ts for what counts). */
export function fleetSpentToday(fleet: Fleet, now: () => number = Date.now): DaySpend {
  return spentToday(fleet.list().map((i) => fleet.get(i.name).transcript), now);
}

/** Busy instances and today's spend; a click lists the instances. Updated on status changes and turn ends only. */
export function registerStatusBar(fleet: Fleet): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('llmFleet.status', vscode.StatusBarAlignment.Left, 50);
  item.name = 'LLM Fleet';
  item.command = 'llmFleet.pickInstance';
  let midnight: NodeJS.Timeout | undefined;
  const update = () => {
    const all = fleet.list();
    const busy = all.filter((i) => i.status === 'busy').length;
    const errors = all.filter((i) => i.status === 'error').length;
    const today = fleetSpentToday(fleet);
    const spent = formatUsd(today.usd) + (today.unpriced ? '+' : '');
    item.text = `${busy ? '$(loading~spin)' : '$(hubot)'} ${busy ? `${busy} busy · ` : ''}${spent} today`;
    item.tooltip = `LLM Fleet: ${all.length} instance(s), ${busy} busy, ${errors} with errors.\nSpent today by live instances: ${spent}${today.unpriced ? ` (${today.unpriced} unpriced answer(s) not counted)` : ''}.`;
    item.backgroundColor = errors > 0 ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    item.show();
    // An idle window sees no events overnight; without this, yesterday's spend would read as today's until the next turn.
    clearTimeout(midnight);
    midnight = setTimeout(update, nextLocalMidnight(Date.now()) - Date.now() + 1000);
  };
  update();
  return vscode.Disposable.from(
    item,
    new vscode.Disposable(() => clearTimeout(midnight)),
    fleet.onDidChangeStatus(update),
    fleet.onDidCompleteTurn(update),
    fleet.onDidSpawn(update),
    fleet.onDidKill(update),
  );
}
