import { TOPICS, profileIdFor, type PrivacyErasure, type ProfileView, type SegmentMembershipChange } from '@signal/contracts';
import { KafkaTap, eventually } from '@signal/testing';
import { enrichedEvent } from './enriched-event.factory';
import { startProfile, uniqueStore, type Harness } from './harness';

let h: Harness;
let changed: KafkaTap<ProfileView | null>;
let erasures: KafkaTap<PrivacyErasure>;
let memberships: KafkaTap<SegmentMembershipChange>;

beforeAll(async () => {
  h = await startProfile();
  [changed, erasures, memberships] = await Promise.all([
    KafkaTap.open<ProfileView | null>(h.config.KAFKA_BROKERS, TOPICS.ProfilesChanged),
    KafkaTap.open<PrivacyErasure>(h.config.KAFKA_BROKERS, TOPICS.PrivacyErasures),
    KafkaTap.open<SegmentMembershipChange>(h.config.KAFKA_BROKERS, TOPICS.SegmentsMembership),
  ]);
}, 90_000);
afterAll(async () => {
  await Promise.all([changed?.close(), erasures?.close(), memberships?.close()]);
  await h?.close();
});

const TABLES = ['profiles', 'identities', 'segment_memberships', 'profile_merges', 'quiz_rewards'];

async function waitForEvents(storeId: string, profileId: string, n: number): Promise<ProfileView> {
  return eventually(async () => {
    const p = await h.profile(storeId, profileId);
    return p && p.eventCount >= n ? p : undefined;
  });
}

