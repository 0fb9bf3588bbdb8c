import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { IsNull, Repository } from 'typeorm';
import { ApiKey, type ApiKeyKind } from './api-key.entity';

export interface Caller {
  storeId: string;
  kind: ApiKeyKind;
}

const CACHE_TTL_MS = 30_000;
const PREFIX: Record<ApiKeyKind, string> = { write: 'wk_', secret: 'sk_' };
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

@Injectable()
export class ApiKeysService {
  // Only a cache: revocation reaches every replica within the TTL.
  private readonly cache = new Map<string, { caller: Caller | null; until: number }>();

  constructor(@InjectRepository(ApiKey) private readonly keys: Repository<ApiKey>) {}

  /** Issues a write key (for browsers and storefronts) and a secret key (for servers). */
  async issue(storeId: string): Promise<{ storeId: string; writeKey: string; secretKey: string }> {
    const make = (kind: ApiKeyKind) => `${PREFIX[kind]}${storeId}_${randomBytes(24).toString('base64url')}`;
    const writeKey = make('write');
    const secretKey = make('secret');
    await this.keys.insert([
      { keyHash: sha256(writeKey), storeId, kind: 'write' },
      { keyHash: sha256(secretKey), storeId, kind: 'secret' },
    ]);
    return { storeId, writeKey, secretKey };
  }

  async revokeAll(storeId: string): Promise<number> {
    const result = await this.keys.update({ storeId, revokedAt: IsNull() }, { revokedAt: new Date() });
    this.cache.clear();
    return result.affected ?? 0;
  }

  async authenticate(key: string): Promise<Caller | null> {
    if (key.length > 200) return null;
    const hash = sha256(key);
    const hit = this.cache.get(hash);
    if (hit && hit.until > Date.now()) return hit.caller;
    const row = await this.keys.findOne({ where: { keyHash: hash, revokedAt: IsNull() } });
    const caller = row ? { storeId: row.storeId, kind: row.kind } : null;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { caller, until: Date.now() + CACHE_TTL_MS });
    return caller;
  }
}
