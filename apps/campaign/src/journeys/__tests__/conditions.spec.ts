import { evaluate, isDiscountSensitive, isHabitualAbandoner, type ShopperFacts } from '../conditions';
import { cartAbandonment } from '../examples';
import type { BranchStep } from '../definition';

const shopper = (o: Partial<ShopperFacts> = {}): ShopperFacts => ({
  stage: 'browsing',
  segments: [],
  ordersCount: 0,
  discountOrderShare: null,
  offerResponseRate: null,
  incentiveConversions: 0,
  cartItems: 1,
  productInStock: null,
  ...o,
});

describe('habitual abandoners', () => {
  it('are shoppers who twice bought only after the abandonment incentive', () => {
    expect(isHabitualAbandoner(shopper({ incentiveConversions: 1 }))).toBe(false);
    expect(isHabitualAbandoner(shopper({ incentiveConversions: 2 }))).toBe(true);
  });

  it('or buyers of at least 3 orders, half of them or more with a discount', () => {
    expect(isHabitualAbandoner(shopper({ ordersCount: 3, discountOrderShare: 0.5 }))).toBe(true);
    expect(isHabitualAbandoner(shopper({ ordersCount: 2, discountOrderShare: 1 }))).toBe(false);
    expect(isHabitualAbandoner(shopper({ ordersCount: 10, discountOrderShare: 0.4 }))).toBe(false);
  });
});

describe('evaluate', () => {
  it('needs every field given to hold', () => {
    expect(evaluate({ stageIn: ['browsing'], ordersAtLeast: 1 }, shopper())).toBe(false);
    expect(evaluate({ stageIn: ['browsing'], ordersAtLeast: 0 }, shopper())).toBe(true);
    expect(evaluate({ segmentIn: ['vip', 'rugs'] }, shopper({ segments: ['rugs'] }))).toBe(true);
    expect(evaluate({ segmentIn: ['vip'] }, shopper({ segments: ['rugs'] }))).toBe(false);
  });

  it('combines with any, all and not', () => {
    const c = { any: [{ stageIn: ['loyal' as const] }, { ordersAtLeast: 5 }], not: { discountSensitive: true } };
    expect(evaluate(c, shopper({ stage: 'loyal' }))).toBe(true);
    expect(evaluate(c, shopper({ ordersCount: 5 }))).toBe(true);
    expect(evaluate(c, shopper({ ordersCount: 5, discountOrderShare: 0.8 }))).toBe(false);
    expect(evaluate({ all: [{ cartHasItems: true }, { productInStock: true }] }, shopper({ productInStock: true }))).toBe(true);
    expect(evaluate({ all: [{ cartHasItems: true }, { productInStock: true }] }, shopper({ productInStock: false }))).toBe(false);
  });

  it('puts a shopper without a known profile in no stage', () => {
    expect(evaluate({ stageIn: ['new_visitor'] }, shopper({ stage: null }))).toBe(false);
    expect(evaluate({ not: { stageIn: ['loyal'] } }, shopper({ stage: null }))).toBe(true);
  });

  it('discount sensitivity reads orders with discounts or offer responses', () => {
    expect(isDiscountSensitive(shopper({ ordersCount: 2, discountOrderShare: 0.5 }))).toBe(true);
    expect(isDiscountSensitive(shopper({ offerResponseRate: 0.6 }))).toBe(true);
    expect(isDiscountSensitive(shopper({ ordersCount: 2, discountOrderShare: 0.1, offerResponseRate: 0.1 }))).toBe(false);
  });

  it('the cart-abandonment example offers the incentive to new potential buyers and loyal customers, never to habitual abandoners', () => {
    const incentive = cartAbandonment().steps.find((s) => s.id === 'incentive') as unknown as BranchStep;
    for (const stage of ['new_visitor', 'browsing', 'engaged', 'subscribed', 'loyal']) expect(evaluate(incentive.if, shopper({ stage }))).toBe(true);
    for (const stage of ['first_time_buyer', 'repeat_buyer', 'lapsed']) expect(evaluate(incentive.if, shopper({ stage }))).toBe(false);
    expect(evaluate(incentive.if, shopper({ stage: 'loyal', incentiveConversions: 2 }))).toBe(false);
    expect(evaluate(incentive.if, shopper({ stage: 'loyal', ordersCount: 8, discountOrderShare: 0.75 }))).toBe(false);
  });
});
