import { DatabaseBreaker } from './database-breaker';

describe('DatabaseBreaker', () => {
  const down = Object.assign(new Error('Connection terminated unexpectedly'), {});
  const slow = Object.assign(new Error('canceling statement due to statement timeout'), {
    code: '57014',
  });

  it('opens on an outage, lets one trial through after a second, and closes on its success', () => {
    let nowMs = 0;
    const breaker = new DatabaseBreaker(() => nowMs);
    expect(breaker.admit()).toBe(true);
    breaker.failed(down);
    expect(breaker.isOpen).toBe(true);
    expect(breaker.admit()).toBe(false);
    nowMs = 1_000;
    expect(breaker.admit()).toBe(true); // the trial
    expect(breaker.admit()).toBe(false); // only one at a time
    breaker.succeeded();
    expect(breaker.isOpen).toBe(false);
    expect(breaker.admit()).toBe(true);
  });

  it('stays closed for a slow statement or a bad query: the database answered', () => {
    const breaker = new DatabaseBreaker(() => 0);
    breaker.failed(slow);
    breaker.failed(Object.assign(new Error('duplicate key'), { code: '23505' }));
    expect(breaker.isOpen).toBe(false);
  });
});
