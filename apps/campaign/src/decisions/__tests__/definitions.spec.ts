import { checkCampaign, checkDecisionEvent, checkOffer } from '../definitions';
import { UNKNOWN_SHOPPER } from '../rules';
import { bestSellingCategory, pickProducts, type CatalogRow } from '../product-picks';
import { newCode } from '../offers.service';

const campaign = (o: Record<string, unknown> = {}) => ({
  campaignId: 'welcome',
  name: 'Welcome',
  placement: 'popup',
  variants: [{ variantId: 'a', kind: 'signup', content: { title: 'Join us', cta: { label: 'Sign up', url: '/signup' } } }],
  ...o,
});

describe('campaign definitions', () => {
  it('fills in defaults', () => {
    const c = checkCampaign(campaign({ audience: { all: [{ stage: { in: ['new_visitor'] } }, { not: { segment: { in: ['vip'] } } }] } }));
    expect(c.ok && c.value).toMatchObject({ priority: 0, status: 'active', cooldownHours: 0, holdoutShare: 0, variants: [{ weight: 1 }] });
  });

  it('names the field of a bad condition, variant or cap', () => {
    const bad = checkCampaign(campaign({ audience: { stage: { in: 'loyal' } }, cap: { impressions: 0, windowHours: 1 } }));
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.errors.map((e) => e.field)).toEqual(['audience.stage.in', 'cap.impressions']);
    const unknownRule = checkCampaign(campaign({ audience: { shoeSize: 42 } }));
    expect(!unknownRule.ok && unknownRule.errors[0]).toEqual({ field: 'audience', message: expect.stringContaining('Expected exactly one of: all, any, not, stage') });
    const nested = checkCampaign(campaign({ audience: { all: [{ stage: { in: ['loyal'] } }, { not: { orders: { gte: -1 } } }] } }));
    expect(!nested.ok && nested.errors.map((e) => e.field)).toEqual(['audience.all.1.not.orders.gte']);
    const emptyGroup = checkCampaign(campaign({ audience: { any: [] } }));
    expect(!emptyGroup.ok && emptyGroup.errors.map((e) => e.field)).toEqual(['audience.any']);
    const noOffer = checkCampaign(campaign({ variants: [{ variantId: 'a', kind: 'offer', content: {} }] }));
    expect(!noOffer.ok && noOffer.errors).toEqual([{ field: 'variants.0.offerId', message: expect.any(String) }]);
    const twice = checkCampaign(campaign({ variants: [{ variantId: 'a', kind: 'info', content: {} }, { variantId: 'a', kind: 'info', content: {} }] }));
    expect(!twice.ok && twice.errors[0].field).toBe('variants.1.variantId');
  });

  it('refuses conditions nested too deep, end before start, non-objects and oversized strings', () => {
    let deep: unknown = { stage: { in: ['x'] } };
    for (let i = 0; i < 40; i++) deep = { not: deep };
    expect(checkCampaign(campaign({ audience: deep })).ok).toBe(false);
    expect(checkCampaign(campaign({ startsAt: '2026-02-01T00:00:00Z', endsAt: '2026-01-01T00:00:00Z' })).ok).toBe(false);
    expect(checkCampaign([]).ok).toBe(false);
    expect(checkCampaign(campaign({ name: 'x'.repeat(201) })).ok).toBe(false);
    expect(checkCampaign(campaign({ campaignId: 'bad id' })).ok).toBe(false);
  });
});

describe('offer definitions and codes', () => {
  const offer = { offerId: 'welcome10', name: 'Welcome', kind: 'first_purchase', discount: { percent: 10 }, codePrefix: 'WELCOME', validityDays: 14, budget: 100 };
  it('accepts a percent or an amount with its currency', () => {
    expect(checkOffer(offer).ok).toBe(true);
    expect(checkOffer({ ...offer, discount: { amount: 5, currency: 'EUR' } }).ok).toBe(true);
    expect(checkOffer({ ...offer, discount: { amount: 5 } }).ok).toBe(false);
    expect(checkOffer({ ...offer, kind: 'bogus' }).ok).toBe(false);
    expect(checkOffer({ ...offer, codePrefix: 'lower' }).ok).toBe(false);
    expect(checkOffer({ ...offer, budget: 0 }).ok).toBe(false);
  });

  it('codes carry the prefix and are unlike each other', () => {
    const codes = new Set(Array.from({ length: 1000 }, () => newCode('WELCOME')));
    expect(codes.size).toBe(1000);
    for (const c of codes) expect(c).toMatch(/^WELCOME-[A-HJ-NP-Z2-9]{10}$/);
  });

  it('decision events are impression, click or dismiss', () => {
    expect(checkDecisionEvent({ type: 'click' }).ok).toBe(true);
    expect(checkDecisionEvent({ type: 'purchase' }).ok).toBe(false);
    expect(checkDecisionEvent('click').ok).toBe(false);
  });
});

describe('products for a products variant', () => {
  const row = (id: string, price: number, categories: string[]): CatalogRow => ({ product_id: id, title: id, categories, price, sale_price: null, currency: 'EUR', image_url: null });
  const catalog = [row('rug-lux', 900, ['Home > Rugs']), row('rug-mid', 200, ['Home > Rugs']), row('rug-cheap', 40, ['Home > Rugs']), row('mug', 8, ['Kitchen'])];

  it("a new visitor gets the cheapest of the store's best-selling category, not the most expensive", () => {
    const buyers = new Map([['rug-lux', 9], ['mug', 1]]);
    expect(bestSellingCategory(catalog, buyers)).toBe('home > rugs');
    expect(pickProducts(catalog, buyers, UNKNOWN_SHOPPER, 2).map((p) => p.productId)).toEqual(['rug-cheap', 'rug-mid']);
  });

  it("follows the shopper's category affinity first, and a known buyer gets the best sellers, never what they own", () => {
    const buyers = new Map([['rug-lux', 9], ['rug-mid', 3]]);
    const newcomer = { ...UNKNOWN_SHOPPER, affinityCategories: ['kitchen'] };
    expect(pickProducts(catalog, buyers, newcomer, 2).map((p) => p.productId)).toEqual(['mug']);
    const loyal = { ...UNKNOWN_SHOPPER, known: true, stage: 'loyal', ordersCount: 4, purchased: ['rug-lux'], affinityCategories: ['home > rugs'] };
    expect(pickProducts(catalog, buyers, loyal, 2).map((p) => p.productId)).toEqual(['rug-mid', 'rug-cheap']);
  });
});
