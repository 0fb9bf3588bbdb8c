import { checkJourney, entryOf, exitEventsOf, type JourneyDefinition } from '../definition';
import { cartAbandonment, lowStock } from '../examples';

const errorsOf = (body: unknown) => {
  const r = checkJourney(body);
  if (r.ok) throw new Error('expected the definition to be refused');
  return r.errors;
};
const valid = (body: unknown): JourneyDefinition => {
  const r = checkJourney(body);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
};

describe('checkJourney', () => {
  it('accepts the README examples and fills defaults', () => {
    const cart = valid(cartAbandonment());
    expect(exitEventsOf(cart)).toEqual(['purchase']);
    const low = valid(lowStock());
    expect(low.status).toBe('active');
    expect(valid({ name: 'x', trigger: { type: 'welcome' }, steps: [{ id: 'a', type: 'exit' }] })).toMatchObject({ holdoutPercent: 0, reentry: 'after_exit', status: 'active' });
  });

  it('defaults exitOn to purchase for cart abandonment only', () => {
    const { exitOn: _, ...noExit } = cartAbandonment();
    expect(exitEventsOf(valid(noExit))).toEqual(['purchase']);
    expect(exitEventsOf(valid(lowStock()))).toEqual([]);
  });

  it('refuses a template that does not compile, naming the step and field', () => {
    const d = cartAbandonment();
    (d.steps[5] as { template: { subject: string } }).template.subject = 'Hi {{#if shopper.email}}';
    const [e] = errorsOf(d);
    expect(e.field).toBe('steps.5.template.subject');
    expect(e.message).toMatch(/step 'reminder': template does not compile/);
  });

  it('refuses an unknown helper at save time', () => {
    const d = lowStock();
    (d.steps[0] as { template: { html: string } }).template.html = '{{shout product.title}}';
    expect(errorsOf(d)[0]).toMatchObject({ field: 'steps.0.template.html', message: expect.stringContaining("step 'alert'") });
  });

  it('refuses branches to unknown or earlier steps (no loops) and duplicate ids', () => {
    const steps = [
      { id: 'a', type: 'wait', minutes: 1 },
      { id: 'b', type: 'branch', if: { cartHasItems: true }, then: 'a' },
      { id: 'c', type: 'branch', if: { cartHasItems: true }, then: 'nowhere' },
    ];
    const errors = errorsOf({ name: 'x', trigger: { type: 'cart_abandoned' }, steps });
    expect(errors.map((e) => e.field)).toEqual(['steps.1.then', 'steps.2.then']);
    expect(errors[0].message).toMatch(/not after this step/);
    expect(errors[1].message).toMatch(/no step 'nowhere'/);
    expect(errorsOf({ name: 'x', trigger: { type: 'welcome' }, steps: [{ id: 'a', type: 'exit' }, { id: 'a', type: 'exit' }] })[0].message).toMatch(/used twice/);
  });

  it('checks each step and trigger against its own type', () => {
    expect(errorsOf({ name: 'x', trigger: { type: 'low_stock' }, steps: [{ id: 'a', type: 'exit' }] })[0].field).toBe('trigger.threshold');
    expect(errorsOf({ name: 'x', trigger: { type: 'welcome' }, steps: [{ id: 'a', type: 'wait', minutes: -1 }] })[0]).toMatchObject({ field: 'steps.0.minutes' });
    expect(errorsOf({ name: 'x', trigger: { type: 'welcome' }, steps: [{ id: 'a', type: 'wait' }] })[0].message).toMatch(/needs minutes or seconds/);
    expect(errorsOf({ name: 'x', trigger: { type: 'welcome' }, steps: [{ id: 'a', type: 'send', channel: 'push', template: { title: 'Hi' } }] })[0]).toMatchObject({
      field: 'steps.0.template.body',
    });
    expect(errorsOf({ name: 'x', trigger: { type: 'welcome' }, steps: [{ id: 'a', type: 'send', channel: 'webhook', template: {} }] })[0].field).toBe('steps.0.webhook');
    expect(errorsOf({ name: 'x', trigger: { type: 'welcome' }, steps: [{ id: 'a', type: 'branch', if: {}, then: 'b' }] })[0].field).toMatch(/^steps\.0\.if/);
  });

  it('refuses holdout shares above 50% and unknown triggers, exit events or fields', () => {
    expect(errorsOf({ ...lowStock(), holdoutPercent: 60 })[0].field).toBe('holdoutPercent');
    expect(errorsOf({ ...lowStock(), trigger: { type: 'birthday' } })[0].field).toBe('trigger.type');
    expect(errorsOf({ ...lowStock(), exitOn: ['teleport'] })[0].field).toBe('exitOn.0');
    expect(errorsOf({ ...lowStock(), colour: 'red' })[0].field).toBe('colour');
    expect(errorsOf([])[0].field).toBe('(body)');
  });

  it('refuses conditions nested deeper than the limit', () => {
    let deep: Record<string, unknown> = { cartHasItems: true };
    for (let i = 0; i < 7; i++) deep = { not: deep };
    const steps = [{ id: 'b', type: 'branch', if: deep, then: 'x' }, { id: 'x', type: 'exit' }];
    expect(errorsOf({ name: 'x', trigger: { type: 'welcome' }, steps })[0]).toMatchObject({ field: 'steps.0.if', message: expect.stringContaining('at most 5 levels') });
    let ok: Record<string, unknown> = { cartHasItems: true };
    for (let i = 0; i < 5; i++) ok = { any: [ok] };
    expect(checkJourney({ name: 'x', trigger: { type: 'welcome' }, steps: [{ id: 'b', type: 'branch', if: ok, then: 'x' }, { id: 'x', type: 'exit' }] }).ok).toBe(true);
  });

  it('folds leading waits into the entry of a run', () => {
    expect(entryOf(valid(cartAbandonment({ waitSeconds: 2 })))).toEqual({ stepId: 'still-in-cart', delaySeconds: 2 });
    expect(entryOf(valid(cartAbandonment({ waitMinutes: 1.5 })))).toEqual({ stepId: 'still-in-cart', delaySeconds: 90 });
    expect(entryOf(valid(lowStock()))).toEqual({ stepId: 'alert', delaySeconds: 0 });
  });
});
