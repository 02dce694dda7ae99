import { describe, expect, it } from 'vitest';
import { checkProjectKey, parseItemKey } from '../../src/domain/keys.js';
import { hasCode } from '../../src/errors.js';

function code(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return hasCode(error, 'ARGUMENT_INVALID') ? 'ARGUMENT_INVALID' : 'other';
  }
}

describe('parseItemKey', () => {
  it('splits KEY-N at the hyphen into the key and an integer', () => {
    expect(parseItemKey('SPRING-12')).toEqual({ project: 'SPRING', number: 12 });
    expect(parseItemKey('q3_okr-7')).toEqual({ project: 'q3_okr', number: 7 });
  });

  it('refuses anything else with ARGUMENT_INVALID', () => {
    const bad = [
      '',
      'SPRING',
      'SPRING-',
      '-12',
      '1SPRING-2',
      'SPR-ING-3',
      'SPRING-1x',
      'A-1234567890',
    ];
    for (const key of [...bad, `${'A'.repeat(33)}-1`, 'SPRING-1\n', "SPRING-1' --"]) {
      expect(
        code(() => parseItemKey(key)),
        key,
      ).toBe('ARGUMENT_INVALID');
    }
  });
});

describe('checkProjectKey', () => {
  it('accepts a short code and refuses other text', () => {
    expect(checkProjectKey('SPRING')).toBe('SPRING');
    for (const key of ['', 'SPRING-1', 'a b', '%', '_x']) {
      expect(
        code(() => checkProjectKey(key)),
        key,
      ).toBe('ARGUMENT_INVALID');
    }
  });
});
