import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { Validator } from '@signal/contracts';
import { badRequest, validStoreId } from '@signal/platform';
import { Type } from '@sinclair/typebox';
import { OptOutsService, type BounceResult } from './opt-outs.service';

export const BounceReport = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 320, pattern: '^[^\\s@]+@[^\\s@]+$', description: 'The address that bounced.' }),
    kind: Type.Union([Type.Literal('hard'), Type.Literal('soft')], { description: 'hard: the address is dead (suppressed); soft: a temporary failure (counted).' }),
    reason: Type.Optional(Type.String({ maxLength: 500, description: "The provider's diagnostic." })),
  },
  { additionalProperties: false, $id: 'BounceReport' },
);
const bounceShape = new Validator(BounceReport);

/** Bounces reported by the mail provider's webhook or an operator. */
@Controller('v1/stores/:storeId/bounces')
export class BouncesHttpController {
  constructor(private readonly optOuts: OptOutsService) {}

  @Post()
  @HttpCode(200)
  report(@Param('storeId') storeId: string, @Body() body: unknown): Promise<BounceResult> {
    const store = validStoreId(storeId);
    const checked = bounceShape.validate(body);
    if (!checked.ok) throw badRequest('Invalid bounce report: expected {"email": "...", "kind": "hard" | "soft", "reason"?: "..."}', checked.errors);
    return this.optOuts.bounce(store, checked.value.email, checked.value.kind);
  }
}
