import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { DecisionQuery, Validator, readUrlQuery } from '@signal/contracts';
import { badRequest, validStoreId } from '@signal/platform';
import { checkDecisionEvent } from './definitions';
import { DecisionsService, type DecisionAnswer } from './decisions.service';
import { pathUuid } from './path-ids';

const FIELDS = new Set(['placement', 'anonymousId', 'customerId', 'productId', 'page']);
const query = new Validator(DecisionQuery);

/** The storefront's side: what to show now, and what the shopper did with it. */
@Controller('v1/stores/:storeId/decisions')
export class DecisionsHttpController {
  constructor(private readonly decisions: DecisionsService) {}

  /** `?placement=popup&anonymousId=…[&customerId=…&productId=…&page=…]`; an unknown placement gets content null. */
  @Get()
  decide(@Param('storeId') storeId: string, @Query() raw: Record<string, unknown>): Promise<DecisionAnswer> {
    const store = validStoreId(storeId);
    const read = readUrlQuery(raw, { fields: FIELDS });
    if (!read.ok) throw badRequest('Invalid decision request', read.errors);
    const checked = query.validate(read.value);
    if (!checked.ok) throw badRequest('Invalid decision request', checked.errors);
    const q = checked.value;
    if (q.anonymousId !== undefined) return this.decisions.decide(store, { ...q, anonymousId: q.anonymousId });
    if (q.customerId !== undefined) return this.decisions.decide(store, { ...q, customerId: q.customerId });
    throw badRequest('Invalid decision request', [{ field: 'anonymousId', message: 'anonymousId or customerId is required' }]);
  }

  /** `{ "type": "impression" | "click" | "dismiss" }`; sending one twice records it once. */
  @Post(':decisionId/events')
  @HttpCode(200)
  event(@Param('storeId') storeId: string, @Param('decisionId') decisionId: string, @Body() body: unknown) {
    const store = validStoreId(storeId);
    const id = pathUuid(decisionId, 'decisionId');
    const checked = checkDecisionEvent(body);
    if (!checked.ok) throw badRequest('Invalid decision event', checked.errors);
    return this.decisions.recordEvent(store, id, checked.value.type);
  }
}
