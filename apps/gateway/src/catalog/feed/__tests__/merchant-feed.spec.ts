import { gzipSync } from 'node:zlib';
import { FeedBodyError, decodeText, decompress, feedContentType } from '../feed-body';
import { FeedError, decodeEntities, looksLikeXml, parseMerchantFeed, parsePrice, parseTsvFeed, parseXmlFeed } from '../merchant-feed';

const tsv = (rows: string[][]) => rows.map((r) => r.join('\t')).join('\n');
const HEADER = ['id', 'title', 'description', 'link', 'image_link', 'availability', 'price', 'sale_price', 'brand', 'google_product_category', 'product_type', 'item_group_id', 'color', 'size', 'gender', 'material', 'condition', 'gtin', 'mpn'];
const row = (over: Partial<Record<(typeof HEADER)[number], string>> = {}) => {
  const base: Record<string, string> = {
    id: 'mug-1',
    title: 'Stoneware mug',
    description: 'A mug for tea.',
    link: 'https://shop.example/mug-1',
    image_link: 'https://shop.example/mug-1.jpg',
    availability: 'in_stock',
    price: '15.00 USD',
    sale_price: '',
    brand: 'Acme',
    google_product_category: 'Home & Garden > Kitchen & Dining > Tableware > Drinkware > Mugs',
    product_type: 'Home > Kitchen > Mugs',
    item_group_id: '',
    color: '',
    size: '',
    gender: '',
    material: '',
    condition: 'new',
    gtin: '',
    mpn: '',
    ...over,
  };
  return HEADER.map((h) => base[h]);
};

