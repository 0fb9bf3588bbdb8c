import { Controller, Get, Query } from '@nestjs/common';
import { parseAutocompleteQuery, parseSearchQuery, type AutocompleteAnswer, type SearchAnswer } from '@signal/contracts';
import { badRequest } from '@signal/platform';
import { AutocompleteService } from './autocomplete.service';
import { SearchService } from './search.service';

/** The search API the gateway proxies (the gateway sets storeId from the caller's key). */
@Controller('v1')
export class SearchHttpController {
  constructor(
    private readonly searches: SearchService,
    private readonly completions: AutocompleteService,
  ) {}

  /** `?storeId=&q=&page=&pageSize=&sort=&brand=&category=&color=&size=&price_min=&price_max=&in_stock=&explain=`. */
  @Get('search')
  search(@Query() raw: Record<string, unknown>): Promise<SearchAnswer> {
    const query = parseSearchQuery(raw);
    if (!query.ok) throw badRequest('Invalid search request', query.errors);
    return this.searches.search(query.value);
  }

  /** `?storeId=&q=&limit=`; an empty q gives trending searches. */
  @Get('autocomplete')
  autocomplete(@Query() raw: Record<string, unknown>): Promise<AutocompleteAnswer> {
    const query = parseAutocompleteQuery(raw);
    if (!query.ok) throw badRequest('Invalid autocomplete request', query.errors);
    return this.completions.complete(query.value);
  }
}
