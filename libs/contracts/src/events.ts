import { Type, type Static, type TObject, type TProperties } from '@sinclair/typebox';
import { Currency, Id, Money, StoreId, Text, Timestamp, Url } from './primitives';

/** Every kind of shopper behaviour the platform understands. */
export const EVENT_TYPES = [
  'page_view',
  'product_view',
  'product_click',
  'search',
  'search_result_click',
  'add_to_cart',
  'remove_from_cart',
  'checkout_started',
  'purchase',
  'favorite',
  'unfavorite',
  'quiz_answer',
  'identify',
  'signup',
  'subscribe',
  'unsubscribe',
  'review',
  'recommendation_click',
  'campaign_open',
  'campaign_click',
  'push_subscribed',
  'consent',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Events on which an anonymous id is tied to a known customer. */
export const IDENTIFYING_EVENT_TYPES: readonly EventType[] = ['identify', 'signup', 'purchase'];

const ProductId = Id('Product id as in the catalog.');
const Quantity = Type.Integer({ minimum: 1, maximum: 10_000 });
const Channel = Type.Union([Type.Literal('email'), Type.Literal('push'), Type.Literal('sms'), Type.Literal('webhook')]);

const LineItem = Type.Object(
  {
    productId: ProductId,
    variantId: Type.Optional(Id('Variant id.')),
    quantity: Quantity,
    price: Money('Unit price paid.'),
  },
  { additionalProperties: false },
);

/** Preferences a shopper declared (a profile form, a preference centre); explicit traits of the profile. */
export const DeclaredTraits = Type.Record(
  Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,128}$' }),
  Type.Union([Type.String({ maxLength: 256 }), Type.Number(), Type.Boolean(), Type.Array(Type.String({ maxLength: 256 }), { maxItems: 50 })]),
  { maxProperties: 50, description: 'Declared preferences, e.g. { "skinType": "dry", "sizes": ["M", "L"] }.' },
);
export type TraitValue = string | number | boolean | string[];

// Store-specific extras are allowed on properties; the known fields are checked strictly.
const props = <T extends TProperties>(properties: T): TObject<T> => Type.Object(properties, { additionalProperties: true });

const ProductRef = {
  productId: ProductId,
  variantId: Type.Optional(Id('Variant id.')),
  price: Type.Optional(Money('Price shown.')),
  currency: Type.Optional(Currency),
  category: Type.Optional(Text(256, 'Category path as shown.')),
  brand: Type.Optional(Text(128, 'Brand.')),
};

/** The `properties` each event type must carry. */
export const EVENT_PROPERTIES = {
  page_view: props({ pageType: Type.Optional(Text(64, 'home, category, product, cart, checkout, ...')) }),
  product_view: props(ProductRef),
  product_click: props({ ...ProductRef, listId: Type.Optional(Text(128, 'List the click came from.')), position: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })) }),
  search: props({
    query: Type.String({ minLength: 1, maxLength: 256, description: 'What the shopper typed.' }),
    searchId: Type.Optional(Id('Id of the search answer shown.')),
    resultsCount: Type.Optional(Type.Integer({ minimum: 0, maximum: 1e9 })),
  }),
  search_result_click: props({
    productId: ProductId,
    position: Type.Integer({ minimum: 0, maximum: 10_000, description: '0-based rank of the clicked hit.' }),
    searchId: Type.Optional(Id('Id of the search answer clicked in.')),
    query: Type.Optional(Text(256, 'Query of that search.')),
  }),
  add_to_cart: props({ ...ProductRef, quantity: Quantity, cartId: Type.Optional(Id('Cart id.')) }),
  remove_from_cart: props({ ...ProductRef, quantity: Quantity, cartId: Type.Optional(Id('Cart id.')) }),
  checkout_started: props({
    cartId: Type.Optional(Id('Cart id.')),
    value: Type.Optional(Money('Cart value.')),
    currency: Type.Optional(Currency),
    items: Type.Optional(Type.Array(LineItem, { maxItems: 500 })),
  }),
  purchase: props({
    orderId: Id('Order id; unique per store.'),
    value: Money('Order total paid.'),
    currency: Currency,
    items: Type.Array(LineItem, { minItems: 1, maxItems: 500 }),
    discountCode: Type.Optional(Text(64, 'Discount code used.')),
    discountValue: Type.Optional(Money('Discount granted.')),
  }),
  favorite: props({ productId: ProductId }),
  unfavorite: props({ productId: ProductId }),
  quiz_answer: props({
    quizId: Id('Quiz id.'),
    questionId: Id('Question id.'),
    answerIds: Type.Array(Id('Chosen option id.'), { minItems: 1, maxItems: 50 }),
  }),
  identify: props({ email: Type.Optional(Text(320, 'E-mail address.')), traits: Type.Optional(DeclaredTraits) }),
  signup: props({ email: Type.Optional(Text(320, 'E-mail address.')), method: Type.Optional(Text(64, 'How they signed up.')), traits: Type.Optional(DeclaredTraits) }),
  subscribe: props({ channel: Channel, email: Type.Optional(Text(320, 'E-mail address.')) }),
  unsubscribe: props({ channel: Channel }),
  review: props({ productId: ProductId, rating: Type.Integer({ minimum: 1, maximum: 5 }), text: Type.Optional(Text(5000, 'Review text.')) }),
  recommendation_click: props({
    recommendationId: Id('Id of the recommendation answer.'),
    productId: ProductId,
    placement: Type.Optional(Text(64, 'Placement it was shown in.')),
    position: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
  }),
  campaign_open: props({ campaignId: Id('Campaign id.'), messageId: Id('Message id.'), channel: Type.Optional(Channel) }),
  campaign_click: props({ campaignId: Id('Campaign id.'), messageId: Id('Message id.'), channel: Type.Optional(Channel), url: Type.Optional(Url('Link clicked.')) }),
  consent: props({
    email: Type.Optional(Type.Boolean({ description: 'May we e-mail them.' })),
    push: Type.Optional(Type.Boolean({ description: 'May we send web push.' })),
    sms: Type.Optional(Type.Boolean({ description: 'May we text them.' })),
    personalization: Type.Optional(Type.Boolean({ description: 'May their behaviour be used to personalize (affinities, segments, recommendations).' })),
  }),
  push_subscribed: props({
    endpoint: Url('Push service endpoint of the subscription.'),
    keys: Type.Object({ p256dh: Text(256, 'Client public key.'), auth: Text(128, 'Auth secret.') }, { additionalProperties: false }),
  }),
} satisfies Record<EventType, TObject>;

