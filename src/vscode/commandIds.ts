/**
 * Every command the extension contributes. A string-literal union that the manifest test checks against
 * `package.json` (both ways), so a command can't be declared without code or registered without a declaration.
 * No `vscode` import here, so plain-Node tests can read it.
 */
export const COMMAND_IDS = [
  'llmFleet.spawn',
  'llmFleet.ask',
  'llmFleet.askAuto',
  'llmFleet.askInBackground',
  'llmFleet.showBackgroundResult',
  'llmFleet.broadcast',
  'llmFleet.relay',
  'llmFleet.relayTo',
  'llmFleet.fork',
  'llmFleet.kill',
  'llmFleet.killAll',
  'llmFleet.openChat',
  'llmFleet.askAboutSelection',
  'llmFleet.setApiKey',
  'llmFleet.showLog',
  'llmFleet.rename',
  'llmFleet.cancel',
  'llmFleet.showUsage',
  'llmFleet.showPrices',
  'llmFleet.pickInstance',
  'llmFleet.setBudget',
  'llmFleet.setFallbackChain',
  'llmFleet.showDashboard',
  'llmFleet.compressNow',
  'llmFleet.toggleCompression',
  'llmFleet.pinMessage',
  'llmFleet.showHealth',
] as const;

export type CommandId = (typeof COMMAND_IDS)[number];
