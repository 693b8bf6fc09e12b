import type { Backend, SessionInit, TurnOutput } from '../../src/core/backends/backend';
import type { Message } from '../../src/core/transcript';

/** What one turn produced when a backend is driven directly, without a Fleet. */
export interface DirectTurn {
  deltas: string[];
  warnings: string[];
  models: string[];
  output?: TurnOutput;
  error?: unknown;
}

/** Runs one turn of `backend` on `prompt` (after `earlier` messages) and collects everything it reported. */
export async function runDirect(backend: Backend, init: Partial<SessionInit> & { model: string }, prompt: string, options: { signal?: AbortSignal; earlier?: Message[] } = {}): Promise<DirectTurn> {
  const session = backend.openSession({ instanceName: 'direct', role: 'general', options: {}, ...init });
  const turn: DirectTurn = { deltas: [], warnings: [], models: [] };
  const history: Message[] = [...(options.earlier ?? []), { id: 'u', role: 'user', text: prompt, at: 0 }];
  try {
    turn.output = await session.runTurn(
      { history, signal: options.signal ?? new AbortController().signal },
      { delta: (t) => turn.deltas.push(t), warning: (w) => turn.warnings.push(w), model: (m) => turn.models.push(m) },
    );
  } catch (e) {
    turn.error = e;
  }
  await session.dispose();
  return turn;
}