/** Deterministic bytes for the garbage cases. */
function noise(n: number, seed = 7): Buffer {
  const out = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const feedError = (f: () => unknown): FeedError => {
  try {
    f();
  } catch (e) {
    if (e instanceof FeedError) return e;
    throw e;
  }
  throw new Error('expected a FeedError');
};

describe('parsePrice', () => {
  it.each([
    ['15.00 USD', 15, 'USD'],
    ['15 EUR', 15, 'EUR'],
    ['USD 15.99', 15.99, 'USD'],
    ['15.00USD', 15, 'USD'],
    ['1,299.99 USD', 1299.99, 'USD'],
    ['1.299,99 EUR', 1299.99, 'EUR'],
    ['15,50 EUR', 15.5, 'EUR'],
    ['1,299 USD', 1299, 'USD'],
    ['0.00 gbp', 0, 'GBP'],
  ])('%s', (input, amount, currency) => {
    expect(parsePrice(input)).toEqual({ amount, currency });
  });

  it.each(['15.00', 'free', '-5 USD', '15.00 US$', 'USD 15 EUR', '15. USD', '1e9 USD'])('refuses %s', (input) => {
    expect(parsePrice(input)).toHaveProperty('error');
  });
});

describe('TSV feeds', () => {
  it('maps the Merchant Center attributes onto products', () => {
    const feed = parseTsvFeed(
      tsv([
        HEADER,
        row(),
        row({ id: 'tee-red-m', title: 'Tee red M', price: '20.00 EUR', sale_price: '15.50 EUR', availability: 'out_of_stock', product_type: 'Apparel > Tops', item_group_id: 'tee', color: 'red', size: 'M', gender: 'unisex', material: 'cotton', gtin: '4006381333931', mpn: 'T-1' }),
        row({ id: 'pre-1', availability: 'preorder' }),
        row({ id: 'back-1', availability: 'backorder' }),
      ]),
    );
    expect(feed.errors).toEqual([]);
    expect(feed.rejected).toBe(0);
    expect(feed.format).toBe('tsv');
    expect(feed.products[0]).toEqual({
      productId: 'mug-1',
      title: 'Stoneware mug',
      description: 'A mug for tea.',
      brand: 'Acme',
      categories: ['Home > Kitchen > Mugs'],
      price: 15,
      currency: 'USD',
      imageUrl: 'https://shop.example/mug-1.jpg',
      inStock: true,
      attributes: { condition: 'new', google_product_category: 'Home & Garden > Kitchen & Dining > Tableware > Drinkware > Mugs' },
    });
    expect(feed.products[1]).toMatchObject({
      productId: 'tee-red-m',
      price: 20,
      salePrice: 15.5,
      currency: 'EUR',
      inStock: false,
      categories: ['Apparel > Tops'],
      variantGroupId: 'tee',
      attributes: { color: 'red', size: 'M', gender: 'unisex', material: 'cotton', gtin: '4006381333931', mpn: 'T-1', condition: 'new' },
    });
    expect(feed.products[2]).toMatchObject({ productId: 'pre-1', inStock: true, attributes: { availability: 'preorder' } });
    expect(feed.products[3]).toMatchObject({ productId: 'back-1', inStock: true, attributes: { availability: 'backorder' } });
  });

  it('reads headers as Merchant Center does: any case, g: prefixes, spaces, a BOM, CRLF lines, any order', () => {
    const text = '\uFEFFG:ID\tImage Link\tTitle\tPrice\tAvailability\r\nsku-1\thttps://x/1.jpg\tLamp\t30 GBP\tin stock\r\n';
    const feed = parseTsvFeed(text);
    expect(feed.errors).toEqual([]);
    expect(feed.products).toEqual([{ productId: 'sku-1', title: 'Lamp', price: 30, currency: 'GBP', inStock: true, imageUrl: 'https://x/1.jpg', categories: [] }]);
  });

  it('takes repeated product_type columns as several categories, and a textual google_product_category when there is none', () => {
    const feed = parseTsvFeed(
      tsv([
        ['id', 'title', 'price', 'availability', 'product_type', 'product_type', 'google_product_category'],
        ['a', 'A', '1 USD', 'in_stock', 'Home > Kitchen', 'Gifts > For her', '2169'],
        ['b', 'B', '1 USD', 'in_stock', '', '', 'Home & Garden > Decor'],
        ['c', 'C', '1 USD', 'in_stock', '', '', '2169'],
      ]),
    );
    expect(feed.products.map((p) => p.categories)).toEqual([['Home > Kitchen', 'Gifts > For her'], ['Home & Garden > Decor'], []]);
  });

  it('rejects bad rows one by one, naming the line and the attribute, and keeps the rest', () => {
    const text = tsv([
      HEADER,
      row({ id: 'ok-1' }),
      row({ id: 'no-price', price: '' }),
      row({ id: 'bad-price', price: '15.00' }),
      row({ id: 'bad-avail', availability: 'maybe' }),
      row({ id: 'has space' }),
      row({ id: 'sale-cur', sale_price: '10 EUR' }),
      row({ id: '', title: '' }),
      [...row({ id: 'shifted' }), 'extra value'],
      ['', '', ''],
      row({ id: 'ok-2', title: 'x'.repeat(600) }),
      row({ id: 'ok-3' }),
    ]);
    const feed = parseTsvFeed(text);
    expect(feed.products.map((p) => p.productId)).toEqual(['ok-1', 'ok-3']);
    expect(feed.rejected).toBe(8);
    const byId = Object.fromEntries(feed.errors.map((e) => [e.productId ?? '', e]));
    expect(byId['no-price']).toEqual({ line: 3, productId: 'no-price', errors: [{ field: 'price', message: expect.stringMatching(/required/) }] });
    expect(byId['bad-price'].errors).toEqual([{ field: 'price', message: expect.stringMatching(/no currency/) }]);
    expect(byId['bad-avail'].errors).toEqual([{ field: 'availability', message: expect.stringMatching(/in_stock, out_of_stock/) }]);
    expect(byId['has space'].errors).toEqual([{ field: 'id', message: expect.stringMatching(/letters, digits/) }]);
    expect(byId['sale-cur'].errors).toEqual([{ field: 'sale_price', message: 'in EUR, the price in USD' }]);
    expect(byId[''].errors.map((e) => e.field)).toEqual(['id', 'title']);
    expect(byId['shifted']).toMatchObject({ line: 9, errors: [{ field: '(row)', message: expect.stringMatching(/20 values for 19 columns/) }] });
    expect(byId['ok-2']).toMatchObject({ line: 11, errors: [{ field: 'title', message: expect.stringMatching(/length/) }] });
  });

  it('accepts short rows and trailing empty cells, as spreadsheets write them', () => {
    const feed = parseTsvFeed('id\ttitle\tprice\tavailability\tbrand\na\tA\t1 USD\tin_stock\nb\tB\t2 USD\tin_stock\t\t\t\n');
    expect(feed.products.map((p) => p.productId)).toEqual(['a', 'b']);
  });

  it('reads quoted values, and a quote inside an unquoted value', () => {
    const feed = parseTsvFeed('id\ttitle\tdescription\tprice\tavailability\na\t"Mug, ""the"" big one"\t"two\nlines"\t1 USD\tin_stock\nb\t12" ruler\tsteel\t2 USD\tin_stock\n');
    expect(feed.errors).toEqual([]);
    expect(feed.products.map((p) => [p.title, p.description])).toEqual([
      ['Mug, "the" big one', 'two\nlines'],
      ['12" ruler', 'steel'],
    ]);
  });

  it('does not let a quote that never closes swallow the rows after it', () => {
    const feed = parseTsvFeed('id\ttitle\tprice\tavailability\na\t"Broken title\t1 USD\tin_stock\nb\tFine\t2 USD\tin_stock\nc\t"Quoted"\t3 USD\tin_stock\n');
    expect(feed.products.map((p) => [p.productId, p.title])).toEqual([
      ['a', '"Broken title'],
      ['b', 'Fine'],
      ['c', 'Quoted'],
    ]);
  });

  it('does not let a quote that closes rows later merge them', () => {
    const feed = parseTsvFeed('id\ttitle\tprice\tavailability\na\t"Broken\t1 USD\tin_stock\nb\tFine\t2 USD\tin_stock\nc\tAlso "fine"\t3 USD\tin_stock\n');
    expect(feed.products.map((p) => p.productId)).toEqual(['a', 'b', 'c']);
  });

  it('refuses a feed without id or title column, or without a header, as a whole', () => {
    expect(feedError(() => parseTsvFeed('sku\tname\tprice\n1\tA\t1 USD\n')).errors).toEqual([
      { field: '(header)', message: 'no id column' },
      { field: '(header)', message: 'no title column' },
    ]);
    expect(feedError(() => parseTsvFeed('id,title,price\n1,A,1 USD\n')).message).toMatch(/not comma-separated/);
    expect(feedError(() => parseTsvFeed('')).message).toMatch(/empty/);
    expect(parseTsvFeed('id\ttitle\n')).toEqual({ format: 'tsv', products: [], rejected: 0, errors: [] });
  });

  it('keeps at most maxErrors item errors and counts them all', () => {
    const rows = Array.from({ length: 250 }, (_, i) => row({ id: `bad-${i}`, price: 'n/a' }));
    const feed = parseTsvFeed(tsv([HEADER, ...rows, row({ id: 'good' })]), { maxErrors: 100 });
    expect(feed.rejected).toBe(250);
    expect(feed.errors).toHaveLength(100);
    expect(feed.products.map((p) => p.productId)).toEqual(['good']);
  });

  it('copes with huge fields: rejected by their limit, quickly, with a bounded error', () => {
    const started = Date.now();
    const feed = parseTsvFeed(tsv([HEADER, row({ id: 'big', description: 'd'.repeat(5_000_000) }), row({ id: 'x'.repeat(1_000_000) }), row({ id: 'ok' })]));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(feed.products.map((p) => p.productId)).toEqual(['ok']);
    expect(feed.errors[0]).toMatchObject({ productId: 'big', errors: [{ field: 'description' }] });
    expect(feed.errors[1].productId).toHaveLength(128);
    expect(JSON.stringify(feed.errors).length).toBeLessThan(2_000);
  });

  it('refuses binary garbage as a whole, never throwing anything but a FeedError', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const text = decodeText(noise(4_096, seed), undefined, 'tsv');
      expect(() => parseMerchantFeed(text, 'tsv')).toThrow(FeedError);
    }
    expect(feedError(() => parseMerchantFeed('id\ttitle\na\x00b\tc\n', 'tsv')).message).toMatch(/binary/);
  });
});

