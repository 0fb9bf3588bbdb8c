import { BadRequestException, Controller, Get, Post, Req, Res } from '@nestjs/common';
import { parseAutocompleteQuery, parseSearchQuery, type FieldError, type Validation } from '@signal/contracts';
import type { Request, Response } from 'express';
import { CallerStore, RequireKey } from '../api-keys/api-key.guard';
import { SearchClient } from '../upstream/search-client';
import { callFrom, clientQuery, requestIdOf, upstreamQuery } from '../upstream/upstream-call';
import { upstreamPath } from '../upstream/upstream-client';

/** Image types the image search decodes. */
export const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'];

const invalid = (message: string, errors: FieldError[]) => new BadRequestException({ statusCode: 400, error: 'Bad Request', message, errors });

/** Checked here with the parser the search service uses, so a bad request gets its 400 without a call. */
function checked<T extends { storeId: string }>(parse: (raw: Record<string, unknown>) => Validation<T>, raw: Record<string, unknown>, storeId: string, what: string): URLSearchParams {
  const parsed = parse({ ...raw, storeId });
  if (!parsed.ok) throw invalid(`Invalid ${what}`, parsed.errors);
  const { storeId: _store, ...query } = parsed.value;
  return upstreamQuery(query);
}

/** Storefront search: the write key, like POST /v1/events, since browsers call it on every keystroke. */
@Controller('v1')
export class SearchHttpController {
  constructor(private readonly search: SearchClient) {}

  @Get('search')
  @RequireKey('write')
  find(@CallerStore() storeId: string, @Req() req: Request, @Res() res: Response) {
    const query = checked(parseSearchQuery, req.query as Record<string, unknown>, storeId, 'search request');
    return this.search.pipe({ method: 'GET', storeId, path: '/search', query, requestId: requestIdOf(res) }, res);
  }

  @Get('autocomplete')
  @RequireKey('write')
  complete(@CallerStore() storeId: string, @Req() req: Request, @Res() res: Response) {
    const query = checked(parseAutocompleteQuery, req.query as Record<string, unknown>, storeId, 'autocomplete request');
    return this.search.pipe({ method: 'GET', storeId, path: '/autocomplete', query, requestId: requestIdOf(res) }, res);
  }

  /** The image is the body (`Content-Type: image/jpeg|png|webp`), at most SEARCH_IMAGE_MAX_BYTES. */
  @Post('search/image')
  @RequireKey('write')
  byImage(@CallerStore() storeId: string, @Req() req: Request, @Res() res: Response) {
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (!IMAGE_TYPES.includes(type) || !Buffer.isBuffer(req.body) || req.body.length === 0) {
      throw invalid('Expected an image body', [{ field: '(body)', message: `send the image bytes with Content-Type: ${IMAGE_TYPES.join(', ')}` }]);
    }
    return this.search.pipe({ method: 'POST', storeId, path: '/search/image', query: clientQuery(req), rawBody: { data: req.body, contentType: type }, requestId: requestIdOf(res) }, res);
  }

  @Get('search/similar-looking')
  @RequireKey('write')
  similarLooking(@CallerStore() storeId: string, @Req() req: Request, @Res() res: Response) {
    return this.search.pipe(callFrom(req, res, storeId, upstreamPath`/search/similar-looking`), res);
  }
}
