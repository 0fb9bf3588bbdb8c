import { applyEvents, findSearch, isReformulation, settleIdle, MAX_SEARCHES, type Effect, type SessionDoc } from '../session';
import { NOW, RULES, cart, click, min, pageView, purchase, search, view } from './fixtures';

const run = (events: Parameters<typeof applyEvents>[1], doc: SessionDoc | null = null) => applyEvents(doc, events, RULES, NOW);
const of = <K extends Effect['kind']>(effects: Effect[], kind: K) => effects.filter((e): e is Extract<Effect, { kind: K }> => e.kind === kind);

describe('session: attribution', () => {
  it('attributes a click to the search it names, a cart and purchase of the clicked product to that search', () => {
    const r = run([
      search('red dress', min(0), { searchId: 'a', resultsCount: 12 }),
      search('blue dress', min(1), { searchId: 'b', resultsCount: 4 }),
      click('p1', min(2), { searchId: 'a' }),
      cart('p1', min(3)),
      purchase({ p1: 2, p9: 1 }, min(10)),
    ]);
    const engage = of(r.effects, 'engage');
    expect(engage.map((e) => [e.query, e.action, e.products])).toEqual([
      ['red dress', 'click', { p1: 1 }],
      ['red dress', 'cart', { p1: 3 }],
      ['red dress', 'purchase', { p1: 5 }],
      // p9 never came from a search: the latest search gets it.
      ['blue dress', 'purchase', { p9: 5 }],
    ]);
    expect(r.doc.searches.map((s) => [s.query, s.engaged])).toEqual([
      ['red dress', true],
      ['blue dress', true],
    ]);
  });

  it('uses the query when there is no search id, the latest search when neither is given, and nothing when the named search is unknown', () => {
    const doc = run([search('lamp', min(0), { searchId: 'l' }), search('rug', min(1), { searchId: 'r' })]).doc;
    const engage = (productId: string, o: { searchId?: string; query?: string }) => findSearch(doc, min(2), productId, { action: 'click', productIds: [productId], ...o }, RULES)?.query ?? null;
    expect(engage('p', { query: 'lamp' })).toBe('lamp');
    expect(engage('p', {})).toBe('rug');
    expect(engage('p', { searchId: 'unknown' })).toBeNull();
    expect(engage('p', { searchId: 'unknown', query: 'lamp' })).toBe('lamp');
    // Outside the window: nothing.
    expect(findSearch(doc, min(45), 'p', { action: 'click', productIds: ['p'] }, RULES)).toBeNull();
  });

  it('counts product popularity for every product event, with units sold on purchase', () => {
    const r = run([view('p1', min(0)), click('p1', min(1)), cart('p2', min(2)), purchase({ p2: 3 }, min(3))]);
    expect(of(r.effects, 'product').map((e) => [e.productId, e.weight, e.sold])).toEqual([
      ['p1', 1, 0],
      ['p1', 1, 0],
      ['p2', 3, 0],
      ['p2', 5, 3],
    ]);
    // No search: nothing attributed.
    expect(of(r.effects, 'engage')).toEqual([]);
  });
});

describe('session: exits', () => {
  it('settles a search with no engagement when the shopper searches again', () => {
    const r = run([search('teapot', min(0), { resultsCount: 0 }), search('kettle', min(1))]);
    expect(of(r.effects, 'exit')).toEqual([{ kind: 'exit', storeId: 's1', query: 'teapot', delta: 1 }]);
    expect(r.doc.searches[0]).toMatchObject({ settled: true, exited: true });
    expect(r.doc.searches[1]).toMatchObject({ settled: false });
  });

  it('settles when the next event comes more than the window later, and drops the old searches', () => {
    const first = run([search('teapot', min(0)), click('p1', min(1))]);
    expect(of(first.effects, 'exit')).toEqual([]);
    const second = run([search('mug', min(2)), pageView(min(40))], first.doc);
    // teapot was engaged: no exit; mug was not: an exit, once the window passed.
    expect(of(second.effects, 'exit').map((e) => e.query)).toEqual(['mug']);
    expect(second.doc.searches).toEqual([]);
  });

  it('does not settle within the window, and a sweep settles once the shopper stays away', () => {
    const r = run([search('mug', min(0)), pageView(min(20))]);
    expect(of(r.effects, 'exit')).toEqual([]);
    expect(settleIdle(r.doc, min(25), RULES, NOW).changed).toBe(false);
    const swept = settleIdle(r.doc, min(31), RULES, NOW);
    expect(of(swept.effects, 'exit').map((e) => e.query)).toEqual(['mug']);
    // Sweeping again changes nothing.
    expect(settleIdle(swept.doc, min(60), RULES, NOW).changed).toBe(false);
  });

  it('settles at once a search that arrives after the window has passed it', () => {
    const r = run([pageView(min(60)), search('late', min(10))]);
    expect(of(r.effects, 'search')).toHaveLength(1);
    expect(of(r.effects, 'exit').map((e) => e.query)).toEqual(['late']);
    expect(r.doc.searches).toEqual([]);
  });

  it('takes an exit back when engagement with that search still comes', () => {
    const r = run([search('lamp', min(0), { searchId: 'l' }), search('rug', min(1), { searchId: 'r' }), click('p1', min(2), { searchId: 'l' })]);
    expect(of(r.effects, 'exit').map((e) => [e.query, e.delta])).toEqual([
      ['lamp', 1],
      ['lamp', -1],
    ]);
  });

  it('keeps the last searches only, settling what falls off', () => {
    const events = Array.from({ length: MAX_SEARCHES + 3 }, (_, i) => search(`q${i}`, min(0) + i * 1000));
    const r = run(events);
    expect(r.doc.searches.map((s) => s.query)).toEqual(events.slice(3).map((e) => e.search?.query));
    expect(of(r.effects, 'exit')).toHaveLength(MAX_SEARCHES + 2);
  });
});