const RSS = (items: string, ns = 'xmlns:g="http://base.google.com/ns/1.0"') =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" ${ns}>\n<channel>\n<title>Shop</title>\n<link>https://shop.example</link>\n${items}</channel>\n</rss>\n`;
const ATOM = (entries: string) => `<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xmlns:g="http://base.google.com/ns/1.0">\n<title>Shop</title>\n${entries}</feed>\n`;

describe('RSS 2.0 feeds', () => {
  it('maps g: elements onto products, decoding entities and CDATA', () => {
    const feed = parseXmlFeed(
      RSS(`<item>
<g:id>007</g:id>
<g:title>Salt &amp; pepper set &#233;&#x20AC;</g:title>
<g:description><![CDATA[Two <b>mills</b> &amp; a tray]]></g:description>
<g:link>https://shop.example/007?a=1&amp;b=2</g:link>
<g:image_link>https://shop.example/007.jpg</g:image_link>
<g:availability>in_stock</g:availability>
<g:price>24.90 EUR</g:price>
<g:sale_price>19.90 EUR</g:sale_price>
<g:brand>Acme</g:brand>
<g:product_type>Home &gt; Kitchen &gt; Spices</g:product_type>
<g:product_type>Gifts</g:product_type>
<g:item_group_id>mills</g:item_group_id>
<g:color>black</g:color>
<g:shipping><g:country>DE</g:country><g:price>4.95 EUR</g:price></g:shipping>
</item>
<item><g:id>2</g:id><g:title>Two</g:title><g:price>1 EUR</g:price><g:availability>out_of_stock</g:availability></item>
`),
    );
    expect(feed.format).toBe('rss');
    expect(feed.errors).toEqual([]);
    expect(feed.products[0]).toEqual({
      productId: '007',
      title: 'Salt & pepper set é€',
      description: 'Two <b>mills</b> &amp; a tray',
      brand: 'Acme',
      categories: ['Home > Kitchen > Spices', 'Gifts'],
      price: 24.9,
      salePrice: 19.9,
      currency: 'EUR',
      imageUrl: 'https://shop.example/007.jpg',
      inStock: true,
      variantGroupId: 'mills',
      attributes: { color: 'black' },
    });
    expect(feed.products[1]).toMatchObject({ productId: '2', inStock: false });
  });

  it('finds Google attributes by namespace, whatever the prefix, and falls back on RSS title, link and description', () => {
    const custom = parseXmlFeed(
      RSS('<item><google:id>a</google:id><title>Plain title</title><description>Plain text</description><google:price>5 USD</google:price><google:availability>in_stock</google:availability></item>', 'xmlns:google="http://base.google.com/ns/1.0"'),
    );
    expect(custom.products).toEqual([{ productId: 'a', title: 'Plain title', description: 'Plain text', price: 5, currency: 'USD', inStock: true, categories: [] }]);
    const both = parseXmlFeed(RSS('<item><g:id>b</g:id><title>RSS title</title><g:title>Google title</g:title><g:price>5 USD</g:price><g:availability>in_stock</g:availability></item>'));
    expect(both.products[0].title).toBe('Google title');
    const other = parseXmlFeed(RSS('<item><x:id>c</x:id><x:title>Other namespace</x:title></item>', 'xmlns:x="urn:other"'));
    expect(other.errors[0].errors.map((e) => e.field)).toEqual(['id', 'title', 'price', 'availability']);
  });

  it('reports bad items by index and line', () => {
    const feed = parseXmlFeed(
      RSS(`<item><g:id>ok</g:id><g:title>Ok</g:title><g:price>1 USD</g:price><g:availability>in_stock</g:availability></item>
<item>
  <g:id>bad</g:id><g:title>Bad</g:title><g:price>cheap</g:price><g:availability>in_stock</g:availability>
</item>
<item></item>
`),
    );
    expect(feed.products.map((p) => p.productId)).toEqual(['ok']);
    expect(feed.errors).toEqual([
      { index: 1, line: 7, productId: 'bad', errors: [{ field: 'price', message: expect.stringMatching(/not a price/) }] },
      { index: 2, errors: [{ field: '(item)', message: 'an empty item' }] },
    ]);
  });

  it('takes an RSS feed sent as text/plain for XML', () => {
    expect(looksLikeXml(RSS(''))).toBe(true);
    expect(looksLikeXml('id\ttitle\n')).toBe(false);
  });
});

