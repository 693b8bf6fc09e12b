import { FleetError } from './errors';
import { DEFAULT_RELAY_TEMPLATE } from './fleetTypes';
import { describeValue } from './names';
import { lastAnswer, type Message } from './transcript';

/**
 * The prompt a relay asks `to`: the template with `from`'s latest answer in it ({{answer}}, required) and the two
 * names ({{from}}, {{to}}). The answer is put in last and as a function, so a "{{to}}" or "$&" in it stays as written.
 */
export function relayPrompt(from: string, to: string, transcript: readonly Message[], given: unknown): string {
  const template = given ?? DEFAULT_RELAY_TEMPLATE;
  if (typeof template !== 'string') throw new FleetError('invalid_argument', `A relay template must be text, not ${describeValue(template)}.`);
  if (!template.includes('{{answer}}')) throw new FleetError('invalid_argument', 'A relay template must contain {{answer}}.');
  const answer = lastAnswer(transcript);
  if (!answer) throw new FleetError('nothing_to_relay', `Instance '${from}' has no answer to relay yet.`);
  return template.replaceAll('{{from}}', from).replaceAll('{{to}}', to).replaceAll('{{answer}}', () => answer.text);
}
