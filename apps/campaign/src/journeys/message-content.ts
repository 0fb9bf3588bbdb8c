import type { EmailContent, PushContent, WebhookContent } from '../channels/channel';
import { compileTemplate, render, renderEmail, type ProductContext } from '../channels/templates';
import type { SendStep } from './definition';

/** Everything a step's templates may use; absent things are null so strict templates can `{{#if}}` them. */
export interface MessageContext {
  storeId: string;
  journey: { id: string; name: string };
  shopper: {
    profileId: string;
    email: string | null;
    stage: string | null;
    country: string | null;
    ordersCount: number;
    traits: Record<string, unknown>;
  };
  /** The trigger's product, with `left` = stock level (low stock, back in stock). */
  product: (ProductContext & { left: number | null }) | null;
  cart: { items: (ProductContext & { quantity: number })[]; count: number };
  offer: { code: string; discount: unknown; expiresAt: string } | null;
  /** Recommended products (the step's `recommendations`), empty when the recommender did not answer. */
  products: ProductContext[];
  unsubscribeUrl: string;
}

const text = (source: string, context: object) => render(compileTemplate(source, { text: true }), context as Record<string, unknown>);

/** The message of a send step for this context. Throws TemplateError when a template does not render. */
export function messageContent(step: SendStep, ctx: MessageContext, ids: { runId: string }): EmailContent | PushContent | WebhookContent {
  const t = step.template;
  if (step.channel === 'email') {
    const { products, unsubscribeUrl, ...context } = ctx;
    return renderEmail({ subject: t.subject ?? '', body: t.html ?? t.text ?? '', context, products, storeName: ctx.storeId, unsubscribeUrl });
  }
  if (step.channel === 'push') {
    return { title: text(t.title ?? '', ctx), body: text(t.body ?? '', ctx), ...(t.url ? { url: text(t.url, ctx) } : {}) };
  }
  const message = t.body ?? t.text;
  return {
    body: {
      journeyId: ctx.journey.id,
      runId: ids.runId,
      stepId: step.id,
      storeId: ctx.storeId,
      profileId: ctx.shopper.profileId,
      ...(message ? { message: text(message, ctx) } : {}),
      product: ctx.product,
      cart: ctx.cart,
      offer: ctx.offer,
      products: ctx.products,
    },
  };
}