describe('Atom 1.0 feeds', () => {
  it('maps entries, with Atom title, summary and link href standing in', () => {
    const feed = parseXmlFeed(
      ATOM(`<entry>
<g:id>TV_123456</g:id>
<g:title>LG 22LB4510 - 22" LED TV</g:title>
<g:description>Full HD</g:description>
<g:link>https://shop.example/tv</g:link>
<g:image_link>https://shop.example/tv.jpg</g:image_link>
<g:condition>used</g:condition>
<g:availability>in_stock</g:availability>
<g:price>159.00 USD</g:price>
<g:gtin>71919219405200</g:gtin>
</entry>
<entry>
<title type="text">Atom title</title>
<summary>Atom summary</summary>
<link rel="alternate" href="https://shop.example/a"/>
<g:id>atom-1</g:id><g:price>9.99 USD</g:price><g:availability>backorder</g:availability>
</entry>
`),
    );
    expect(feed.format).toBe('atom');
    expect(feed.errors).toEqual([]);
    expect(feed.products).toEqual([
      {
        productId: 'TV_123456',
        title: 'LG 22LB4510 - 22" LED TV',
        description: 'Full HD',
        imageUrl: 'https://shop.example/tv.jpg',
        inStock: true,
        price: 159,
        currency: 'USD',
        categories: [],
        attributes: { condition: 'used', gtin: '71919219405200' },
      },
      { productId: 'atom-1', title: 'Atom title', description: 'Atom summary', price: 9.99, currency: 'USD', inStock: true, categories: [], attributes: { availability: 'backorder' } },
    ]);
  });

  it('reads a feed whose default namespace is Google’s', () => {
    const feed = parseXmlFeed('<feed xmlns="http://base.google.com/ns/1.0"><entry><id>d</id><title>D</title><price>2 USD</price><availability>in_stock</availability></entry></feed>');
    expect(feed.products.map((p) => p.productId)).toEqual(['d']);
  });
});

