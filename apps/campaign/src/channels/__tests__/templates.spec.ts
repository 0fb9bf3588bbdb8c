import { TemplateError, compileTemplate, htmlToText, money, productContext, render, renderEmail } from '../templates';

const row = { product_id: 'p1', title: 'Wool <Rug>', brand: 'Loom', price: 120, sale_price: 90, currency: 'EUR', image_url: 'https://cdn.example.com/rug.jpg', in_stock: true };

describe('templates', () => {
  it('escapes HTML in variables by default', () => {
    expect(render(compileTemplate('<p>Hi {{name}}</p>'), { name: '<script>alert(1)</script>' })).toBe('<p>Hi &lt;script&gt;alert(1)&lt;/script&gt;</p>');
  });

  it('does not escape in text mode', () => {
    expect(render(compileTemplate('Hi {{name}}', { text: true }), { name: 'Tom & Jerry <3' })).toBe('Hi Tom & Jerry <3');
  });

  it('fails on a missing variable instead of leaving a hole (strict)', () => {
    const t = compileTemplate('Hi {{shopper.firstName}}');
    expect(() => render(t, { shopper: {} })).toThrow(TemplateError);
    expect(() => render(t, {})).toThrow(/firstName|shopper/);
    expect(render(t, { shopper: { firstName: 'Ana' } })).toBe('Hi Ana');
  });

  it('lets {{#if}} test optional fields', () => {
    expect(render(compileTemplate('{{#if coupon}}Use {{coupon}}{{else}}No code{{/if}}'), {})).toBe('No code');
  });

  it('names the line of a syntax error', () => {
    const fail = (source: string) => {
      try {
        compileTemplate(source);
      } catch (e) {
        return e as TemplateError;
      }
      throw new Error('compiled');
    };
    // A mismatched block is reported at the block it opens.
    expect(fail('line one\nline two {{#if x}}\n{{/each}}')).toMatchObject({ name: 'TemplateError', line: 2 });
    const unclosed = fail('ok\n{{ name');
    expect(unclosed.line).toBe(2);
    expect(unclosed.message).toMatch(/syntax error.*line 2/i);
  });

  it('rejects an unknown helper when compiling, not when sending', () => {
    expect(() => compileTemplate('{{shout name}}')).toThrow(TemplateError);
  });

  it('caches compiled templates by source', () => {
    expect(compileTemplate('{{a}} cached')).toBe(compileTemplate('{{a}} cached'));
    expect(compileTemplate('{{a}} cached', { text: true })).not.toBe(compileTemplate('{{a}} cached'));
  });

  it('formats money', () => {
    expect(money(12.5, 'EUR')).toBe('€12.50');
    expect(render(compileTemplate('{{money amount currency}}'), { amount: 1999, currency: 'USD' })).toBe('$1,999.00');
    expect(money(3, 'EURO')).toBe('3.00 EURO');
    expect(() => money('abc', 'EUR')).toThrow(TemplateError);
  });

  it('gives products to {{#each}} with every field present', () => {
    const p = productContext(row, 'https://shop.example.com/p1');
    expect(p).toEqual({ productId: 'p1', title: 'Wool <Rug>', brand: 'Loom', price: 90, regularPrice: 120, onSale: true, currency: 'EUR', imageUrl: 'https://cdn.example.com/rug.jpg', url: 'https://shop.example.com/p1', inStock: true });
    expect(productContext({ ...row, sale_price: null, image_url: null }, 'u')).toMatchObject({ price: 120, regularPrice: null, onSale: false, imageUrl: null });
    expect(render(compileTemplate('{{#each products}}{{title}}={{money price currency}};{{/each}}'), { products: [p] })).toBe('Wool &lt;Rug&gt;=€90.00;');
  });
});

describe('the default e-mail layout', () => {
  const email = renderEmail({
    subject: 'Still thinking about the {{product.title}}?',
    body: '<p>Hi {{firstName}}, it is back in stock.</p>',
    context: { firstName: 'Ana & Bo', product: { title: 'Rug' } },
    products: [productContext(row, 'https://shop.example.com/p1'), productContext({ ...row, product_id: 'p2', title: 'Lamp', sale_price: null, image_url: null }, 'https://shop.example.com/p2')],
    storeName: 'Loom & Co',
    unsubscribeUrl: 'https://gw.example.com/v1/unsubscribe?token=abc.def',
    openPixelUrl: 'https://gw.example.com/v1/m/m1/open.gif?t=x.y',
  });

  it('renders subject, body, products and the unsubscribe footer in HTML', () => {
    expect(email.subject).toBe('Still thinking about the Rug?');
    expect(email.html).toContain('<p>Hi Ana &amp; Bo, it is back in stock.</p>');
    expect(email.html).toContain('<img src="https://cdn.example.com/rug.jpg" alt="Wool &lt;Rug&gt;"');
    expect(email.html).toContain('€90.00');
    expect(email.html).toContain('<s style="color:#71717a">€120.00</s>');
    expect(email.html).toContain('href="https://shop.example.com/p2"');
    expect(email.html).toContain('<a href="https://gw.example.com/v1/unsubscribe?token&#x3D;abc.def"');
    expect(email.html).toContain('open.gif?t&#x3D;x.y');
    expect(email.unsubscribeUrl).toBe('https://gw.example.com/v1/unsubscribe?token=abc.def');
  });

  it('renders a readable text part', () => {
    expect(email.text).toContain('Hi Ana & Bo, it is back in stock.');
    expect(email.text).toContain('- Wool <Rug>: €90.00\n  https://shop.example.com/p1');
    expect(email.text).toContain('Unsubscribe: https://gw.example.com/v1/unsubscribe?token=abc.def');
    expect(email.text).not.toMatch(/<p>|&amp;/);
  });

  it('fails as a whole when the step template needs a variable the context lacks', () => {
    expect(() => renderEmail({ subject: 'Hi {{name}}', body: 'x', context: {}, storeName: 's', unsubscribeUrl: 'u' })).toThrow(TemplateError);
  });

  it('turns HTML into text', () => {
    expect(htmlToText('<p>A<br>B</p><p><a href="https://x.example">link</a> &amp; more</p>')).toBe('A\nB\nlink (https://x.example) & more');
  });
});
