import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Validator, type FieldError, type Validation } from '@signal/contracts';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { DataSource, EntityManager } from 'typeorm';
import { isValidTimeZone, parseTimeOfDay, type QuietHours } from './quiet-hours';

const TimeOfDay = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'Local time of day, 24-hour HH:MM.' });

/** A store's delivery rules (`GET`/`PUT /v1/stores/:storeId/delivery-settings`). */
export const DeliverySettings = Type.Object(
  {
    frequencyCap: Type.Integer({ minimum: 1, maximum: 100, default: 3, description: 'Most messages one shopper gets in any 24 hours, all channels together.' }),
    quietHours: Type.Union([Type.Object({ start: TimeOfDay, end: TimeOfDay }, { additionalProperties: false }), Type.Null()], {
      default: { start: '21:00', end: '09:00' },
      description: "No message goes out between start and end in the shopper's time zone (it waits until end); null for none.",
    }),
    timezone: Type.String({ minLength: 1, maxLength: 64, default: 'UTC', description: 'IANA time zone for shoppers whose own is unknown, e.g. Europe/Berlin.' }),
  },
  { additionalProperties: false, $id: 'DeliverySettings' },
);
export type DeliverySettings = Static<typeof DeliverySettings>;

const shape = new Validator(DeliverySettings);

export const defaultDeliverySettings = (): DeliverySettings => Value.Default(DeliverySettings, {}) as DeliverySettings;

/** A settings body with defaults filled in, checked (shape, then what a schema cannot say). */
export function checkDeliverySettings(body: unknown): Validation<DeliverySettings> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, errors: [{ field: '(body)', message: 'Expected a JSON object' }] };
  const checked = shape.validate(Value.Default(DeliverySettings, structuredClone(body)), '');
  if (!checked.ok) return checked;
  const errors: FieldError[] = [];
  if (!isValidTimeZone(checked.value.timezone)) errors.push({ field: 'timezone', message: 'Unknown IANA time zone' });
  const q = checked.value.quietHours;
  if (q && q.start === q.end) errors.push({ field: 'quietHours', message: 'start and end must differ (null for no quiet hours)' });
  return errors.length ? { ok: false, errors } : checked;
}

export function quietHoursOf(s: DeliverySettings): QuietHours | null {
  if (!s.quietHours) return null;
  const start = parseTimeOfDay(s.quietHours.start);
  const end = parseTimeOfDay(s.quietHours.end);
  return start === null || end === null || start === end ? null : { start, end };
}

/** A store's delivery settings, read per message (no cache, so every replica sees a change at once). */
@Injectable()
export class DeliverySettingsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async get(storeId: string, tx: EntityManager | DataSource = this.db): Promise<DeliverySettings> {
    const [row]: { settings: unknown }[] = await tx.query(`SELECT "settings" FROM "campaign"."delivery_settings" WHERE "store_id" = $1`, [storeId]);
    const stored = row ? shape.validate(Value.Default(DeliverySettings, row.settings)) : null;
    return stored?.ok ? stored.value : defaultDeliverySettings();
  }

  async put(storeId: string, settings: DeliverySettings): Promise<DeliverySettings> {
    await this.db.query(
      `INSERT INTO "campaign"."delivery_settings" ("store_id", "settings", "updated_at") VALUES ($1, $2, now())
       ON CONFLICT ("store_id") DO UPDATE SET "settings" = EXCLUDED."settings", "updated_at" = now()`,
      [storeId, JSON.stringify(settings)],
    );
    return settings;
  }
}
