import { describe, expect, it } from 'vitest';
import { bindParams, toBindParams, toBindValue } from '../../src/query/params.js';
import { errorOf, useConnectedFixture } from './fixture.js';

describe('toBindValue', () => {
  it('binds integers as INTEGER and other numbers as REAL', () => {
    expect(toBindValue(42, 'p')).toBe(42n);
    expect(toBindValue(-0, 'p')).toBe(0n);
    expect(toBindValue(0.5, 'p')).toBe(0.5);
    expect(toBindValue(1e300, 'p')).toBe(1e300);
  });

  it('binds booleans as 1 and 0, and strings and null as they are', () => {
    expect(toBindValue(true, 'p')).toBe(1n);
    expect(toBindValue(false, 'p')).toBe(0n);
    expect(toBindValue('', 'p')).toBe('');
    expect(toBindValue(null, 'p')).toBe(null);
  });

  it('binds {"$int": digits} as an exact 64-bit integer', () => {
    expect(toBindValue({ $int: '9223372036854775807' }, 'p')).toBe(9223372036854775807n);
    expect(toBindValue({ $int: '-9223372036854775808' }, 'p')).toBe(-9223372036854775808n);
  });

  it.each(['9223372036854775808', '-9223372036854775809', '99999999999999999999'])(
    'refuses {"$int": "%s"} as outside the 64-bit integer range',
    (digits) => {
      expect(errorOf(() => toBindValue({ $int: digits }, 'params[0]'))?.message).toBe(
        'params[0] is outside the 64-bit integer range',
      );
    },
  );

  it.each([
    [{ $int: '9223372036854775808' }],
    [{ $int: '12x' }],
    [{ $int: 12 }],
    [{ $int: '1', extra: 1 }],
    [{ nested: true }],
    [[1, 2]],
    [undefined],
    [Number.NaN],
    [Number.POSITIVE_INFINITY],
    [new Date(0)],
  ])('refuses %j with QUERY_PARAMS_INVALID', (value) => {
    expect(errorOf(() => toBindValue(value, 'params[0]'))?.code).toBe('QUERY_PARAMS_INVALID');
  });
});

describe('toBindParams', () => {
  it('keeps positional params in order', () => {
    expect(toBindParams([1, 'a', null])).toEqual([1n, 'a', null]);
  });

  it('strips one :, @ or $ from named keys and keeps __proto__ an ordinary name', () => {
    const named = JSON.parse('{":a": 1, "@b": 2, "$c": 3, "__proto__": "p"}') as object;
    const out = toBindParams(named) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(null);
    expect(Object.entries(out)).toEqual([
      ['a', 1n],
      ['b', 2n],
      ['c', 3n],
      ['__proto__', 'p'],
    ]);
  });

  it('names the offending parameter in its message', () => {
    expect(errorOf(() => toBindParams([1, { x: 1 }]))?.message).toMatch(/^params\[1\] /);
    expect(errorOf(() => toBindParams({ who: [1] }))?.message).toMatch(/^params\.who /);
  });

  it('refuses a repeated name, an empty name, and params neither array nor object', () => {
    expect(errorOf(() => toBindParams({ ':a': 1, a: 2 }))?.code).toBe('QUERY_PARAMS_INVALID');
    expect(errorOf(() => toBindParams({ ':': 1 }))?.code).toBe('QUERY_PARAMS_INVALID');
    expect(errorOf(() => toBindParams('1'))?.code).toBe('QUERY_PARAMS_INVALID');
  });
});

describe('bindParams', () => {
  const t = useConnectedFixture();

  it('binds named params to :x, @x and $x placeholders', () => {
    const stmt = t.conn.db.prepare('SELECT :a, @b, $c').raw(true);
    bindParams(stmt, toBindParams({ a: 1, b: 'two', c: null }));
    expect(stmt.get()).toEqual([1n, 'two', null]);
  });

  it('reports too few positional values as QUERY_PARAMS_INVALID with the driver message', () => {
    const error = errorOf(() => bindParams(t.conn.db.prepare('SELECT ?, ?'), [1n]));
    expect(error).toMatchObject({ code: 'QUERY_PARAMS_INVALID' });
    expect(error?.message).toBe('Too few parameter values were provided');
  });

  it('reports values for a statement without placeholders as too many', () => {
    const error = errorOf(() => bindParams(t.conn.db.prepare('SELECT 1'), [1n]));
    expect(error?.message).toBe('Too many parameter values were provided');
  });

  it('reports a missing named parameter by name', () => {
    const error = errorOf(() => bindParams(t.conn.db.prepare('SELECT :a, :b'), { a: 1n }));
    expect(error).toMatchObject({ code: 'QUERY_PARAMS_INVALID' });
    expect(error?.message).toMatch(/Missing named parameter "b"/);
  });

  it('reports a placeholder left without any params', () => {
    const error = errorOf(() => bindParams(t.conn.db.prepare('SELECT ?'), undefined));
    expect(error?.code).toBe('QUERY_PARAMS_INVALID');
  });
});
