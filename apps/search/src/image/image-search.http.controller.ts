import { Controller, Get, HttpCode, HttpException, Inject, Param, Post, Query, Req } from '@nestjs/common';
import type { FieldError } from '@signal/contracts';
import type { Request } from 'express';
import { IMAGE_TYPES, type ImageType } from './decode-image';
import { ImageRejectedError } from './image-errors';
import { parseByImageQuery, parseSimilarLookingQuery } from './image-search-query';
import { IMAGE_SEARCH_OPTIONS, type ImageSearchOptions } from './image-search.options';
import { ImageSearchService, ImageSearchUnavailableError, type ImageSearchAnswer } from './image-search.service';
import { readRawBody } from './read-body';

const REASON: Record<number, string> = { 400: 'Bad Request', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 503: 'Service Unavailable' };
const fail = (status: 400 | 413 | 415 | 503, message: string, errors?: FieldError[]) =>
  new HttpException({ statusCode: status, error: REASON[status], message, ...(errors ? { errors } : {}) }, status);

@Controller('v1/stores/:storeId/search')
export class ImageSearchHttpController {
  constructor(
    private readonly images: ImageSearchService,
    @Inject(IMAGE_SEARCH_OPTIONS) private readonly options: ImageSearchOptions,
  ) {}

  /** `POST /v1/stores/:storeId/search/image?limit=…` with the picture as the raw body (image/jpeg, png or webp). */
  @Post('image')
  @HttpCode(200)
  async searchByImage(@Req() req: Request, @Param('storeId') storeId: string, @Query() raw: Record<string, unknown>): Promise<ImageSearchAnswer> {
    const query = parseByImageQuery({ ...raw, storeId });
    if (!query.ok) throw fail(400, 'Invalid search by image request', query.errors);
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (!IMAGE_TYPES.includes(type as ImageType)) {
      throw fail(415, `Send the image as the request body with Content-Type ${IMAGE_TYPES.join(', ')}`, [{ field: '(body)', message: `Content-Type ${type || '(none)'}` }]);
    }
    try {
      const bytes = await readRawBody(req, this.options.maxImageBytes);
      return await this.images.searchByImage(query.value.storeId, bytes, query.value.limit);
    } catch (e) {
      if (e instanceof ImageRejectedError) throw fail(e.status, e.message, [{ field: '(body)', message: e.problem }]);
      if (e instanceof ImageSearchUnavailableError) throw fail(503, e.message);
      throw e;
    }
  }

  /** `GET /v1/stores/:storeId/search/similar-looking?productId=…&limit=…`: none when the product has no image vector. */
  @Get('similar-looking')
  async similarLooking(@Param('storeId') storeId: string, @Query() raw: Record<string, unknown>): Promise<ImageSearchAnswer> {
    const query = parseSimilarLookingQuery({ ...raw, storeId });
    if (!query.ok) throw fail(400, 'Invalid similar-looking request', query.errors);
    try {
      return await this.images.similarLooking(query.value.storeId, query.value.productId, query.value.limit);
    } catch (e) {
      if (e instanceof ImageSearchUnavailableError) throw fail(503, e.message);
      throw e;
    }
  }
}
