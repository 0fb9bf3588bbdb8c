import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import { CAMPAIGN_CONFIG, type CampaignConfig } from '../config';
import type { Channel, DeliveryResult, EmailContent, OutgoingMessage } from './channel';

/** What nodemailer puts on its errors. */
export interface SmtpError {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  message?: string;
}

const NETWORK_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ETLS', 'EPROTOCOL']);

/**
 * SMTP failure → retry or not. 5xx: permanent; a recipient rejection (RCPT TO) with 550/551/553 or
 * an enhanced status 5.1.x is a hard bounce (`addressGone`), while e.g. "550 5.7.1" (policy) is not.
 * 4xx, network trouble and anything unknown: transient. Authentication failures stay transient too:
 * they are the operator's to fix, and the queued mail should go out once they have.
 */
export function classifySmtpError(e: SmtpError): DeliveryResult & { ok: false } {
  const detail = (e.response ?? e.message ?? 'unknown error').replace(/\s+/g, ' ').slice(0, 300);
  const code = e.responseCode;
  if (e.code === 'EAUTH') return { ok: false, permanent: false, reason: `smtp authentication failed: ${detail}` };
  if (code !== undefined && code >= 500 && code < 600) {
    const recipientStage = e.command === 'RCPT TO' || e.code === 'EENVELOPE';
    const enhanced = /\b([245])\.(\d{1,3})\.(\d{1,3})\b/.exec(detail);
    const gone = recipientStage && (enhanced ? enhanced[1] === '5' && enhanced[2] === '1' : [550, 551, 553].includes(code));
    return { ok: false, permanent: true, ...(gone ? { addressGone: true } : {}), reason: `smtp ${code}: ${detail}` };
  }
  if (code !== undefined && code >= 400 && code < 500) return { ok: false, permanent: false, reason: `smtp ${code}: ${detail}` };
  // Rejected before talking to the server: the address cannot be used at all.
  if (e.code === 'EENVELOPE') return { ok: false, permanent: true, addressGone: true, reason: `invalid recipient: ${detail}` };
  if (e.code === 'EMESSAGE') return { ok: false, permanent: true, reason: `message could not be built: ${detail}` };
  if (e.code && NETWORK_CODES.has(e.code)) return { ok: false, permanent: false, reason: `smtp connection: ${e.code} ${detail}` };
  return { ok: false, permanent: false, reason: `smtp: ${detail}` };
}

/** `smtp[s]://user:pass@host:port` → pooled transport options (nodemailer ignores other options next to `url`). */
export function smtpOptions(smtpUrl: string): SMTPPool.Options {
  const u = new URL(smtpUrl);
  const secure = u.protocol === 'smtps:';
  return {
    pool: true,
    host: u.hostname,
    port: u.port ? Number(u.port) : secure ? 465 : 587,
    secure,
    ...(u.username ? { auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } } : {}),
    maxConnections: 5,
    // Short enough that a dead server turns into a retry soon, not a stuck sender.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  };
}

/** The domain Message-IDs are minted in: the From address's, so they look like ours to receivers. */
const messageIdDomain = (from: string): string => /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? 'signal.invalid';

/** E-mail over SMTP with one pooled transport per replica. */
@Injectable()
export class EmailChannel implements Channel, OnModuleDestroy {
  readonly name = 'email' as const;
  private readonly logger = new Logger(EmailChannel.name);
  private readonly transport: Transporter<SMTPPool.SentMessageInfo>;
  private readonly domain: string;

  constructor(@Inject(CAMPAIGN_CONFIG) private readonly config: CampaignConfig) {
    this.transport = createTransport(smtpOptions(config.SMTP_URL));
    this.domain = messageIdDomain(config.MAIL_FROM);
  }

  /** The Message-ID of a message: the same on every attempt, so a resend is recognisable. */
  messageIdHeader(messageId: string): string {
    return `<${messageId}@${this.domain}>`;
  }

  async send(message: OutgoingMessage): Promise<DeliveryResult> {
    const content = message.content as EmailContent;
    try {
      const info: SMTPPool.SentMessageInfo = await this.transport.sendMail({
        from: this.config.MAIL_FROM,
        to: message.to,
        subject: content.subject,
        html: content.html,
        text: content.text,
        messageId: this.messageIdHeader(message.messageId),
        // RFC 8058 one-click unsubscribe: mail clients POST to the URL themselves.
        list: { unsubscribe: content.unsubscribeUrl },
        headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      });
      // One recipient: a rejection without an exception still means it did not go.
      if (info.rejected.length > 0) {
        const rejected = (info as { rejectedErrors?: SmtpError[] }).rejectedErrors?.[0];
        return classifySmtpError(rejected ?? { code: 'EENVELOPE', message: 'recipient rejected' });
      }
      return { ok: true, providerId: info.messageId };
    } catch (e) {
      return classifySmtpError((e ?? {}) as SmtpError);
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }

  async onModuleDestroy(): Promise<void> {
    await this.close();
    this.logger.debug('SMTP pool closed');
  }
}
