import { randomUUID } from 'node:crypto';
import { HttpException, Injectable, Logger } from '@nestjs/common';
import { TOPICS, shopperKey, type RecommendationAnswer, type RecommendationQuery, type RecommendationServed } from '@signal/contracts';
import { BACKGROUND_LINGER_MS, KafkaPublisher, metricsRegistry } from '@signal/platform';
import { Counter, Histogram } from 'prom-client';
import { applyRules } from './apply-rules';
import { NeighbourCache } from './neighbour-cache';
import { neededNeighbours, placementCandidates } from './placements';
import { ShopperReader } from './shopper-reader';
import { StoreCache } from './store-cache';

const served = new Counter({ name: 'recommendations_served_total', help: 'Recommendation answers, by placement and whether they were personalized', labelNames: ['placement', 'personalized', 'fallback'], registers: [metricsRegistry] });
const seconds = new Histogram({
  name: 'recommendation_duration_seconds',
  help: 'Time to compute a recommendation answer',
  labelNames: ['placement'],
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
  registers: [metricsRegistry],
});
const lostRecords = new Counter({ name: 'recommendations_served_record_failures_total', help: 'recommendations.served.v1 records Kafka did not take', registers: [metricsRegistry] });

const abandoned = new Counter({ name: 'recommendations_abandoned_total', help: 'Requests whose caller hung up before the answer was computed (e.g. the gateway timed out and served its fallback)', registers: [metricsRegistry] });

/**
 * The caller stopped waiting (the gateway gives up after RECOMMENDATIONS_TIMEOUT_MS). Computing the
 * answer anyway is how a slow moment turns into an overload: the work of requests nobody will read
 * delays the ones still waiting. 499 is what proxies log for it; no client receives it.
 */
export class CallerGone extends HttpException {
  constructor() {
    super({ statusCode: 499, error: 'Client Closed Request', message: 'The caller stopped waiting' }, 499);
  }
}

/** Products whose neighbour lists are read ahead when a new model arrives: the hottest, which most shelves start from. */
const WARM_PRODUCTS = 1_000;

@Injectable()
export class RecommendationsService {
  private readonly logger = new Logger(RecommendationsService.name);

  constructor(
    private readonly stores: StoreCache,
    private readonly shoppers: ShopperReader,
    private readonly neighbours: NeighbourCache,
    private readonly publisher: KafkaPublisher,
  ) {
    stores.onModelChange((storeId, state) => {
      const hottest = state.catalog.trending('', undefined, WARM_PRODUCTS);
      const intern = (id: string) => state.catalog.products.get(id)?.id ?? id;
      const revision = state.modelRevision as string;
      const warming = this.neighbours.warm(storeId, revision, hottest, intern).catch((err: unknown) => {
        this.logger.warn({ err, storeId }, 'Warming the neighbour cache failed');
        return 0;
      });
      this.warming.set(storeId, warming);
      void warming.finally(() => {
        if (this.warming.get(storeId) === warming) this.warming.delete(storeId);
      });
    });
  }

  /** Neighbour lists being read ahead for a store's new model, by store: what `warm` waits for. */
  private readonly warming = new Map<string, Promise<number>>();

  /**
   * Loads a store (catalog, popularity, rules, model revision) and reads ahead the neighbour lists
   * of its hottest products: what a replica does before it takes traffic. Resolves to the number of
   * lists asked for (0 when the store has no model yet).
   */
  async warm(storeId: string): Promise<number> {
    await this.stores.get(storeId);
    return (await this.warming.get(storeId)) ?? 0;
  }

  /** `gone` tells whether the caller has hung up: checked before each step that costs something. */
  async recommend(storeId: string, query: RecommendationQuery, gone: () => boolean = () => false): Promise<RecommendationAnswer> {
    const check = () => {
      if (!gone()) return;
      abandoned.inc();
      throw new CallerGone();
    };
    check();
    const stop = seconds.startTimer({ placement: query.placement });
    const nowMs = Date.now();
    const profileIds = this.shoppers.profileIds(storeId, query);
    const [store, shopper, countryTrending] = await Promise.all([
      this.stores.get(storeId),
      this.shoppers.read(storeId, profileIds, nowMs),
      query.country ? this.stores.countryTrending(storeId, query.country) : undefined,
    ]);
    check();
    const lookup = await this.neighbours.lookup(storeId, store.modelRevision, neededNeighbours(query.placement, query, shopper), (id) => store.catalog.products.get(id)?.id ?? id);
    check();
    const limit = query.limit ?? 10;
    const result = placementCandidates({ placement: query.placement, query, shopper, catalog: store.catalog, rules: store.rules, neighbours: lookup, countryTrending, nowMs });
    const exclude = new Set([...(query.exclude ?? []), ...(query.cart ?? []), ...(query.productId ? [query.productId] : [])]);
    const items = applyRules(result.candidates, { placement: query.placement, rules: store.rules, catalog: store.catalog, shopper, exclude, limit, nowMs });
    const answer: RecommendationAnswer = {
      recommendationId: randomUUID(),
      placement: query.placement,
      personalized: result.personalized && shopper.known,
      items: items.map((i) => ({ productId: i.productId, score: Math.round(i.score * 1e6) / 1e6, reason: i.reason })),
      ...(result.fallback ? { fallback: result.fallback } : {}),
    };
    stop();
    served.inc({ placement: query.placement, personalized: String(answer.personalized), fallback: String(!!result.fallback) });
    this.record(storeId, query, profileIds[0], answer);
    return answer;
  }

  /**
   * recommendations.served.v1, sent without making the shopper wait: the publisher batches it with
   * others. A record Kafka refuses is counted and logged; the answer itself stands.
   */
  private record(storeId: string, query: RecommendationQuery, profileId: string | undefined, answer: RecommendationAnswer): void {
    const value: RecommendationServed = {
      recommendationId: answer.recommendationId,
      storeId,
      placement: answer.placement,
      ...(profileId ? { profileId } : {}),
      ...(query.anonymousId ? { anonymousId: query.anonymousId } : {}),
      ...(query.customerId ? { customerId: query.customerId } : {}),
      ...(query.productId ? { productId: query.productId } : {}),
      ...(query.cart?.length ? { cart: query.cart } : {}),
      personalized: answer.personalized,
      items: answer.items.map((i, position) => ({ productId: i.productId, position, reason: i.reason })),
      servedAt: new Date().toISOString(),
    };
    this.publisher.publish(TOPICS.RecommendationsServed, [{ key: shopperKey(storeId, profileId ?? '-'), value }], { lingerMs: BACKGROUND_LINGER_MS }).catch((err: unknown) => {
      lostRecords.inc();
      this.logger.warn({ err, recommendationId: answer.recommendationId }, 'Could not record a served recommendation');
    });
  }
}
