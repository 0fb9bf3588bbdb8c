import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import { PrivacyErasure, ProfileView, StoreId, Validator, type FieldError } from '@signal/contracts';
import { OPENSEARCH, UnprocessableMessageError, type ConsumedMessage } from '@signal/platform';
import { bulkWithRetries, describeItem, isMissing, type BulkItem } from '../behaviour/bulk';
import { SEARCH_INDICES, docId, type IndexNames } from '../indices/index-names';
import { UPSERT_SHOPPER_SCRIPT, erasedProfileIds, identityTerm, shopperDocument, splitShopperKey } from './shopper-document';

const profile = new Validator(ProfileView);
const erasure = new Validator(PrivacyErasure);
const storeId = new Validator(StoreId);

/**
 * profiles.changed.v1 → the shoppers index (identities and affinities search ranks with); a
 * tombstone (merged away or erased) deletes the document. privacy.erasures.v1 deletes the person's
 * shopper and session documents.
 */
@Injectable()
export class ShoppersService {
  private readonly log = new Logger(ShoppersService.name);

  constructor(
    @Inject(OPENSEARCH) private readonly os: Client,
    @Inject(SEARCH_INDICES) private readonly names: IndexNames,
  ) {}

  async profilesChanged(messages: ConsumedMessage[]): Promise<void> {
    const ops: Record<string, unknown>[] = [];
    let invalid: FieldError[] | undefined;
    for (const m of messages) {
      if (m.value === null) {
        const key = splitShopperKey(m.key);
        if (key && storeId.is(key.storeId)) ops.push({ delete: { _index: this.names.shoppers, _id: docId(key.storeId, key.profileId) } });
        continue;
      }
      const checked = profile.validate(m.value);
      const store = checked.ok ? storeId.validate(checked.value.storeId, 'storeId') : checked;
      if (!checked.ok || !store.ok) {
        invalid ??= !checked.ok ? checked.errors : !store.ok ? store.errors : [];
        continue;
      }
      const doc = shopperDocument(checked.value);
      ops.push(
        { update: { _index: this.names.shoppers, _id: docId(doc.storeId, doc.profileId), retry_on_conflict: 5 } },
        { script: { source: UPSERT_SHOPPER_SCRIPT, params: { doc } }, upsert: {}, scripted_upsert: true },
      );
    }
    if (ops.length) this.check(await bulkWithRetries(this.os, ops, { attempts: 6 }).then((o) => o.map((x) => x.item)));
    if (invalid) throw new UnprocessableMessageError('invalid_profile', invalid);
  }

  async erasures(messages: ConsumedMessage[]): Promise<void> {
    let invalid: FieldError[] | undefined;
    for (const m of messages) {
      const checked = erasure.validate(m.value);
      const store = checked.ok ? storeId.validate(checked.value.storeId, 'storeId') : checked;
      if (!checked.ok || !store.ok) {
        invalid ??= !checked.ok ? checked.errors : !store.ok ? store.errors : [];
        continue;
      }
      await this.erase(checked.value);
    }
    if (invalid) throw new UnprocessableMessageError('invalid_erasure', invalid);
  }

  private async erase(e: PrivacyErasure): Promise<void> {
    const ids = erasedProfileIds(e);
    const outcomes = await bulkWithRetries(
      this.os,
      ids.flatMap((id) => [{ delete: { _index: this.names.shoppers, _id: docId(e.storeId, id) } }, { delete: { _index: this.names.sessions, _id: docId(e.storeId, id) } }]),
      { attempts: 6 },
    );
    this.check(outcomes.map((o) => o.item));
    if (!e.identities.length) return;
    // Shopper documents of profiles we cannot derive (merged ones) carry the person's identities. A
    // document changed since the last refresh is a version conflict for delete-by-query: refresh, retry.
    for (let attempt = 1; ; attempt++) {
      await this.os.indices.refresh({ index: this.names.shoppers });
      const res = await this.os.deleteByQuery({
        index: this.names.shoppers,
        conflicts: 'proceed',
        body: { query: { bool: { filter: [{ term: { storeId: e.storeId } }, { terms: { identities: e.identities.map(identityTerm) } }] } } } as never,
      });
      const conflicts = (res.body as { version_conflicts?: number }).version_conflicts ?? 0;
      if (conflicts === 0) return;
      if (attempt >= 5) throw new Error(`erasure ${e.erasureId}: shopper documents kept changing`);
    }
  }

  private check(items: BulkItem[]): void {
    const failed = items.filter((i) => i.error && !isMissing(i));
    if (!failed.length) return;
    this.log.error(`shopper updates failed: ${failed.slice(0, 3).map(describeItem).join('; ')}`);
    throw new Error(`${failed.length} shopper updates failed: ${describeItem(failed[0])}`);
  }
}
