import { categoryPaths, leafCategory, normalizeCategory } from '../categories';

describe('categoryPaths', () => {
  it('every level of a path, lower-cased and joined by " > "', () => {
    expect(categoryPaths(['Electronics > Phones'])).toEqual(['electronics', 'electronics > phones']);
    expect(categoryPaths(['Home > Kitchen > Knives'])).toEqual(['home', 'home > kitchen', 'home > kitchen > knives']);
  });

  it('takes ">" and "/" as separators, with or without spaces around them', () => {
    const expected = ['electronics', 'electronics > phones'];
    for (const c of ['Electronics/Phones', 'Electronics / Phones', 'Electronics>Phones', 'ELECTRONICS   >   phones', '  Electronics > Phones  ', 'Electronics\t>\tPhones']) {
      expect(categoryPaths([c])).toEqual(expected);
    }
    expect(categoryPaths(['A / B > C'])).toEqual(['a', 'a > b', 'a > b > c']);
  });

  it('drops empty levels', () => {
    expect(categoryPaths(['Electronics >> Phones'])).toEqual(['electronics', 'electronics > phones']);
    expect(categoryPaths(['/Electronics/Phones/'])).toEqual(['electronics', 'electronics > phones']);
    expect(categoryPaths(['', '  ', '>', ' / '])).toEqual([]);
    expect(categoryPaths([])).toEqual([]);
  });

  it('keeps spaces inside a level; dedupes levels shared between paths, in first-seen order', () => {
    expect(categoryPaths(['Home & Garden > Garden Tools'])).toEqual(['home & garden', 'home & garden > garden tools']);
    expect(categoryPaths(['Electronics > Phones', 'electronics > Phone Accessories', 'Sale'])).toEqual(['electronics', 'electronics > phones', 'electronics > phone accessories', 'sale']);
  });
});

describe('leafCategory', () => {
  it('the longest path; the first one on a tie; null when there is none', () => {
    expect(leafCategory(categoryPaths(['Electronics > Phones']))).toBe('electronics > phones');
    expect(leafCategory(['a', 'a > bb', 'a > cc'])).toBe('a > bb');
    expect(leafCategory([])).toBeNull();
  });
});

describe('normalizeCategory', () => {
  it('the deepest level of one path, as categoryPaths writes it', () => {
    expect(normalizeCategory('Electronics / PHONES')).toBe('electronics > phones');
    expect(normalizeCategory(' Sale ')).toBe('sale');
    expect(normalizeCategory('')).toBe('');
    expect(normalizeCategory(' > ')).toBe('');
  });

  it('matches a product whose paths came from any spelling of the same category', () => {
    const paths = categoryPaths(['Home>Kitchen>Knives']);
    expect(paths).toContain(normalizeCategory('home / kitchen'));
    expect(paths).toContain(normalizeCategory('HOME'));
    expect(paths).not.toContain(normalizeCategory('kitchen'));
  });
});
