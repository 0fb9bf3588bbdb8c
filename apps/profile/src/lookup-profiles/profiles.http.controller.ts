import { BadRequestException, Controller, Get, NotFoundException, Param, Query } from '@nestjs/common';
import { Id, StoreId, Validator, type FieldError, type ProfileView } from '@signal/contracts';
import type { TSchema } from '@sinclair/typebox';
import type { Identity } from '../profiles/profile-state';
import { SegmentsService } from '../segments/segments.service';
import { LookupProfilesService } from './lookup-profiles.service';

const storeIdShape = new Validator(StoreId);
const idShape = new Validator(Id('An id.'));

const badRequest = (message: string, errors: FieldError[]) => new BadRequestException({ statusCode: 400, error: 'Bad Request', message, errors });
const notFound = () => new NotFoundException({ statusCode: 404, error: 'Not Found', message: 'No such profile' });

function valid(shape: Validator<TSchema>, value: unknown, field: string): string {
  const checked = shape.validate(value, field);
  if (!checked.ok) throw badRequest(`Invalid ${field}`, checked.errors);
  return checked.value as string;
}

/** Profile reads; the gateway calls these after authenticating the store. */
@Controller('v1/stores/:storeId/profiles')
export class ProfilesHttpController {
  constructor(
    private readonly profiles: LookupProfilesService,
    private readonly segmentsOf: SegmentsService,
  ) {}

  @Get(':profileId')
  async byId(@Param('storeId') storeId: string, @Param('profileId') profileId: string): Promise<ProfileView> {
    const view = await this.profiles.byProfileId(valid(storeIdShape, storeId, 'storeId'), valid(idShape, profileId, 'profileId'));
    if (!view) throw notFound();
    return view;
  }

  /** The segments a shopper is in, with why and since when. */
  @Get(':profileId/segments')
  async segments(@Param('storeId') storeId: string, @Param('profileId') profileId: string) {
    const store = valid(storeIdShape, storeId, 'storeId');
    const view = await this.profiles.byProfileId(store, valid(idShape, profileId, 'profileId'));
    if (!view) throw notFound();
    return { profileId: view.profileId, segments: await this.segmentsOf.ofProfile(store, view.profileId) };
  }

  /** `?anonymousId=` or `?customerId=`: exactly one. */
  @Get()
  async byIdentity(@Param('storeId') storeId: string, @Query('anonymousId') anonymousId: unknown, @Query('customerId') customerId: unknown): Promise<ProfileView> {
    const store = valid(storeIdShape, storeId, 'storeId');
    if ((anonymousId === undefined) === (customerId === undefined)) {
      throw badRequest('Give exactly one of anonymousId and customerId', [{ field: 'anonymousId|customerId', message: 'exactly one is required' }]);
    }
    const identity: Identity =
      anonymousId !== undefined ? { kind: 'anonymous', value: valid(idShape, anonymousId, 'anonymousId') } : { kind: 'customer', value: valid(idShape, customerId, 'customerId') };
    const view = await this.profiles.byIdentity(store, identity);
    if (!view) throw notFound();
    return view;
  }
}
