import { checkedQuery } from '../recommendation-query';
import { fallbackAnswer } from '../fallback';
import { TrendingCache } from '../trending-cache';

const item = (productId: string, score = 1) => ({ productId, score, reason: 'Trending in your store' });
const trending = ['p1', 'p2', 'p3', 'p4', 'p5'].map((id, i) => item(id, 5 - i));

describe('fallbackAnswer', () => {
  it('serves the cached trending items, less the excluded, the cart and the product on the page, cut to the limit', () => {
    const answer = fallbackAnswer(checkedQuery({ placement: 'similar', productId: 'p1', exclude: 'p2', cart: 'p4', limit: '2' }), trending);
    expect(answer).toEqual({
      recommendationId: expect.stringMatching(/^fallback-[0-9a-f-]{36}$/),
      placement: 'similar',
      personalized: false,
      items: [item('p3', 3), item('p5', 1)],
      fallback: 'recommender unavailable: cached trending',
    });
  });

  it('serves no items when nothing is cached', () => {
    expect(fallbackAnswer(checkedQuery({ placement: 'home', anonymousId: 'a1' }), undefined)).toMatchObject({
      placement: 'home',
      personalized: false,
      items: [],
      fallback: 'recommender unavailable: no items',
    });
  });

  it('gives every answer its own recommendationId', () => {
    const query = checkedQuery({ placement: 'trending' });
    expect(fallbackAnswer(query, trending).recommendationId).not.toBe(fallbackAnswer(query, trending).recommendationId);
  });
});

describe('TrendingCache', () => {
  it('keeps the latest items of each store', () => {
    const cache = new TrendingCache(10);
    cache.set('s1', [item('a')]);
    cache.set('s1', [item('b')]);
    expect(cache.get('s1')).toEqual([item('b')]);
    expect(cache.get('s2')).toBeUndefined();
  });

  it('holds at most maxStores, dropping the least recently refreshed', () => {
    const cache = new TrendingCache(2);
    cache.set('s1', [item('a')]);
    cache.set('s2', [item('b')]);
    cache.set('s1', [item('c')]);
    cache.set('s3', [item('d')]);
    expect(cache.size).toBe(2);
    expect(cache.get('s2')).toBeUndefined();
    expect(cache.get('s1')).toEqual([item('c')]);
    expect(cache.get('s3')).toEqual([item('d')]);
  });
});