export const EventContext = Type.Object(
  {
    page: Type.Optional(
      Type.Object(
        { url: Type.Optional(Url('Page URL.')), path: Type.Optional(Url('Page path.')), title: Type.Optional(Text(512, 'Page title.')) },
        { additionalProperties: false },
      ),
    ),
    referrer: Type.Optional(Url('Referrer URL.')),
    userAgent: Type.Optional(Text(1024, 'Browser user agent; the gateway fills it from the request when absent.')),
    ip: Type.Optional(Type.String({ maxLength: 45, description: 'Client IP; the gateway fills it from the request when absent.' })),
    locale: Type.Optional(Type.String({ maxLength: 35, description: 'BCP 47 locale, e.g. en-GB.' })),
    timezone: Type.Optional(Type.String({ maxLength: 64, description: 'IANA time zone, e.g. Europe/London.' })),
  },
  { additionalProperties: false },
);

const envelopeFields = {
  eventId: Id('Unique per event, chosen by the sender (a UUID is ideal); used to drop duplicates.'),
  type: Type.Union(EVENT_TYPES.map((t) => Type.Literal(t)), { description: 'One of the event types.' }),
  occurredAt: Timestamp('When it happened, on the sender side.'),
  anonymousId: Id('Browser or device id, present on every event.'),
  customerId: Type.Optional(Id("The store's own customer id, once known.")),
  sessionId: Type.Optional(Id('Browsing session id.')),
  context: Type.Optional(EventContext),
  properties: Type.Record(Type.String(), Type.Unknown(), { description: 'Per-type fields; see EVENT_PROPERTIES.' }),
};

/** What a storefront sends, one element of `POST /v1/events` `{ events: [...] }`. */
export const TrackedEvent = Type.Object(envelopeFields, { additionalProperties: false, $id: 'TrackedEvent' });
export type TrackedEvent = Static<typeof TrackedEvent>;

/** `events.raw.v1`: the tracked event stamped by the gateway. */
export const RawEvent = Type.Object(
  {
    ...envelopeFields,
    storeId: StoreId,
    receivedAt: Timestamp('When the gateway accepted it (server clock).'),
  },
  { additionalProperties: false, $id: 'RawEvent' },
);
export type RawEvent = Static<typeof RawEvent>;

export const Enrichment = Type.Object(
  {
    device: Type.Object({
      type: Type.Union([Type.Literal('desktop'), Type.Literal('mobile'), Type.Literal('tablet'), Type.Literal('bot'), Type.Literal('other')]),
      os: Type.Optional(Type.String()),
      browser: Type.Optional(Type.String()),
    }),
    geo: Type.Optional(
      Type.Object({
        country: Type.String({ description: 'ISO 3166-1 alpha-2.' }),
        region: Type.Optional(Type.String({ description: 'ISO 3166-2 subdivision code (without country).' })),
        city: Type.Optional(Type.String()),
        timezone: Type.Optional(Type.String({ description: 'IANA time zone of the IP location.' })),
      }),
    ),
    timezone: Type.Optional(Type.String({ description: 'Best known shopper time zone: declared by the browser, else from geo.' })),
  },
  { additionalProperties: false },
);

export type Enrichment = Static<typeof Enrichment>;

/** `events.enriched.v1`: validated, deduplicated, enriched and stitched to a profile. */
export const EnrichedEvent = Type.Object(
  {
    ...envelopeFields,
    storeId: StoreId,
    receivedAt: Timestamp('When the gateway accepted it.'),
    profileId: Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', description: 'Stitched profile id (stable per customer, else per anonymous id; see profileIdFor).' }),
    enrichment: Enrichment,
    enrichedAt: Timestamp('When ingest processed it.'),
  },
  { additionalProperties: false, $id: 'EnrichedEvent' },
);
export type EnrichedEvent = Static<typeof EnrichedEvent>;
