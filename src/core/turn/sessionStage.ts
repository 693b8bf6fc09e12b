import type { BackendSession, TurnInput, TurnOutput, TurnSink } from '../backends/backend';
import { BackendError, withPartial } from '../errors';
import type { Cost } from '../cost/cost';
import type { Usage } from '../cost/usage';
import type { BackendKind } from '../kinds';
import type { TurnEmit, TurnRequest, TurnResult } from './types';

export interface SessionTurnDeps {
  now(): number;
  price(backend: BackendKind, usage: Usage, model: string): Cost;
}

/**
 * The pipeline's last stage: one attempt on one session. It reports the attempt, streams the session's events, and
 * returns what answered, with usage priced for the backend that answered and the time to the first text.
 */
export async function runOnSession(session: BackendSession, request: TurnRequest, emit: TurnEmit, deps: SessionTurnDeps): Promise<TurnResult> {
  const { target } = request;
  const attempt = { backend: target.backend, model: target.model, ...(request.reason ? { reason: request.reason } : {}) };
  emit({ type: 'attempt', attempt });
  const started = deps.now();
  let firstTokenMs: number | undefined;
  let text = '';
  let reported: string | undefined;
  const out = await runPriced(session, request, deps,
    { history: request.history, signal: request.signal, ...(request.contextManagement ? { contextManagement: request.contextManagement } : {}), ...(request.sdkRetries !== undefined ? { sdkRetries: request.sdkRetries } : {}) },
    {
      delta: (piece) => {
        if (piece.length === 0) return;
        firstTokenMs ??= deps.now() - started;
        text += piece;
        emit({ type: 'delta', text: piece });
      },
      model: (id) => {
        if (!id) return;
        reported = id;
        emit({ type: 'model', id });
      },
      warning: (warning) => emit({ type: 'warning', text: warning }),
      note: (text) => emit({ type: 'note', stage: target.backend, text }),
    },
  );
  const model = out.usage.model ?? reported ?? target.model;
  return {
    text,
    backend: target.backend,
    model,
    usage: out.usage,
    cost: deps.price(target.backend, out.usage, model),
    latencyMs: deps.now() - started,
    firstTokenMs,
    backendMessageId: out.backendMessageId,
    ...(out.parts?.length ? { parts: out.parts } : {}),
    ...(out.apiCompaction ? { apiCompaction: out.apiCompaction } : {}),
    attempts: [attempt],
  };
}

/** The session's turn; a failure that reports what was billed (a cancelled stream) gets its price, as an answer would. */
async function runPriced(session: BackendSession, request: TurnRequest, deps: SessionTurnDeps, input: TurnInput, sink: TurnSink): Promise<TurnOutput> {
  try {
    return await session.runTurn(input, sink);
  } catch (e) {
    if (!(e instanceof BackendError) || !e.usage || e.cost) throw e;
    throw withPartial(e, { cost: deps.price(request.target.backend, e.usage, e.usage.model ?? request.target.model) });
  }
}
