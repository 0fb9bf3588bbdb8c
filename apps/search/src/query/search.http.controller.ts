import { Controller, Get, Param, Query } from '@nestjs/common';
import { parseAutocompleteQuery, parseSearchQuery, type AutocompleteAnswer, type SearchAnswer } from '@signal/contracts';
import { badRequest, validStoreId } from '@signal/platform';
import { AutocompleteService } from './autocomplete.service';
import { SearchService } from './search.service';

/** The search API the gateway proxies, under the store of the caller's key. */
@Controller('v1/stores/:storeId')
export class SearchHttpController {
  constructor(
    private readonly searches: SearchService,
    private readonly completions: AutocompleteService,
  ) {}

  /** `?q=&page=&pageSize=&sort=&brand=&category=&color=&size=&price_min=&price_max=&in_stock=&explain=&anonymousId=&customerId=`. */
  @Get('search')
  search(@Param('storeId') storeId: string, @Query() raw: Record<string, unknown>): Promise<SearchAnswer> {
    const query = parseSearchQuery({ ...raw, storeId: validStoreId(storeId) });
    if (!query.ok) throw badRequest('Invalid search request', query.errors);
    return this.searches.search(query.value);
  }

  /** `?q=&limit=&anonymousId=&customerId=`; an empty q gives trending searches. */
  @Get('autocomplete')
  autocomplete(@Param('storeId') storeId: string, @Query() raw: Record<string, unknown>): Promise<AutocompleteAnswer> {
    const query = parseAutocompleteQuery({ ...raw, storeId: validStoreId(storeId) });
    if (!query.ok) throw badRequest('Invalid autocomplete request', query.errors);
    return this.completions.complete(query.value);
  }
}