describe('privacy', () => {
  it('exports everything held about a person, then erases them without a trace', async () => {
    const storeId = uniqueStore();
    await expect(
      h.send('POST', `/v1/stores/${storeId}/quizzes`, {
        quizId: 'fit',
        title: 'Fit',
        questions: [{ questionId: 'size', text: 'Your size?', options: [{ optionId: 'm', label: 'M', traits: { size: 'M' } }, { optionId: 'l', label: 'L' }] }],
        reward: { discountPercent: 10 },
      }),
    ).resolves.toMatchObject({ status: 201 });
    await expect(h.send('POST', `/v1/stores/${storeId}/segments`, { segmentId: 'known', name: 'known', definition: { field: 'hasEmail', op: 'eq', value: true } })).resolves.toMatchObject({ status: 201 });
    const reward = await h.send<{ reward: { code: string } }>('POST', `/v1/stores/${storeId}/quizzes/fit/responses`, { responseId: 'r1', anonymousId: 'dev-p', answers: [{ questionId: 'size', answerIds: ['m'] }] });
    expect(reward.body.reward.code).toMatch(/^QUIZ-/);

    const base = { storeId, anonymousId: 'dev-p' };
    const customer = profileIdFor(storeId, { customerId: 'cust-p', anonymousId: 'dev-p' });
    const events = [
      enrichedEvent({ ...base, type: 'product_view', properties: { productId: 'p1', category: 'Shoes' } }),
      enrichedEvent({ ...base, type: 'quiz_answer', properties: { quizId: 'fit', questionId: 'size', answerIds: ['m'] } }),
      enrichedEvent({ ...base, customerId: 'cust-p', type: 'identify', properties: { email: 'pat@example.com' } }),
      enrichedEvent({
        ...base,
        customerId: 'cust-p',
        type: 'purchase',
        properties: { orderId: 'o-1', value: 45, currency: 'EUR', discountCode: reward.body.reward.code, items: [{ productId: 'p1', quantity: 1, price: 45 }] },
      }),
    ];
    // Browsing first, then the identify that merges the anonymous profile into the customer's.
    await h.publish(events.slice(0, 2));
    await waitForEvents(storeId, events[0]?.profileId as string, 2);
    await h.publish(events.slice(2));
    const view = await waitForEvents(storeId, customer, 4);
    expect(view).toMatchObject({ email: 'pat@example.com', traits: { size: 'M', 'quiz.fit.size': ['m'] }, segments: ['known'] });

    const exported = await h.get<{ profile: ProfileView; record: { history: unknown[] }; memberships: unknown[]; mergedProfiles: unknown[]; quizRewards: { code: string }[] }>(`/v1/stores/${storeId}/profiles/${customer}/export`);
    expect(exported.status).toBe(200);
    expect(exported.body.profile.identities).toEqual([
      { kind: 'customer', value: 'cust-p' },
      { kind: 'anonymous', value: 'dev-p' },
    ]);
    expect(exported.body.record.history).toHaveLength(4);
    expect(exported.body.memberships).toEqual([expect.objectContaining({ segmentId: 'known' })]);
    expect(exported.body.mergedProfiles).toHaveLength(1);
    // The purchase that used the code redeemed it.
    expect(exported.body.quizRewards).toEqual([expect.objectContaining({ code: reward.body.reward.code, redeemedAt: expect.any(String) })]);
    expect(view.discountSensitivity.orderShare).toBe(1);

    // Erasing by the old anonymous id reaches the customer profile it was merged into.
    const anonymous = events[0]?.profileId as string;
    const erased = await h.send<PrivacyErasure>('DELETE', `/v1/stores/${storeId}/profiles/${anonymous}`);
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({ storeId, profileId: customer });

    for (const table of TABLES) await expect(h.sql(`SELECT * FROM "profile"."${table}" WHERE store_id = $1`, [storeId])).resolves.toEqual([]);
    await expect(h.get(`/v1/stores/${storeId}/profiles/${customer}`)).resolves.toMatchObject({ status: 404 });
    await expect(h.get(`/v1/stores/${storeId}/profiles/${customer}/export`)).resolves.toMatchObject({ status: 404 });
    await expect(h.get(`/v1/stores/${storeId}/profiles?customerId=cust-p`)).resolves.toMatchObject({ status: 404 });

    const [tombstone] = await changed.waitFor((m) => m.key === `${storeId}:${customer}` && m.value === null);
    expect(tombstone).toBeDefined();
    const [announced] = await erasures.waitFor((m) => m.value.storeId === storeId);
    expect(announced?.value.identities).toEqual(erased.body.identities);
    const [left] = await memberships.waitFor((m) => m.value.storeId === storeId && m.value.change === 'exited');
    expect(left?.value).toMatchObject({ segmentId: 'known', profileId: customer, trigger: 'erasure' });

    // An event accepted before the erasure but processed after it does not bring them back.
    const late = enrichedEvent({ ...base, customerId: 'cust-p', type: 'page_view', receivedAt: new Date(Date.now() - 60_000).toISOString() });
    const fresh = enrichedEvent({ ...base, type: 'page_view', anonymousId: 'dev-other' });
    await h.publish([late, fresh]);
    await waitForEvents(storeId, fresh.profileId, 1);
    await expect(h.sql(`SELECT profile_id FROM "profile"."profiles" WHERE store_id = $1`, [storeId])).resolves.toEqual([{ profile_id: fresh.profileId }]);

    await expect(h.send('DELETE', `/v1/stores/${storeId}/profiles/${customer}`)).resolves.toMatchObject({ status: 404 });
    await expect(h.send('DELETE', `/v1/stores/${storeId}/profiles/${'x'.repeat(300)}`)).resolves.toMatchObject({ status: 400 });
  });

  it('leaves every segment and stops learning when personalization consent is withdrawn', async () => {
    const storeId = uniqueStore();
    await h.send('POST', `/v1/stores/${storeId}/segments`, { segmentId: 'viewers', name: 'viewers', definition: { field: 'counters.product_view', op: 'gte', value: 1 } });
    const base = { storeId, anonymousId: 'dev-c' };
    const view = enrichedEvent({ ...base, type: 'product_view', properties: { productId: 'p1', brand: 'Acme' } });
    await h.publish([view]);
    await memberships.waitFor((m) => m.value.storeId === storeId && m.value.change === 'entered');
    await h.publish([enrichedEvent({ ...base, type: 'consent', properties: { personalization: false } })]);
    const [, left] = await memberships.waitFor((m) => m.value.storeId === storeId, 2);
    expect(left?.value).toMatchObject({ change: 'exited', because: 'personalization consent withdrawn' });
    const p = await waitForEvents(storeId, view.profileId, 2);
    expect(p).toMatchObject({ consent: { personalization: false }, segments: [], affinities: { brand: [] } });
    // Other services hear the same on the compacted topic, in order: first in the segment, then out with consent withdrawn.
    const published = await changed.waitFor((m) => m.key === `${storeId}:${view.profileId}`, 2);
    expect(published.map((m) => [m.value?.segments, m.value?.consent])).toEqual([
      [['viewers'], {}],
      [[], { personalization: false }],
    ]);
  });
});
