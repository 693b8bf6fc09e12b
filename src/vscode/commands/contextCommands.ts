import type { Backend } from '../../core/backends/backend';
import type { BackendKind } from '../../core/kinds';
import type { Fleet } from '../../core/fleet';
import { DEFAULT_RELAY_TEMPLATE } from '../../core/fleetTypes';
import type { ChatPanels } from '../chat/chatPanels';
import { askText, inputStep, into, pickStep, runSteps, type Step } from '../input/quickInput';
import { instanceFor, newNameProblem, suggestName } from '../input/pickers';
import { modelStep } from '../input/spawnWizard';
import { BACKEND_ICONS, BACKEND_LABELS } from '../presentation';
import { askWithProgress, reporting } from './asking';
import type { Command } from './command';

interface ForkState {
  name?: string;
  backend?: Backend;
  model?: string;
}

/**
 * Fork…: a name, then the same backend or another (the child is then seeded with the text transcript). The source
 * may carry `atMessage` ("Fork from here" in the chat); a second argument `{ name, backend?, model? }` forks
 * without asking.
 */
export class ForkCommand implements Command {
  readonly id = 'llmFleet.fork';
  constructor(private readonly fleet: Fleet, private readonly backends: readonly Backend[], private readonly chats: ChatPanels) {}

  async execute(arg?: unknown, given?: unknown): Promise<string | undefined> {
    const source = await instanceFor(this.fleet, arg, { title: 'LLM Fleet: Fork' });
    if (!source) return undefined;
    const atMessage = typeof (arg as { atMessage?: unknown })?.atMessage === 'string' ? (arg as { atMessage: string }).atMessage : undefined;
    const chosen = forkSpecFromArg(given) ?? (await this.ask(source, atMessage));
    if (!chosen) return undefined;
    const child = await reporting(() => this.fleet.fork(source, chosen.name, { atMessage, backend: chosen.backend, model: chosen.model }));
    if (child) this.chats.open(child.name);
    return child?.name;
  }

  private async ask(source: string, atMessage: string | undefined): Promise<{ name: string; backend: BackendKind; model?: string } | undefined> {
    const parent = this.fleet.status(source);
    const title = `LLM Fleet: Fork ${source}${atMessage ? ' from this message' : ''}`;
    const same = this.backends.find((b) => b.kind === parent.backend);
    const steps: Step<ForkState>[] = [
      async (s, pos) => into(s, (st, v: string) => (st.name = v), await inputStep({ title, ...pos }, { prompt: 'A name for the fork', value: s.name ?? suggestName(this.fleet, `${source}-fork`), validate: (v) => newNameProblem(this.fleet, v) })),
      async (s, pos) => {
        const choose = (st: ForkState, b: Backend) => {
          st.backend = b;
          // Staying on the parent's backend starts from the parent's model; another backend needs its own.
          st.model = b === same ? parent.requestedModel : undefined;
        };
        return into(s, choose, await pickStep({ title, ...pos }, this.backends.map((b) => ({
          label: `$(${BACKEND_ICONS[b.kind]}) ${BACKEND_LABELS[b.kind]}`,
          description: b === same ? `keep ${parent.model}, with its session` : 'a new conversation seeded with the transcript as text',
          value: b,
        })), { placeholder: 'Backend for the fork', active: same }));
      },
      modelStep<ForkState>((s) => s.backend ?? same!, title),
    ];
    const done = await runSteps<ForkState>({}, steps);
    return done?.name && done.backend ? { name: done.name, backend: done.backend.kind, model: done.model } : undefined;
  }
}

function forkSpecFromArg(arg: unknown): { name: string; backend?: BackendKind; model?: string } | undefined {
  if (!arg || typeof arg !== 'object' || typeof (arg as { name?: unknown }).name !== 'string') return undefined;
  const { name, backend, model } = arg as { name: string; backend?: BackendKind; model?: string };
  return { name, backend, model };
}

/** Relay…: from an instance with an answer, to another, through a template. */
export class RelayCommand implements Command {
  readonly id: 'llmFleet.relay' | 'llmFleet.relayTo' = 'llmFleet.relay';
  constructor(private readonly fleet: Fleet, private readonly chats: ChatPanels) {}
  async execute(arg?: unknown, toArg?: unknown): Promise<void> {
    const from = await instanceFor(this.fleet, arg, { title: 'LLM Fleet: Relay from', filter: (i) => i.messageCount > 0, emptyMessage: 'LLM Fleet: no instance has an answer to relay yet.' });
    if (!from) return;
    const to = await instanceFor(this.fleet, toArg, { title: `LLM Fleet: Relay ${from}'s last answer to`, filter: (i) => i.name !== from, emptyMessage: 'LLM Fleet: spawn another instance to relay to.' });
    if (!to) return;
    const template = await askText({
      title: `LLM Fleet: Relay ${from} → ${to}`,
      prompt: 'Template for the message: {{answer}} is the answer; {{from}} and {{to}} are the names.',
      value: DEFAULT_RELAY_TEMPLATE.replaceAll('\n', '\\n'),
      validate: (v) => (v.includes('{{answer}}') ? undefined : 'The template must contain {{answer}}.'),
    });
    if (template === undefined) return;
    await reporting(() => askWithProgress(this.fleet, this.chats, to, () => this.fleet.relay(from, to, { template: template.replaceAll('\\n', '\n') })));
  }
}

/** Relay to…: the tree's context menu entry, with the node as the source. */
export class RelayToCommand extends RelayCommand {
  override readonly id = 'llmFleet.relayTo';
}

