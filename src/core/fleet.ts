import type { AskHandle } from './askHandle';
import type { Backend, SessionState } from './backends/backend';
import type { BackendKind } from './kinds';
import { FleetError } from './errors';
import { priceRequest, type Cost, type PricingContext } from './cost/cost';
import { ANTHROPIC_PRICES, type ModelPrice } from './cost/prices';
import { broadcastTargets, runBroadcast, type BroadcastResult } from './broadcast';
import { planFork } from './forkContext';
import { Instance, type InstanceHost, type InstanceReadout, type InstanceSpec, type Lineage } from './instance';
import { toInfo, type InstanceInfo } from './instanceInfo';
import { FleetEvents } from './fleetEvents';
import type { AskOptions, BroadcastOptions, FleetOptions, ForkOptions, RelayOptions, SpawnOptions } from './fleetTypes';
import { withBudget } from './cost/budgetCaps';
import { TurnPipeline } from './turn/pipeline';
import { InstanceSessions } from './turn/sessions';
import { checkPrompt, checkSpec, describeValue, nameProblem } from './names';
import { relayPrompt } from './relay';
import { restoreFrom } from './restore';
import { sessionOpener } from './sessionOpener';
import type { StoreProblem } from './store';
import { withCompress, withFallback } from './specEdits';
import { snapshotOf, StoreWrites } from './writes';
import { Tickets, type PollResult } from './tickets';
import type { Message } from './transcript';
import { applyCompressionMark, applyPin, type CompressionMark } from './context/summary';

/**
 * The instance manager: the one place that runs operations on instances. Plain TypeScript; the host wires its
 * events (fleetEvents.ts) to the UI and gives it backends and a store.
 */
export class Fleet extends FleetEvents {
  private readonly instances = new Map<string, Instance>();
  private readonly killed = new Set<string>();
  private readonly backends = new Map<BackendKind, Backend>();
  private readonly writes: StoreWrites;
  private readonly tickets = new Tickets();
  private readonly now: () => number;
  private pricing: PricingContext;
  private broadcastConcurrency: number;
  private readonly host: InstanceHost;

  constructor(private readonly options: FleetOptions) {
    super();
    for (const b of options.backends) this.backends.set(b.kind, b);
    this.now = options.now ?? Date.now;
    this.pricing = { table: ANTHROPIC_PRICES, ...options.pricing };
    this.broadcastConcurrency = options.broadcastConcurrency ?? 8;
    this.writes = new StoreWrites(options.store, options.log);
    this.host = {
      pipeline: new TurnPipeline(options.stages),
      now: this.now,
      price: (backend, usage, model) => this.price(backend, usage, model),
      ...this.reports(options.log),
      persist: (i) => this.persist(i),
    };
  }

  /** Brings back the instances a store holds. Unreadable files are reported, set aside, and the rest load. */
  restore(): Promise<{ restored: string[]; problems: StoreProblem[] }> {
    return restoreFrom(this.options.store, this.options.log, (p) => {
      if (this.instances.has(p.name)) return false;
      this.add(this.create(p.name, p.spec, p.session, [...p.transcript], p.lineage, p.createdAt));
      return true;
    });
  }

  spawn(name: string, options: SpawnOptions): InstanceInfo {
    this.checkNewName(name);
    const spec = withBudget(checkSpec(options, [...this.backends.keys()]), options.budgetUsd);
    const instance = this.create(name, spec, undefined, []);
    this.add(instance);
    this.persist(instance);
    return toInfo(instance);
  }

  ask(name: string, prompt: string, options?: AskOptions): AskHandle {
    checkPrompt(prompt);
    return this.instance(name).ask(prompt, options);
  }

  /** Sets (or with undefined/0 removes) an instance's own spending cap; the next ask is held to it. */
  setBudget(name: string, usd: number | undefined): void {
    this.edit(name, (i) => i.respec(withBudget(i.spec, usd)));
  }

  /** Sets an instance's own fallback chain ("Set Fallback Chain…"): links, [] for none, or "global" (or undefined) to follow the setting. The next ask follows it. */
  setFallback(name: string, chain: unknown): void {
    this.edit(name, (i) => i.respec(withFallback(i.spec, chain)));
  }

