import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Validator, type FieldError } from '@signal/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import { StoreSettings, withDefaults } from './store-settings';

const shape = new Validator(StoreSettings);
/** Settings changed on another replica are picked up within this time. */
const CACHE_MS = 5_000;

/** What a bad settings document got wrong, field by field. */
export function checkSettings(value: unknown): { ok: true; settings: StoreSettings } | { ok: false; errors: FieldError[] } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, errors: [{ field: 'settings', message: 'must be an object' }] };
  const settings = withDefaults(value as Partial<StoreSettings>);
  const checked = shape.validate(settings, 'settings');
  if (!checked.ok) return checked;
  const bands = settings.priceBands;
  const errors: FieldError[] = [];
  bands.forEach((b, i) => {
    const last = i === bands.length - 1;
    if (last !== (b.below === null)) errors.push({ field: `settings.priceBands.${i}.below`, message: last ? 'the last band must have below: null' : 'only the last band may have below: null' });
    const prev = bands[i - 1]?.below;
    if (i > 0 && b.below !== null && prev != null && b.below <= prev) errors.push({ field: `settings.priceBands.${i}.below`, message: 'bands must ascend' });
  });
  if (settings.stages.loyalMinOrders < settings.stages.repeatMinOrders) errors.push({ field: 'settings.stages.loyalMinOrders', message: 'must be at least repeatMinOrders' });
  return errors.length ? { ok: false, errors } : { ok: true, settings };
}

/** Per-store settings, cached briefly: they are read for every batch of events. */
@Injectable()
export class SettingsService {
  private readonly cache = new Map<string, { settings: StoreSettings; until: number }>();

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async get(storeId: string, tx: EntityManager = this.db.manager): Promise<StoreSettings> {
    return (await this.forStores([storeId], tx)).get(storeId) as StoreSettings;
  }

  async forStores(storeIds: readonly string[], tx: EntityManager = this.db.manager): Promise<Map<string, StoreSettings>> {
    const now = Date.now();
    const out = new Map<string, StoreSettings>();
    const missing: string[] = [];
    for (const id of new Set(storeIds)) {
      const hit = this.cache.get(id);
      if (hit && hit.until > now) out.set(id, hit.settings);
      else missing.push(id);
    }
    if (missing.length) {
      const rows: { store_id: string; settings: Partial<StoreSettings> }[] = await tx.query(`SELECT "store_id", "settings" FROM "profile"."store_settings" WHERE "store_id" = ANY($1)`, [missing]);
      const found = new Map(rows.map((r) => [r.store_id, withDefaults(r.settings)]));
      for (const id of missing) {
        const settings = found.get(id) ?? withDefaults();
        this.cache.set(id, { settings, until: now + CACHE_MS });
        out.set(id, settings);
      }
    }
    return out;
  }

  async put(storeId: string, settings: StoreSettings): Promise<StoreSettings> {
    await this.db.query(
      `INSERT INTO "profile"."store_settings" ("store_id", "settings") VALUES ($1, $2)
       ON CONFLICT ("store_id") DO UPDATE SET "settings" = EXCLUDED."settings", "updated_at" = now()`,
      [storeId, JSON.stringify(settings)],
    );
    this.cache.set(storeId, { settings, until: Date.now() + CACHE_MS });
    return settings;
  }
}
