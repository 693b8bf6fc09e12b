import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Disposable, DisposableStore, Emitter, toDisposable } from '../../src/core/lifecycle';

describe('lifecycle', () => {
  it('Emitter delivers in order, unsubscribes, and survives a throwing listener', () => {
    const errors: unknown[] = [];
    const e = new Emitter<number>((x) => errors.push(x));
    const seen: string[] = [];
    const a = e.event((n) => seen.push(`a${n}`));
    e.event(() => {
      throw new Error('bad listener');
    });
    e.event((n) => seen.push(`c${n}`));
    e.fire(1);
    a.dispose();
    e.fire(2);
    assert.deepEqual(seen, ['a1', 'c1', 'c2']);
    assert.equal(errors.length, 2);
    e.dispose();
    e.fire(3);
    assert.deepEqual(seen, ['a1', 'c1', 'c2']);
  });

  it('a listener that unsubscribes during fire does not make its neighbour miss the event', () => {
    const e = new Emitter<void>();
    const seen: string[] = [];
    const first = e.event(() => {
      seen.push('first');
      first.dispose();
    });
    e.event(() => seen.push('second'));
    e.fire();
    assert.deepEqual(seen, ['first', 'second']);
  });

  it('DisposableStore disposes everything once, collects errors, and disposes late additions at once', () => {
    const order: string[] = [];
    const store = new DisposableStore();
    store.add(toDisposable(() => order.push('a')));
    store.add(toDisposable(() => {
      throw new Error('boom');
    }));
    store.add(toDisposable(() => order.push('c')));
    assert.throws(() => store.dispose(), /boom/);
    assert.deepEqual(order, ['a', 'c']);
    store.dispose();
    store.add(toDisposable(() => order.push('late')));
    assert.deepEqual(order, ['a', 'c', 'late']);
  });

  it('Disposable._register ties children to the parent', () => {
    let disposed = 0;
    class Owner extends Disposable {
      constructor() {
        super();
        this._register(toDisposable(() => disposed++));
      }
    }
    const o = new Owner();
    o.dispose();
    o.dispose();
    assert.equal(disposed, 1);
  });
});
