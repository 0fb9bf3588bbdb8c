import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { PROFILE_CONFIG, type ProfileConfig } from '../config';
import { Profile, stateOf } from '../profiles/entities';
import { personalizationWithdrawn } from '../profiles/stage';
import { SettingsService } from '../settings/settings.service';
import { LiveSegments } from './live-segments';
import { compileRule, evaluationContext, type SegmentRule } from './rules';
import type { SegmentInputValue } from './segment-definition';
import { SegmentsRepository, type SegmentRecord } from './segments.repository';

const PREVIEW_SAMPLE = 20;
const SCAN_PAGE = 1_000;

export interface Preview {
  count: number;
  scanned: number;
  sample: { profileId: string; customerId?: string; stage: string; because: string }[];
}

/** E-mail as ad platforms normalise it before hashing: trimmed, lower-cased. */
export const hashEmail = (email: string): string => createHash('sha256').update(email.trim().toLowerCase()).digest('hex');

@Injectable()
export class SegmentsService {
  constructor(
    private readonly repository: SegmentsRepository,
    private readonly live: LiveSegments,
    private readonly settings: SettingsService,
    @Inject(PROFILE_CONFIG) private readonly config: ProfileConfig,
  ) {}

  list(storeId: string): Promise<SegmentRecord[]> {
    return this.repository.list(storeId);
  }

  get(storeId: string, segmentId: string): Promise<SegmentRecord | null> {
    return this.repository.get(storeId, segmentId);
  }

  async create(storeId: string, input: SegmentInputValue): Promise<SegmentRecord | null> {
    const created = await this.repository.create(storeId, input.segmentId ?? randomUUID(), input, this.config.SEGMENT_BACKFILL_DELAY_MS);
    this.live.invalidate(storeId);
    return created;
  }

  async replace(storeId: string, segmentId: string, input: SegmentInputValue): Promise<SegmentRecord | null> {
    const replaced = await this.repository.replace(storeId, segmentId, input, this.config.SEGMENT_BACKFILL_DELAY_MS);
    this.live.invalidate(storeId);
    return replaced;
  }

  async delete(storeId: string, segmentId: string): Promise<boolean> {
    const deleted = await this.repository.delete(storeId, segmentId);
    this.live.invalidate(storeId);
    return deleted;
  }

  /** Evaluates a definition over every profile of the store now, without saving anything. */
  async preview(storeId: string, definition: SegmentRule): Promise<Preview> {
    const settings = await this.settings.get(storeId);
    const rule = compileRule(definition, settings);
    const now = Date.now();
    const out: Preview = { count: 0, scanned: 0, sample: [] };
    const profiles = this.repository.db.getRepository(Profile);
    for (let after = ''; ; ) {
      const rows = await profiles
        .createQueryBuilder('p')
        .where('p.store_id = :storeId AND p.profile_id > :after', { storeId, after })
        .orderBy('p.profile_id')
        .limit(SCAN_PAGE)
        .getMany();
      for (const row of rows) {
        const p = stateOf(row);
        out.scanned++;
        if (personalizationWithdrawn(p)) continue;
        const r = rule.evaluate(evaluationContext(p, now));
        if (!r.match) continue;
        out.count++;
        if (out.sample.length < PREVIEW_SAMPLE) out.sample.push({ profileId: p.profileId, ...(p.customerId ? { customerId: p.customerId } : {}), stage: p.stage, because: r.because });
      }
      if (rows.length < SCAN_PAGE) return out;
      after = (rows[rows.length - 1] as Profile).profileId;
    }
  }

  members(storeId: string, segmentId: string, limit: number, after: string) {
    return this.repository.members(storeId, segmentId, limit, after);
  }

  count(storeId: string, segmentId: string): Promise<number> {
    return this.repository.count(storeId, segmentId);
  }

  ofProfile(storeId: string, profileId: string) {
    return this.repository.ofProfile(storeId, profileId);
  }

  /** CSV lines for a custom-audience upload: one SHA-256 of each member's e-mail, a page at a time. */
  async *exportHashedEmails(storeId: string, segmentId: string): AsyncGenerator<string> {
    yield 'email_sha256\n';
    const seen = new Set<string>();
    for (let after = ''; ; ) {
      const page = await this.repository.memberEmails(storeId, segmentId, after, SCAN_PAGE);
      const lines: string[] = [];
      for (const m of page) {
        if (!m.email) continue;
        const hash = hashEmail(m.email);
        if (!seen.has(hash)) lines.push(hash);
        seen.add(hash);
      }
      if (lines.length) yield `${lines.join('\n')}\n`;
      if (page.length < SCAN_PAGE) return;
      after = (page[page.length - 1] as { profileId: string }).profileId;
    }
  }
}
