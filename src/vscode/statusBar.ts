import * as vscode from 'vscode';
import type { Fleet } from '../core/fleet';
import { formatUsd } from '../core/cost/cost';

/** Dollars spent today by live instances, from their transcripts (so it survives a window reload). */
export function spentToday(fleet: Fleet, now = new Date()): { usd: number; unpriced: number } {
  const midnight = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  let usd = 0;
  let unpriced = 0;
  for (const info of fleet.list()) {
    for (const m of fleet.get(info.name).transcript) {
      if (m.role !== 'assistant' || m.inherited || m.at < midnight || !m.cost) continue;
      if (m.cost.usd === undefined) unpriced++;
      else usd += m.cost.usd;
    }
  }
  return { usd, unpriced };
}

/** Busy instances and today's spend; a click lists the instances. Updated on status changes and turn ends only. */
export function registerStatusBar(fleet: Fleet): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('llmFleet.status', vscode.StatusBarAlignment.Left, 50);
  item.name = 'LLM Fleet';
  item.command = 'llmFleet.pickInstance';
  const update = () => {
    const all = fleet.list();
    const busy = all.filter((i) => i.status === 'busy').length;
    const errors = all.filter((i) => i.status === 'error').length;
    const today = spentToday(fleet);
    const spent = formatUsd(today.usd) + (today.unpriced ? '+' : '');
    item.text = `${busy ? '$(loading~spin)' : '$(hubot)'} ${busy ? `${busy} busy · ` : ''}${spent} today`;
    item.tooltip = `LLM Fleet: ${all.length} instance(s), ${busy} busy, ${errors} with errors.\nSpent today by live instances: ${spent}${today.unpriced ? ` (${today.unpriced} unpriced answer(s) not counted)` : ''}.`;
    item.backgroundColor = errors > 0 ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    item.show();
  };
  update();
  return vscode.Disposable.from(item, fleet.onDidChangeStatus(update), fleet.onDidCompleteTurn(update), fleet.onDidSpawn(update), fleet.onDidKill(update));
}