describe('session: order and redelivery', () => {
  it('skips events applied before, by id and by offset', () => {
    const events = [search('lamp', min(0), { resultsCount: 3 }), click('p1', min(1)), purchase({ p1: 1 }, min(2))];
    const first = run(events);
    expect(first.changed).toBe(true);
    const again = run(events, first.doc);
    expect(again).toMatchObject({ changed: false, effects: [] });
    // The same events at new offsets (a producer retry): skipped by id.
    const resent = events.map((e, i) => ({ ...e, offset: String(10_000 + i) }));
    expect(run(resent, first.doc).effects).toEqual([]);
    // Older offsets with new ids (a replay of what this session applied): skipped by offset.
    const replayed = events.map((e) => ({ ...e, eventId: `${e.eventId}-x` }));
    expect(run(replayed, first.doc).effects).toEqual([]);
  });

  it('writes nothing for an unknown shopper whose events change nothing', () => {
    expect(run([pageView(min(0))]).changed).toBe(false);
    expect(run([search('!!!'.replace(/!/g, ''), min(0))]).changed).toBe(false);
  });

  it('counts a search answer reported twice once', () => {
    const r = run([search('lamp', min(0), { searchId: 's' }), search('lamp', min(0), { searchId: 's' })]);
    expect(of(r.effects, 'search')).toHaveLength(1);
  });

  it('places a late (out-of-order) search in time and settles it at once when a newer search exists', () => {
    const r = run([search('new', min(5), { searchId: 'n' }), search('old', min(1), { searchId: 'o' })]);
    expect(r.doc.searches.map((s) => s.query)).toEqual(['old', 'new']);
    expect(r.doc.searches[0]).toMatchObject({ settled: true, exited: true });
    expect(r.doc.searches[1]).toMatchObject({ settled: false });
    expect(r.doc.lastEventAt).toBe(new Date(min(5)).toISOString());
    // A click on the late search still finds it.
    const c = run([click('p1', min(6), { searchId: 'o' })], r.doc);
    expect(of(c.effects, 'engage').map((e) => e.query)).toEqual(['old']);
  });
});

describe('session: learned rewrites', () => {
  it('teaches from → to when an abandoned search is reformulated within 3 minutes and engaged', () => {
    const r = run([search('iphne case', min(0), { resultsCount: 0 }), search('iphone case', min(1), { searchId: 'b' }), click('p1', min(2), { searchId: 'b' })]);
    expect(of(r.effects, 'teach')).toEqual([{ kind: 'teach', storeId: 's1', from: 'iphne case', to: 'iphone case' }]);
    // Once per shopper: the same reformulation again teaches nothing.
    const again = run([search('iphne case', min(5)), search('iphone case', min(6), { searchId: 'c' }), click('p2', min(7), { searchId: 'c' })], r.doc);
    expect(of(again.effects, 'teach')).toEqual([]);
  });

  it('does not teach past 3 minutes, across an engaged search, or for continuations', () => {
    expect(of(run([search('sofa', min(0)), search('couch', min(4), { searchId: 'b' }), click('p', min(5), { searchId: 'b' })]).effects, 'teach')).toEqual([]);
    const across = run([search('sofa', min(0)), search('couch', min(1), { searchId: 'c' }), click('p', min(1.5), { searchId: 'c' }), search('settee', min(2), { searchId: 's' }), click('q', min(2.5), { searchId: 's' })]);
    expect(of(across.effects, 'teach').map((t) => `${t.from}>${t.to}`)).toEqual(['sofa>couch']);
    // Typed further (autocomplete, narrowing) teaches nothing while the prefix found something.
    expect(of(run([search('dres', min(0), { resultsCount: 5 }), search('dress', min(1), { searchId: 'd' }), click('p', min(2), { searchId: 'd' })]).effects, 'teach')).toEqual([]);
    // A prefix that found nothing, then its completion that worked, is a correction.
    expect(of(run([search('dres', min(0), { resultsCount: 0 }), search('dress', min(1), { searchId: 'd' }), click('p', min(2), { searchId: 'd' })]).effects, 'teach')).toHaveLength(1);
  });

  it('teaches from every abandoned search back to the last engaged one', () => {
    const r = run([search('dresss', min(0), { resultsCount: 0 }), search('drss', min(0.5), { resultsCount: 0 }), search('dress', min(1), { searchId: 'd' }), cart('p1', min(2))]);
    expect(of(r.effects, 'teach').map((t) => t.from)).toEqual(['drss', 'dresss']);
  });

  it('knows a reformulation', () => {
    expect(isReformulation({ query: 'sofa' }, 'sofa')).toBe(false);
    expect(isReformulation({ query: 'x' }, 'xbox')).toBe(false);
    expect(isReformulation({ query: 'red dresss', resultsCount: 0 }, 'red dress')).toBe(true);
    expect(isReformulation({ query: 'red', resultsCount: 20 }, 'red dress')).toBe(false);
    expect(isReformulation({ query: 'red' }, 'red dress')).toBe(false);
  });
});
