import { getDataSourceToken } from '@nestjs/typeorm';
import { profileIdFor } from '@signal/contracts';
import type { DataSource } from 'typeorm';
import { OffersService } from '../src/decisions';
import { profileView, publishProfiles } from './factories';
import { eventually, product, purchase, startCampaign, uniqueStore, type Harness } from './harness';

interface Answer {
  decisionId: string;
  placement: string;
  content: null | { campaignId: string; variantId: string; kind: string; title?: string; offer?: { offerId: string; code: string; expiresAt: string }; products?: { productId: string }[] };
  reason: string;
}

const welcomeOffer = { offerId: 'welcome10', name: 'Welcome 10%', kind: 'first_purchase', discount: { percent: 10 }, codePrefix: 'WELCOME', validityDays: 14, budget: 100 };
const loyaltyOffer = { offerId: 'thanks15', name: 'Thank you 15%', kind: 'loyalty', discount: { percent: 15 }, codePrefix: 'THANKS', validityDays: 30, budget: 100 };

describe('on-site decisions and offers (real Postgres and Kafka)', () => {
  let h: Harness;
  const store = uniqueStore();
  const subscriber = { anonymousId: 'a-subscriber' };
  const newcomer = { anonymousId: 'a-newcomer' };
  const loyal = { anonymousId: 'a-loyal', customerId: 'c-loyal' };

  const decide = async (query: string, s = store) => {
    const res = await h.get<Answer>(`/v1/stores/${s}/decisions?${query}`);
    expect(res.status).toBe(200);
    return res.body;
  };
  const event = (decisionId: string, type: string, s = store) => h.send<{ recorded: boolean }>('POST', `/v1/stores/${s}/decisions/${decisionId}/events`, { type });
  const create = async (path: string, body: unknown, s = store) => {
    const res = await h.send('POST', `/v1/stores/${s}/${path}`, body);
    expect(res).toMatchObject({ status: 201 });
  };

  beforeAll(async () => {
    h = await startCampaign();
    await publishProfiles(h, [
      profileView(store, subscriber, { stage: 'subscribed', consent: { email: true } }),
      profileView(store, newcomer),
      profileView(store, loyal, { stage: 'loyal', orders: { count: 6, revenue: 600, withDiscount: 0 }, purchased: [{ productId: 'rug-1', at: new Date().toISOString() }] }),
    ]);
    await eventually(async () => (await h.sql(`SELECT 1 FROM "campaign"."shoppers" WHERE "store_id" = $1`, [store])).length === 3);
    await create('offers', welcomeOffer);
    await create('offers', loyaltyOffer);
  });

  afterAll(async () => {
    await h?.close();
  });

  describe('sign-up pop-up and offers', () => {
    beforeAll(async () => {
      await create('onsite-campaigns', {
        campaignId: 'signup-popup',
        name: 'Join the list',
        placement: 'popup',
        priority: 10,
        variants: [{ variantId: 'join', kind: 'signup', content: { title: 'Get our news', cta: { label: 'Sign up', url: '/signup' } } }],
      });
      await create('onsite-campaigns', {
        campaignId: 'offers-banner',
        name: 'Offers',
        placement: 'banner',
        variants: [
          { variantId: 'welcome', kind: 'offer', offerId: 'welcome10', content: { title: '10% off your first order' } },
          { variantId: 'thanks', kind: 'offer', offerId: 'thanks15', content: { title: '15% for coming back' } },
        ],
      });
    });

    it('a subscriber never sees the sign-up pop-up; a new visitor and an unknown shopper do', async () => {
      for (let i = 0; i < 3; i++) {
        const a = await decide(`placement=popup&anonymousId=${subscriber.anonymousId}`);
        expect(a.content).toBeNull();
      }
      expect((await decide(`placement=popup&anonymousId=${newcomer.anonymousId}`)).content).toMatchObject({ kind: 'signup', title: 'Get our news' });
      expect((await decide('placement=popup&anonymousId=never-seen-before')).content).toMatchObject({ kind: 'signup' });
    });

    it('a new visitor and a loyal customer get different offers, each with a code that is re-shown, not re-issued', async () => {
      const fresh = await decide(`placement=banner&anonymousId=${newcomer.anonymousId}`);
      const regular = await decide(`placement=banner&customerId=${loyal.customerId}&anonymousId=whatever`);
      expect(fresh.content?.offer).toMatchObject({ offerId: 'welcome10', code: expect.stringMatching(/^WELCOME-/) });
      expect(regular.content?.offer).toMatchObject({ offerId: 'thanks15', code: expect.stringMatching(/^THANKS-/) });
      const again = await decide(`placement=banner&anonymousId=${newcomer.anonymousId}`);
      expect(again.content?.offer?.code).toBe(fresh.content?.offer?.code);
      const report = await h.get(`/v1/stores/${store}/offers/welcome10/report`);
      expect(report.body).toMatchObject({ issued: 1, redeemed: 0, budget: 100, budgetLeft: 99 });
    });

    it('a purchase carrying the code marks it redeemed; a used code is never shown again', async () => {
      const code = (await decide(`placement=banner&anonymousId=${newcomer.anonymousId}`)).content?.offer?.code as string;
      await h.publish([purchase(store, newcomer, ['rug-2'], { properties: { orderId: 'o-1', value: 9, currency: 'EUR', items: [{ productId: 'rug-2', quantity: 1, price: 10 }], discountCode: code.toLowerCase() } })]);
      const checked = await eventually(async () => {
        const res = await h.get<{ redeemedAt: string | null; valid: boolean }>(`/v1/stores/${store}/offers/codes/${code}`);
        return res.body.redeemedAt ? res.body : null;
      });
      expect(checked.valid).toBe(false);
      expect((await h.get(`/v1/stores/${store}/offers/welcome10/report`)).body).toMatchObject({ issued: 1, redeemed: 1 });
      // The same shopper (still without a profile update) is not handed the same offer again.
      expect((await decide(`placement=banner&anonymousId=${newcomer.anonymousId}`)).content).toBeNull();
    });
  });

  describe('codes: budget, expiry and competing offers', () => {
    it('the (budget+1)-th shopper gets no code, also when they all ask at once', async () => {
      const s = uniqueStore();
      await create('offers', { ...welcomeOffer, budget: 3 }, s);
      await create('onsite-campaigns', { campaignId: 'w', name: 'W', placement: 'popup', variants: [{ variantId: 'v', kind: 'offer', offerId: 'welcome10', content: {} }] }, s);
      const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => decide(`placement=popup&anonymousId=shopper-${i}`, s)));
      const codes = answers.flatMap((a) => (a.content?.offer ? [a.content.offer.code] : []));
      expect(codes).toHaveLength(3);
      expect(new Set(codes).size).toBe(3);
      expect(answers.filter((a) => a.content === null).map((a) => a.reason)).toEqual(Array(5).fill('w: offer budget spent'));
      expect((await h.sql(`SELECT count(*)::int AS n FROM "campaign"."offer_codes" WHERE "store_id" = $1`, [s]))[0]).toEqual({ n: 3 });
      expect((await h.get(`/v1/stores/${s}/offers/welcome10/report`)).body).toMatchObject({ issued: 3, budgetLeft: 0 });
    });

    it('a shopper holding a live code of one offer gets no competing one, even when asking for both at once', async () => {
      const s = uniqueStore();
      await create('offers', welcomeOffer, s);
      await create('offers', { ...welcomeOffer, offerId: 'welcome20', codePrefix: 'TWENTY', discount: { percent: 20 } }, s);
      await create('onsite-campaigns', { campaignId: 'ten', name: 'Ten', placement: 'popup', variants: [{ variantId: 'v', kind: 'offer', offerId: 'welcome10', content: {} }] }, s);
      await create('onsite-campaigns', { campaignId: 'twenty', name: 'Twenty', placement: 'banner', variants: [{ variantId: 'v', kind: 'offer', offerId: 'welcome20', content: {} }] }, s);
      for (let i = 0; i < 5; i++) {
        const both = await Promise.all([decide(`placement=popup&anonymousId=racer-${i}`, s), decide(`placement=banner&anonymousId=racer-${i}`, s)]);
        expect(both.filter((a) => a.content?.offer)).toHaveLength(1);
        expect(both.find((a) => !a.content)?.reason).toMatch(/competing offer/);
      }
      const held = await h.sql<{ profile_id: string; n: number }>(`SELECT "profile_id", count(*)::int AS n FROM "campaign"."offer_codes" WHERE "store_id" = $1 GROUP BY 1`, [s]);
      expect(held.map((r) => r.n)).toEqual([1, 1, 1, 1, 1]);
    });

    it('an expired code is invalid, is not re-shown, and frees the shopper for another offer', async () => {
      const s = uniqueStore();
      await create('offers', welcomeOffer, s);
      await create('offers', { ...welcomeOffer, offerId: 'other', codePrefix: 'OTHER' }, s);
      await create('onsite-campaigns', { campaignId: 'w', name: 'W', placement: 'popup', priority: 2, variants: [{ variantId: 'v', kind: 'offer', offerId: 'welcome10', content: {} }] }, s);
      await create('onsite-campaigns', { campaignId: 'o', name: 'O', placement: 'popup', priority: 1, variants: [{ variantId: 'v', kind: 'offer', offerId: 'other', content: {} }] }, s);
      const first = await decide('placement=popup&anonymousId=late', s);
      const code = first.content?.offer?.code as string;
      expect(first.content?.offer?.offerId).toBe('welcome10');
      expect(Date.parse(first.content?.offer?.expiresAt as string) - Date.now()).toBeGreaterThan(13 * 86_400_000);
      await h.sql(`UPDATE "campaign"."offer_codes" SET "expires_at" = now() - interval '1 minute' WHERE "store_id" = $1 AND "code" = $2`, [s, code]);
      expect((await h.get<{ valid: boolean }>(`/v1/stores/${s}/offers/codes/${code}`)).body.valid).toBe(false);
      const next = await decide('placement=popup&anonymousId=late', s);
      expect(next.content?.offer).toMatchObject({ offerId: 'other' });
      expect((await h.get(`/v1/stores/${s}/offers/welcome10/report`)).body).toMatchObject({ issued: 1, expired: 1 });
    });
  });

  describe('OffersService.issue, as journeys call it', () => {
    it('issues within the caller\'s transaction, re-shows the same code, and applies the same guards', async () => {
      const offers = h.service.app.get(OffersService);
      const db = h.service.app.get<DataSource>(getDataSourceToken());
      const s = uniqueStore();
      await create('offers', { ...welcomeOffer, budget: 2 }, s);
      await publishProfiles(h, [profileView(s, { anonymousId: 'buyer' }, { stage: 'repeat_buyer', orders: { count: 2, revenue: 50, withDiscount: 0 } })]);
      await eventually(async () => (await h.sql(`SELECT 1 FROM "campaign"."shoppers" WHERE "store_id" = $1`, [s])).length === 1);
      const newId = profileIdFor(s, { anonymousId: 'cart-abandoner' });
      const first = await db.transaction((tx) => offers.issue(tx, s, 'welcome10', newId));
      expect(first).toMatchObject({ ok: true, code: expect.stringMatching(/^WELCOME-/), discount: { percent: 10 } });
      expect(await db.transaction((tx) => offers.issue(tx, s, 'welcome10', newId))).toEqual(first);
      expect(await db.transaction((tx) => offers.issue(tx, s, 'welcome10', profileIdFor(s, { anonymousId: 'buyer' })))).toEqual({ ok: false, reason: expect.stringMatching(/ordered before/) });
      expect(await db.transaction((tx) => offers.issue(tx, s, 'nope', newId))).toEqual({ ok: false, reason: 'unknown offer' });
      // A transaction that rolls back takes its code and its share of the budget with it.
      await expect(
        db.transaction(async (tx) => {
          expect((await offers.issue(tx, s, 'welcome10', profileIdFor(s, { anonymousId: 'rolled-back' }))).ok).toBe(true);
          throw new Error('journey step failed');
        }),
      ).rejects.toThrow('journey step failed');
      expect((await h.get(`/v1/stores/${s}/offers/welcome10/report`)).body).toMatchObject({ issued: 1, budgetLeft: 1 });
    });
  });

  describe('caps, cool-downs, holdout, review instead of buy, entry-price products', () => {
    it('stops after the cap of impressions, and after a dismiss for the cool-down', async () => {
      const s = uniqueStore();
      await create('onsite-campaigns', { campaignId: 'note', name: 'C', placement: 'bar', priority: 2, cap: { impressions: 2, windowHours: 24 }, variants: [{ variantId: 'v', kind: 'info', content: { title: 'Free shipping' } }] }, s);
      await create('onsite-campaigns', { campaignId: 'calm', name: 'D', placement: 'cta', cooldownHours: 72, variants: [{ variantId: 'v', kind: 'info', content: { title: 'Hello' } }] }, s);
      for (let i = 0; i < 2; i++) {
        const a = await decide('placement=bar&anonymousId=capme', s);
        expect(a.content).not.toBeNull();
        expect((await event(a.decisionId, 'impression', s)).body).toEqual({ decisionId: a.decisionId, type: 'impression', recorded: true });
        // A beacon sent twice counts once.
        expect((await event(a.decisionId, 'impression', s)).body).toMatchObject({ recorded: false });
      }
      expect(await decide('placement=bar&anonymousId=capme', s)).toMatchObject({ content: null, reason: 'note: capped' });
      expect((await decide('placement=bar&anonymousId=someone-else', s)).content).not.toBeNull();

      const shown = await decide('placement=cta&anonymousId=dismisser', s);
      await event(shown.decisionId, 'impression', s);
      expect((await decide('placement=cta&anonymousId=dismisser', s)).content).not.toBeNull();
      expect((await event(shown.decisionId, 'dismiss', s)).status).toBe(200);
      expect(await decide('placement=cta&anonymousId=dismisser', s)).toMatchObject({ content: null, reason: 'calm: cooling down' });
    });

    it('holds out a stable share of shoppers, recorded as such, and the rest see the campaign', async () => {
      const s = uniqueStore();
      await create('onsite-campaigns', { campaignId: 'h', name: 'H', placement: 'popup', holdoutShare: 0.5, variants: [{ variantId: 'v', kind: 'info', content: { title: 'Hi' } }] }, s);
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => decide(`placement=popup&anonymousId=h-${i}`, s)));
      const held = answers.filter((a) => a.reason === 'h: holdout');
      expect(held.length).toBeGreaterThan(2);
      expect(held.length).toBeLessThan(18);
      for (const a of held) expect(a.content).toBeNull();
      for (const a of answers.filter((x) => x.reason !== 'h: holdout')) expect(a.content).not.toBeNull();
      const again = await Promise.all(Array.from({ length: 20 }, (_, i) => decide(`placement=popup&anonymousId=h-${i}`, s)));
      expect(again.map((a) => a.reason)).toEqual(answers.map((a) => a.reason));
      expect((await h.sql<{ n: number }>(`SELECT count(*)::int AS n FROM "campaign"."decisions" WHERE "store_id" = $1 AND "holdout"`, [s]))[0].n).toBe(held.length * 2);
      expect((await event(held[0].decisionId, 'impression', s)).status).toBe(409);
    });

    it("asks for a review instead of a purchase on a product the shopper bought", async () => {
      await create('onsite-campaigns', {
        campaignId: 'pdp',
        name: 'Product page',
        placement: 'inline',
        variants: [
          { variantId: 'buy', kind: 'buy', content: { title: 'Buy now' } },
          { variantId: 'review', kind: 'review', content: { title: 'Tell us what you think' } },
        ],
      });
      expect((await decide(`placement=inline&customerId=${loyal.customerId}&productId=rug-1`)).content).toMatchObject({ kind: 'review' });
      expect((await decide(`placement=inline&customerId=${loyal.customerId}&productId=rug-9`)).content).toMatchObject({ kind: 'buy' });
      expect((await decide(`placement=inline&anonymousId=${newcomer.anonymousId}&productId=rug-1`)).content).toMatchObject({ kind: 'buy' });
    });

    it('shows a new visitor entry-price products of the best-selling category, not the most expensive', async () => {
      const s = uniqueStore();
      await h.publishProducts([
        product(s, 'lux', { price: 900, categories: ['Home > Rugs'] }),
        product(s, 'mid', { price: 200, categories: ['Home > Rugs'] }),
        product(s, 'cheap', { price: 30, salePrice: undefined, categories: ['Home > Rugs'] }),
        product(s, 'gone', { price: 5, inStock: false, categories: ['Home > Rugs'] }),
        product(s, 'mug', { price: 4, categories: ['Kitchen'] }),
      ]);
      await publishProfiles(h, [
        profileView(s, { anonymousId: 'b1' }, { stage: 'first_time_buyer', orders: { count: 1, revenue: 900, withDiscount: 0 }, purchased: [{ productId: 'lux', at: new Date().toISOString() }] }),
        profileView(s, { anonymousId: 'b2' }, { stage: 'first_time_buyer', orders: { count: 1, revenue: 900, withDiscount: 0 }, purchased: [{ productId: 'lux', at: new Date().toISOString() }] }),
      ]);
      await eventually(async () => (await h.sql(`SELECT 1 FROM "campaign"."products" WHERE "store_id" = $1`, [s])).length === 5 && (await h.sql(`SELECT 1 FROM "campaign"."shoppers" WHERE "store_id" = $1`, [s])).length === 2);
      await create('onsite-campaigns', { campaignId: 'shelf', name: 'Start here', placement: 'inline', variants: [{ variantId: 'v', kind: 'products', productLimit: 2, content: { title: 'Popular picks' } }] }, s);
      const a = await decide('placement=inline&anonymousId=first-timer', s);
      expect(a.content?.products?.map((p) => p.productId)).toEqual(['cheap', 'mid']);
    });
  });

  describe('bad input', () => {
    it('an unknown placement is not an error: content null', async () => {
      expect(await decide('placement=nowhere&anonymousId=x')).toMatchObject({ content: null, reason: 'no campaign for this placement' });
    });

    it('refuses malformed queries, ids and events with 400', async () => {
      for (const q of ['anonymousId=x', 'placement=popup', `placement=popup&anonymousId=${'x'.repeat(200)}`, 'placement=pop%20up&anonymousId=x', 'placement=popup&anonymousId=x&extra=1', `placement=popup&anonymousId=x&page=${'p'.repeat(3000)}`]) {
        const res = await h.get(`/v1/stores/${store}/decisions?${q}`);
        expect({ q, status: res.status }).toEqual({ q, status: 400 });
      }
      expect((await h.get('/v1/stores/Bad_Store/decisions?placement=popup&anonymousId=x')).status).toBe(400);
      expect((await event('not-a-uuid', 'click')).status).toBe(400);
      const real = await decide(`placement=popup&anonymousId=${newcomer.anonymousId}`);
      expect((await event(real.decisionId, 'purchase')).status).toBe(400);
      expect((await h.send('POST', `/v1/stores/${store}/decisions/${real.decisionId}/events`, '[1,')).status).toBe(400);
      expect((await event('00000000-0000-4000-8000-000000000000', 'click')).status).toBe(404);
    });

    it('refuses bad definitions with 400 naming the field, and conflicts with 409', async () => {
      const bad = await h.send<{ errors: { field: string }[] }>('POST', `/v1/stores/${store}/onsite-campaigns`, {
        campaignId: 'bad',
        name: 'Bad',
        placement: 'popup',
        audience: { all: [{ stage: { in: 'loyal' } }] },
        variants: [{ variantId: 'v', kind: 'offer', offerId: 'nope', content: {} }],
      });
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].field).toBe('audience.all.0.stage.in');
      const unknownOffer = await h.send<{ errors: { field: string }[] }>('POST', `/v1/stores/${store}/onsite-campaigns`, {
        campaignId: 'bad',
        name: 'Bad',
        placement: 'popup',
        variants: [{ variantId: 'v', kind: 'offer', offerId: 'nope', content: {} }],
      });
      expect(unknownOffer).toMatchObject({ status: 400, body: { errors: [{ field: 'variants.0.offerId' }] } });
      expect((await h.send('POST', `/v1/stores/${store}/offers`, { ...welcomeOffer, budget: -1 })).status).toBe(400);
      expect((await h.send('POST', `/v1/stores/${store}/offers`, welcomeOffer)).status).toBe(409);
      expect((await h.send('PUT', `/v1/stores/${store}/offers/other-id`, welcomeOffer)).status).toBe(400);
      expect((await h.send('POST', `/v1/stores/${store}/offers`, 'not json')).status).toBe(400);
      expect((await h.get(`/v1/stores/${store}/offers/${'x'.repeat(200)}`)).status).toBe(400);
      expect((await h.get(`/v1/stores/${store}/onsite-campaigns/missing`)).status).toBe(404);
      expect((await h.send('DELETE', `/v1/stores/${store}/offers/welcome10`)).status).toBe(409);
    });

    it('admin round trip: read, replace and delete a campaign', async () => {
      const body = { campaignId: 'tmp', name: 'Tmp', placement: 'bar', variants: [{ variantId: 'v', kind: 'info', content: { title: 'x' } }] };
      await create('onsite-campaigns', body);
      expect((await h.get(`/v1/stores/${store}/onsite-campaigns/tmp`)).body).toMatchObject({ campaignId: 'tmp', priority: 0 });
      expect((await h.send('PUT', `/v1/stores/${store}/onsite-campaigns/tmp`, { ...body, status: 'paused' })).status).toBe(200);
      expect((await decide('placement=bar&anonymousId=x')).content).toBeNull();
      expect((await h.send('DELETE', `/v1/stores/${store}/onsite-campaigns/tmp`)).status).toBe(200);
      expect((await h.get(`/v1/stores/${store}/onsite-campaigns/tmp`)).status).toBe(404);
    });
  });
});