  /** Records a compression (context/window.ts): the dropped messages are marked, never removed. */
  applyCompression(name: string, mark: CompressionMark): void {
    this.edit(name, (i) => i.editTranscript((m) => void applyCompressionMark(m, mark)), true);
  }

  /** Pins a settled message, so compression always keeps it verbatim (or unpins it). */
  pin(name: string, messageId: string, pinned = true): void {
    const message = this.instance(name).settledTranscript.find((m) => m.id === messageId);
    if (!message) throw new FleetError('invalid_argument', `'${name}' has no settled message ${messageId} to pin.`);
    if (pinned && message.compressedBy) throw new FleetError('invalid_argument', `That message of '${name}' was already compressed away and is no longer sent; pin a message before it is compressed.`);
    this.edit(name, (i) => i.editTranscript((m) => void applyPin(m, messageId, pinned)), true);
  }

  /** Turns compression on or off for one instance (the global setting still applies when on). */
  setCompression(name: string, on: boolean): void {
    this.edit(name, (i) => i.respec(withCompress(i.spec, on)));
  }

  /** One change to an instance's spec or transcript (the marks on its messages): saved, then shown. */
  private edit(name: string, change: (instance: Instance) => void, transcriptChanged = false): void {
    const instance = this.instance(name);
    change(instance);
    this.persist(instance);
    this._onDidChangeInstance.fire(transcriptChanged ? { name, transcriptChanged } : { name });
  }

  /** Starts an ask and returns a ticket to `poll` later. */
  askAsync(name: string, prompt: string): string {
    return this.tickets.issue(this.ask(name, prompt));
  }

  poll(ticket: string): PollResult {
    return this.tickets.poll(ticket);
  }

  /** Background asks, oldest first, for a "show background result" picker. */
  backgroundAsks(): ReturnType<Tickets['list']> {
    return this.tickets.list();
  }

  /** Stops the ask in flight, or the one `askId` names (in flight or queued); see Instance.cancel. */
  cancel(name: string, askId?: string): boolean {
    if (askId !== undefined && typeof askId !== 'string') throw new FleetError('invalid_argument', `An ask id must be text, not ${describeValue(askId)}.`);
    return this.instance(name).cancel(askId);
  }

  async fork(source: string, newName: string, options: ForkOptions = {}): Promise<InstanceInfo> {
    const parent = this.instance(source);
    this.checkNewName(newName);
    const setting = { backends: [...this.backends.keys()], recheckName: () => this.checkNewName(newName), treeRoot: () => this.treeRoot(source), now: this.now };
    const { spec, state, messages, lineage } = await planFork(parent, source, options, setting);
    const child = this.create(newName, spec, state, messages, lineage);
    this.add(child);
    this.persist(child);
    return toInfo(child);
  }

  relay(from: string, to: string, options: RelayOptions = {}): AskHandle {
    const source = this.instance(from);
    this.instance(to);
    return this.ask(to, relayPrompt(from, to, source.transcript, options.template));
  }

  /** Asks several instances the same thing, a bounded number at a time; every result comes back, failures included. */
  async broadcast(names: readonly string[] | 'all', prompt: string, options: BroadcastOptions = {}): Promise<BroadcastResult[]> {
    const targets = broadcastTargets(names, [...this.instances.keys()]);
    checkPrompt(prompt); // once for all, rather than one failed result per instance
    targets.forEach((n) => this.instance(n));
    const ask = (n: string) => {
      const handle = this.ask(n, prompt);
      options.onAsk?.(n, handle);
      return handle;
    };
    return runBroadcast(targets, ask, this.broadcastConcurrency, this.now);
  }

  /** Renames an instance; its forks keep pointing at it. Names of live work (asks in flight) stay attached. */
  rename(oldName: string, newName: string): InstanceInfo {
    const instance = this.instance(oldName);
    if (oldName === newName) return toInfo(instance);
    this.checkNewName(newName);
    this.instances.delete(oldName);
    instance.setName(newName);
    this.instances.set(newName, instance);
    void this.writes.delete(oldName);
    this.persist(instance);
    for (const other of this.instances.values()) {
      if (other.lineage?.parent !== oldName && other.lineage?.root !== oldName) continue;
      other.renameAncestor(oldName, newName);
      this.persist(other);
    }
    this._onDidRename.fire({ oldName, newName });
    return toInfo(instance);
  }

