import { Type, type Static } from '@sinclair/typebox';
import { Currency, Id, Money, StoreId, Text, Timestamp, Url } from './primitives';

const Attributes = Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 256 }), {
  description: 'Free attributes: color, size, material, ...',
  maxProperties: 64,
});

export const ProductVariant = Type.Object(
  {
    variantId: Id('Variant id.'),
    title: Type.Optional(Text(512, 'Variant title.')),
    attributes: Type.Optional(Attributes),
    price: Type.Optional(Money('Variant price when it differs.')),
    inStock: Type.Optional(Type.Boolean()),
    stockLevel: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);

/** A product as a store publishes it (`POST /v1/catalog/products`). */
export const ProductInput = Type.Object(
  {
    productId: Id('Product id, unique per store.'),
    title: Type.String({ minLength: 1, maxLength: 512 }),
    description: Type.Optional(Text(20_000, 'Plain-text description.')),
    brand: Type.Optional(Text(128, 'Brand.')),
    categories: Type.Array(Text(256, 'Category path, e.g. "Home > Kitchen".'), { maxItems: 32, default: [] }),
    price: Money('Regular price.'),
    salePrice: Type.Optional(Money('Discounted price, when on sale.')),
    currency: Currency,
    attributes: Type.Optional(Attributes),
    imageUrl: Type.Optional(Url('Main image.')),
    inStock: Type.Boolean(),
    stockLevel: Type.Optional(Type.Integer({ minimum: 0 })),
    variantGroupId: Type.Optional(Id('Products sharing it are variants of one item (one per recommendation list).')),
    variants: Type.Optional(Type.Array(ProductVariant, { maxItems: 500 })),
    hidden: Type.Optional(Type.Boolean({ description: 'Never shown in recommendations or search.' })),
    createdAt: Type.Optional(Timestamp('When the product was first listed.')),
  },
  { additionalProperties: false, $id: 'ProductInput' },
);
export type ProductInput = Static<typeof ProductInput>;

/** `catalog.products.v1` value. */
export const Product = Type.Object(
  {
    ...ProductInput.properties,
    storeId: StoreId,
    createdAt: Timestamp('When the product was first listed.'),
    updatedAt: Timestamp('When this version was published.'),
  },
  { additionalProperties: false, $id: 'Product' },
);
export type Product = Static<typeof Product>;

/** `catalog.inventory.v1` value. */
export const InventoryChange = Type.Object(
  {
    storeId: StoreId,
    productId: Id('Product id.'),
    variantId: Type.Optional(Id('Variant id.')),
    stockLevel: Type.Integer({ minimum: 0 }),
    inStock: Type.Boolean(),
    updatedAt: Timestamp('When the stock changed.'),
  },
  { additionalProperties: false, $id: 'InventoryChange' },
);
export type InventoryChange = Static<typeof InventoryChange>;
