import { product } from '@signal/testing';
import { productDocument } from '../product-document';

describe('productDocument', () => {
  it('indexes category levels, the leaf name, colour and size, and the price paid', () => {
    const d = productDocument(
      product('s', 'p', { title: 'Tee', categories: ['Clothing > Tops > Tees'], attributes: { Colour: 'Navy ', size: 'M', material: 'Cotton' }, price: 20, salePrice: 15, brand: 'Woven' }),
    );
    expect(d).toMatchObject({
      categories: ['clothing', 'clothing > tops', 'clothing > tops > tees'],
      category: 'Tees',
      categoryText: 'Clothing Tops Tees',
      color: 'Navy',
      size: 'M',
      attributeText: 'Cotton',
      effectivePrice: 15,
      brand: 'Woven',
      hidden: false,
    });
  });

  it('a sale price above the price is not a sale', () => {
    expect(productDocument(product('s', 'p', { price: 10, salePrice: 12 })).effectivePrice).toBe(10);
  });

  it('a product with stock level 0 is out of stock', () => {
    expect(productDocument(product('s', 'p', { inStock: true, stockLevel: 0 })).inStock).toBe(false);
  });

  it('writes dates in one form, so the out-of-order check compares like with like', () => {
    expect(productDocument(product('s', 'p', { updatedAt: '2026-01-02T03:04:05Z' })).updatedAt).toBe('2026-01-02T03:04:05.000Z');
  });

  it('leaves absent fields out rather than null (strict mapping)', () => {
    const d = productDocument(product('s', 'p'));
    expect(Object.values(d)).not.toContain(undefined);
    expect(d).not.toHaveProperty('brand');
  });
});
