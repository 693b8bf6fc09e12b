import * as vscode from 'vscode';
import type { HealthRegistry } from '../../core/routing/health';
import { healthSummary } from './healthItems';

/**
 * A status bar item that appears only while a backend is unhealthy: which one, its state and the seconds left; a
 * click opens the health quick pick. It ticks once a second while a cooldown counts down, and not at all otherwise.
 */
export function registerHealthStatusBar(health: HealthRegistry): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('llmFleet.health', vscode.StatusBarAlignment.Left, 48);
  item.name = 'LLM Fleet Backend Health';
  item.command = 'llmFleet.showHealth';
  let ticker: NodeJS.Timeout | undefined;
  const update = () => {
    const all = health.all();
    // Only a countdown needs the tick: a half-open backend stays so until its probe, which fires onDidChange.
    if (all.some((h) => h.until !== undefined)) ticker ??= setInterval(update, 1000);
    else if (ticker) {
      clearInterval(ticker);
      ticker = undefined;
    }
    const s = healthSummary(all, Date.now());
    if (!s) return item.hide();
    item.text = s.text;
    item.tooltip = s.tooltip;
    item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    item.show();
  };
  const sub = health.onDidChange(() => update());
  update();
  return vscode.Disposable.from(item, { dispose: () => sub.dispose() }, new vscode.Disposable(() => ticker && clearInterval(ticker)));
}
