// The ledger rig the stage tests share: a temporary folder, a Ledger in it, a Fleet whose stages the test chooses
// (given the ledger and a tree lookup), the notes the Fleet emits and the records written. Each test file calls
// withLedgerRig() once at module level; the afterEach it registers closes every rig a test started, waits for the
// ledger's appends (in flight they would race the folder's removal) and removes the folder.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { afterEach } from 'node:test';
import { Ledger, ledgerStage, type LedgerProblem, type LedgerRecord } from '../../src/core/cost/ledger';
import { LEDGER_RECORD_VERSION } from '../../src/core/cost/ledgerRecord';
import type { Fleet } from '../../src/core/fleet';
import { AskFailedError } from '../../src/core/instance';
import type { TurnStage } from '../../src/core/turn/types';
import { HAIKU } from './helpers';
import { mixedFleetRig, type MixedFleetRig } from './mixedRig';

interface Closable {
  fleet: Fleet;
  close(): Promise<void>;
}

export interface LedgerParts {
  ledger: Ledger;
  /** The fork-tree root of an instance, asked of the Fleet once it exists. */
  treeRootOf: (name: string) => string;
  /** The Fleet, once it exists (a stage may call it only during a turn). */
  fleet: () => Fleet;
}

export interface LedgerRigOptions<R> {
  /** The Fleet's stages; by default the ledger stage alone, with the tree lookup. */
  stages?: (parts: LedgerParts) => TurnStage[];
  /** Where the ledger writes, given the temporary folder (default: the folder itself). */
  ledgerDir?: (tmp: string) => string;
  /** The ledger's problem listener, in place of collecting into `problems`. */
  onProblem?: (problem: LedgerProblem) => void;
  /** The Fleet and its fakes for these stages (default: mixedFleetRig, every API backend). */
  make?: (stages: TurnStage[]) => Promise<R>;
}

export interface LedgerRig<R> extends LedgerParts {
  rig: R;
  dir: string;
  notes: string[];
  problems: LedgerProblem[];
  /** Every record written so far (records are stamped at the end of an attempt, hence the second's slack). */
  rows: () => Promise<LedgerRecord[]>;
}

export function withLedgerRig(prefix: string): <R extends Closable = MixedFleetRig>(options?: LedgerRigOptions<R>) => Promise<LedgerRig<R>> {
  const open: Array<{ rig?: Closable; ledger?: Ledger; dir: string }> = [];
  afterEach(async () => {
    for (const o of open.splice(0)) {
      await o.rig?.close();
      await o.ledger?.flush();
      await rm(o.dir, { recursive: true, force: true });
    }
  });
  return async <R extends Closable = MixedFleetRig>(options: LedgerRigOptions<R> = {}): Promise<LedgerRig<R>> => {
    const o: (typeof open)[number] = { dir: await mkdtemp(join(tmpdir(), prefix)) };
    open.push(o);
    const problems: LedgerProblem[] = [];
    const ledger = (o.ledger = new Ledger({ dir: options.ledgerDir?.(o.dir) ?? o.dir, onProblem: options.onProblem ?? ((p) => problems.push(p)) }));
    const fleet = () => o.rig!.fleet;
    const treeRootOf = (name: string) => fleet().treeRoot(name);
    const stages = (options.stages ?? ((p) => [ledgerStage(p.ledger, { treeRootOf: p.treeRootOf })]))({ ledger, treeRootOf, fleet });
    const make = options.make ?? ((s: TurnStage[]) => mixedFleetRig(undefined, { stages: s }) as unknown as Promise<R>);
    const rig = await make(stages);
    o.rig = rig;
    const notes: string[] = [];
    rig.fleet.onDidTurnEvent((e) => e.event.type === 'note' && notes.push(e.event.text));
    return { rig, dir: o.dir, ledger, treeRootOf, fleet, notes, problems, rows: () => ledger.records(0, Date.now() + 1000) };
  };
}

/** A ledger record of spend already on the books: one answered Haiku ask, with what the test names. */
export function record(fields: Partial<LedgerRecord> & Pick<LedgerRecord, 'instance'>): LedgerRecord {
  return {
    v: LEDGER_RECORD_VERSION,
    at: Date.now(),
    tree: fields.instance,
    backend: 'anthropic',
    model: HAIKU,
    askId: 'earlier',
    attempt: 0,
    input: 1,
    output: 1,
    cacheWrite5m: 0,
    cacheWrite1h: 0,
    cacheRead: 0,
    basis: 'table',
    priceVersion: 't',
    latencyMs: 1,
    outcome: 'ok',
    ...fields,
  };
}

/** The AskFailedError an ask ends with; `expected` says, when it answers instead, what it should have done. */
export async function askFailure(p: Promise<unknown>, expected = 'failed'): Promise<AskFailedError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof AskFailedError, String(e));
    return e;
  }
  assert.fail(`the ask should have ${expected}`);
}