describe('hostile XML', () => {
  const quick = (f: () => void) => {
    const started = Date.now();
    f();
    expect(Date.now() - started).toBeLessThan(3_000);
  };

  it('refuses a DOCTYPE, so no entity is ever defined or expanded (billion laughs, XXE)', () => {
    const laughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol9 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<rss xmlns:g="http://base.google.com/ns/1.0"><channel><item><g:id>x</g:id><g:title>&lol9;</g:title></item></channel></rss>`;
    const xxe = `<?xml version="1.0"?><!-- a comment first --><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><rss><channel><item><g:title>&xxe;</g:title></item></channel></rss>`;
    quick(() => {
      expect(feedError(() => parseXmlFeed(laughs)).message).toMatch(/DOCTYPE/);
      expect(feedError(() => parseXmlFeed(xxe)).message).toMatch(/DOCTYPE/);
      expect(feedError(() => parseXmlFeed('<!doctype rss SYSTEM "http://evil.example/x.dtd"><rss/>')).message).toMatch(/DOCTYPE/);
    });
  });

  it('leaves undeclared entities as written', () => {
    const feed = parseXmlFeed(RSS('<item><g:id>e</g:id><g:title>&xxe; &nbsp; &#0; &#xD800;</g:title><g:price>1 USD</g:price><g:availability>in_stock</g:availability></item>'));
    expect(feed.products[0].title).toBe('&xxe; &nbsp; &#0; &#xD800;');
    expect(decodeEntities('&amp;lt;')).toBe('&lt;');
  });

  it('refuses deep nesting without exhausting the stack', () => {
    quick(() => {
      const deep = `<rss><channel><item>${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}</item></channel></rss>`;
      expect(() => parseXmlFeed(deep)).toThrow(FeedError);
      expect(() => parseXmlFeed('<a>'.repeat(100_000))).toThrow(FeedError);
    });
  });

  it('rejects huge fields by their limit without choking', () => {
    quick(() => {
      const feed = parseXmlFeed(RSS(`<item><g:id>big</g:id><g:title>${'t'.repeat(2_000_000)}</g:title><g:price>1 USD</g:price><g:availability>in_stock</g:availability></item>`));
      expect(feed.errors).toEqual([{ index: 0, line: 6, productId: 'big', errors: [{ field: 'title', message: expect.stringMatching(/length/) }] }]);
    });
  });

  it('does not let element names pollute prototypes', () => {
    const text = RSS('<item><__proto__><polluted>yes</polluted></__proto__><g:id>p</g:id></item><item><constructor><prototype><polluted>yes</polluted></prototype></constructor></item>');
    try {
      parseXmlFeed(text);
    } catch (e) {
      expect(e).toBeInstanceOf(FeedError);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses malformed, truncated, foreign and binary documents as a whole with where it broke', () => {
    expect(feedError(() => parseXmlFeed(RSS('<item><g:id>x</g:id>'))).errors[0].message).toMatch(/^line \d+, column \d+: /);
    expect(feedError(() => parseXmlFeed(RSS('<item><g:title>a & b</g:title></item>'))).errors[0].message).toMatch(/line 6/);
    expect(feedError(() => parseXmlFeed('<html><body>hello</body></html>')).message).toMatch(/Not a Merchant Center feed/);
    expect(feedError(() => parseXmlFeed('<rss version="2.0"></rss>')).message).toMatch(/channel/);
    expect(feedError(() => parseXmlFeed('')).message).toMatch(/Not a Merchant Center feed|Malformed/);
    for (let seed = 1; seed <= 20; seed++) {
      const bytes = noise(4_096, seed);
      expect(() => parseMerchantFeed(decodeText(bytes, undefined, 'xml'), 'xml')).toThrow(FeedError);
      expect(() => parseMerchantFeed(`<rss><channel><item>${decodeText(bytes, 'latin1', 'xml')}</item></channel></rss>`, 'xml')).toThrow(FeedError);
    }
  });

  it('accepts an empty channel', () => {
    expect(parseXmlFeed(RSS(''))).toEqual({ format: 'rss', products: [], rejected: 0, errors: [] });
  });
});

describe('feed bodies', () => {
  const status = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      if (e instanceof FeedBodyError) return e.status;
      throw e;
    }
    return 0;
  };

  it('knows the feed media types, with parameters, and nothing else', () => {
    expect(feedContentType('text/tab-separated-values; charset=UTF-8')).toEqual({ format: 'tsv', mediaType: 'text/tab-separated-values', charset: 'utf-8' });
    expect(feedContentType('text/plain')).toEqual({ format: 'tsv', mediaType: 'text/plain' });
    for (const t of ['application/xml', 'text/xml', 'application/rss+xml', 'Application/Atom+XML']) expect(feedContentType(t).format).toBe('xml');
    for (const t of [undefined, '', 'application/json', 'text/csv', 'multipart/form-data; boundary=x', 'toString', '__proto__']) expect(status(() => feedContentType(t))).toBe(415);
  });

  it('decodes UTF-8, UTF-16 with a BOM, a declared charset, and the XML declaration’s encoding', () => {
    expect(decodeText(Buffer.from('\uFEFFid\ttitle', 'utf8'), undefined, 'tsv')).toBe('id\ttitle');
    expect(decodeText(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('id\tcafé', 'utf16le')]), undefined, 'tsv')).toBe('id\tcafé');
    expect(decodeText(Buffer.from('café', 'latin1'), 'iso-8859-1', 'tsv')).toBe('café');
    expect(decodeText(Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><a>café</a>', 'latin1'), undefined, 'xml')).toContain('café');
    expect(decodeText(Buffer.from('<?xml version="1.0" encoding="UTF-16"?><a>é</a>', 'utf8'), undefined, 'xml')).toContain('é');
    expect(status(() => decodeText(Buffer.from('x'), 'klingon', 'tsv'))).toBe(415);
  });

  it('inflates gzip by header or magic bytes, bounded, and refuses broken or unknown encodings', () => {
    const text = 'id\ttitle\n'.repeat(100);
    expect(decompress(gzipSync(text), 'gzip', 1_000_000).toString()).toBe(text);
    expect(decompress(gzipSync(text), undefined, 1_000_000).toString()).toBe(text);
    expect(decompress(Buffer.from(text), undefined, 1_000_000).toString()).toBe(text);
    expect(status(() => decompress(gzipSync(Buffer.alloc(10_000_000)), 'gzip', 1_000_000))).toBe(413);
    expect(status(() => decompress(noise(100), 'gzip', 1_000_000))).toBe(400);
    expect(status(() => decompress(Buffer.from(text), 'br', 1_000_000))).toBe(415);
  });
});