  async kill(name: string): Promise<void> {
    const instance = this.instance(name);
    this.instances.delete(name);
    this.killed.add(name);
    await instance.stop();
    await this.writes.delete(name);
    this._onDidKill.fire({ name });
  }

  async killAll(): Promise<void> {
    await Promise.all([...this.instances.keys()].map((n) => this.kill(n)));
  }

  list(): InstanceInfo[] {
    return [...this.instances.values()].map(toInfo);
  }

  status(name: string): InstanceInfo {
    return toInfo(this.instance(name));
  }

  /**
   * The root of the tree an instance belongs to: the first instance its forks came from (an instance that is no
   * fork is its own root). Recorded at fork time, so a tree stays one tree when its root is killed; forks saved
   * before roots were recorded find it through their live parents.
   */
  treeRoot(name: string): string {
    let current = this.instance(name);
    if (current.lineage?.root) return current.lineage.root;
    for (let parent = current.lineage?.parent; parent && this.instances.has(parent); parent = current.lineage?.parent) {
      current = this.instances.get(parent)!;
      if (current.name === name) break; // a rename can never make a cycle, but a walk must not spin if it did
    }
    return current.name;
  }

  /** A read-only view of one instance, for views and tests: it cannot ask, cancel or stop. */
  get(name: string): InstanceReadout {
    return this.instance(name);
  }

  private instance(name: string): Instance {
    const instance = this.instances.get(name);
    if (instance) return instance;
    const problem = nameProblem(name);
    if (problem) throw new FleetError('invalid_name', problem);
    if (this.killed.has(name)) throw new FleetError('instance_killed', `Instance '${name}' was killed. Spawn it again to use it.`);
    throw new FleetError('unknown_instance', `There is no instance named '${name}'.`);
  }

  has(name: string): boolean {
    return this.instances.has(name);
  }

  /** Applies settings that change while the Fleet runs; the next answer and the next broadcast use them. */
  configure(settings: { readonly priceOverrides?: Readonly<Record<string, ModelPrice>>; readonly broadcastConcurrency?: number }): void {
    if (settings.priceOverrides) this.pricing = { ...this.pricing, overrides: settings.priceOverrides };
    if (settings.broadcastConcurrency !== undefined) this.broadcastConcurrency = settings.broadcastConcurrency;
  }

  price(backend: BackendKind, usage: Parameters<typeof priceRequest>[0], model: string): Cost {
    // Price settings are for the OpenAI-compatible servers' models; they never reprice a provider the table covers.
    const overrides = backend === 'openai' ? this.pricing.overrides : undefined;
    return priceRequest(usage, model, { ...this.pricing, overrides, local: backend === 'ollama' });
  }

  /** Waits until every state write so far has reached the store. */
  flush(): Promise<void> {
    return this.writes.flush();
  }

  /** Shuts down without forgetting: sessions let go (processes exit), state stays for the next window. */
  async shutdown(): Promise<void> {
    await Promise.allSettled([...this.instances.values()].map((i) => i.stop()));
    await this.flush();
    this.instances.clear();
    this.dispose();
  }

  private create(name: string, spec: InstanceSpec, state: SessionState | undefined, messages: Message[], lineage?: Lineage, createdAt?: number): Instance {
    let instance: Instance | undefined;
    const open = sessionOpener(this.backends, name, spec, () => instance?.spec ?? spec, () => instance?.name ?? name);
    const sessions = new InstanceSessions({ backend: spec.backend, model: spec.model }, open, state, messages.length);
    instance = new Instance(name, spec, sessions, this.host, messages, lineage, createdAt ?? this.now());
    return instance;
  }

  private add(instance: Instance): void {
    this.instances.set(instance.name, instance);
    this.killed.delete(instance.name);
    this._onDidSpawn.fire(toInfo(instance));
  }

  private checkNewName(name: string): void {
    const problem = nameProblem(name);
    if (problem) throw new FleetError('invalid_name', problem);
    if (this.instances.has(name)) throw new FleetError('duplicate_name', `An instance named '${name}' already exists.`);
  }

  private persist(instance: Instance): void {
    if (this.instances.has(instance.name)) this.writes.save(snapshotOf(instance));
  }
}
