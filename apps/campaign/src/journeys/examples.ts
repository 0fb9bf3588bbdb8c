/**
 * The journeys README's examples, as data: the tests check that they are valid and behave as the
 * README says, so the documentation cannot drift from the code.
 */

/**
 * Cart abandonment: an hour after the last add_to_cart without a purchase, a reminder; the
 * incentive only for new potential buyers and loyal customers who are not habitual abandoners.
 */
export const cartAbandonment = (o: { waitMinutes?: number; waitSeconds?: number; offerId?: string; holdoutPercent?: number } = {}) => ({
  name: 'Cart reminder',
  trigger: { type: 'cart_abandoned' },
  exitOn: ['purchase'],
  holdoutPercent: o.holdoutPercent ?? 10,
  reentry: 'after_exit',
  status: 'active',
  steps: [
    o.waitSeconds !== undefined ? { id: 'wait-1h', type: 'wait', seconds: o.waitSeconds } : { id: 'wait-1h', type: 'wait', minutes: o.waitMinutes ?? 60 },
    { id: 'still-in-cart', type: 'branch', if: { cartHasItems: true }, then: 'incentive', else: 'stop' },
    {
      id: 'incentive',
      type: 'branch',
      if: { stageIn: ['new_visitor', 'browsing', 'engaged', 'subscribed', 'loyal'], habitualAbandoner: false },
      then: 'reminder-with-code',
      else: 'reminder',
    },
    {
      id: 'reminder-with-code',
      type: 'send',
      channel: 'email',
      offerId: o.offerId ?? 'cart-10',
      template: {
        subject: 'You left {{cart.count}} item(s) in your cart',
        html: '<p>Still thinking it over?</p><ul>{{#each cart.items}}<li>{{title}}: {{money price currency}}</li>{{/each}}</ul>{{#if offer}}<p>Use <b>{{offer.code}}</b> before {{offer.expiresAt}}.</p>{{/if}}',
      },
    },
    { id: 'done-with-code', type: 'exit' },
    {
      id: 'reminder',
      type: 'send',
      channel: 'email',
      template: {
        subject: 'You left {{cart.count}} item(s) in your cart',
        html: '<p>Still thinking it over?</p><ul>{{#each cart.items}}<li>{{title}}: {{money price currency}}</li>{{/each}}</ul>',
      },
    },
    { id: 'stop', type: 'exit' },
  ],
});

/** Almost out of stock: shoppers who viewed, carted or hearted the item in the last 30 days, with the number left. */
export const lowStock = (o: { threshold?: number; holdoutPercent?: number } = {}) => ({
  name: 'Almost gone',
  trigger: { type: 'low_stock', threshold: o.threshold ?? 5, kinds: ['view', 'cart', 'heart'], withinDays: 30 },
  holdoutPercent: o.holdoutPercent ?? 0,
  reentry: 'after_exit',
  steps: [
    {
      id: 'alert',
      type: 'send',
      channel: 'email',
      template: {
        subject: 'Only {{product.left}} left: {{product.title}}',
        html: '<p>{{product.title}} is almost gone: only {{product.left}} left at {{money product.price product.currency}}.</p>',
      },
      recommendations: { placement: 'similar', limit: 3 },
    },
  ],
});
