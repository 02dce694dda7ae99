import { describe, expect, it } from 'vitest';
import { HELP, parseCommand } from '../../src/cli/args.js';
import { failure } from '../support/failure.js';

describe('parseCommand', () => {
  it('serves with no config or token file when given no arguments', () => {
    expect(parseCommand([])).toEqual({ name: 'serve', config: undefined, tokenFile: undefined });
  });

  it('reads serve --config and --token-file', () => {
    expect(parseCommand(['serve', '--config', 'x.json', '--token-file', 'y.jwt'])).toEqual({
      name: 'serve',
      config: 'x.json',
      tokenFile: 'y.jwt',
    });
  });

  it('serves when only options are given', () => {
    expect(parseCommand(['--token-file=t.jwt'])).toEqual({
      name: 'serve',
      config: undefined,
      tokenFile: 't.jwt',
    });
  });

  it('reads serve --http with a config as the HTTP server', () => {
    expect(parseCommand(['serve', '--http', '--config', 'x.json'])).toEqual({
      name: 'serve-http',
      config: 'x.json',
    });
  });

  it('reads --http alone as serving over HTTP', () => {
    expect(parseCommand(['--http'])).toEqual({ name: 'serve-http', config: undefined });
  });

  it('refuses --token-file with --http: each HTTP request brings its own token', () => {
    const error = failure(() => parseCommand(['serve', '--http', '--token-file', 't.jwt']));

    expect(error.code).toBe('USAGE');
    expect(error.message).toContain('--token-file does not apply to --http');
  });

  it('refuses --http on another command with USAGE', () => {
    const error = failure(() => parseCommand(['migrate', '--http']));

    expect(error.code).toBe('USAGE');
    expect(error.message).toContain('option --http does not apply to migrate');
  });

  it('reads migrate --tenant --status --json', () => {
    expect(parseCommand(['migrate', '--tenant', 'a', '--status', '--json'])).toEqual({
      name: 'migrate',
      config: undefined,
      tenant: 'a',
      status: true,
      dryRun: false,
      json: true,
    });
  });

  it('reads migrate --dry-run with every other flag off', () => {
    expect(parseCommand(['migrate', '--dry-run'])).toMatchObject({
      status: false,
      dryRun: true,
      json: false,
      tenant: undefined,
    });
  });

  it('reads demo --root and --seed', () => {
    expect(parseCommand(['demo', '--root', 'd', '--seed', '7'])).toEqual({
      name: 'demo',
      config: undefined,
      root: 'd',
      seed: 7,
    });
  });

  it('leaves the demo seed to the demo builder when none is given', () => {
    expect(parseCommand(['demo'])).toMatchObject({ name: 'demo', seed: undefined });
  });

  it.each([['--help'], ['-h']])('reads %s as help', (flag) => {
    expect(parseCommand([flag])).toEqual({ name: 'help' });
  });

  it('reads help after a command and its options', () => {
    expect(parseCommand(['migrate', '--tenant', 'a', '--help'])).toEqual({ name: 'help' });
  });

  it.each([['--version'], ['-v']])('reads %s as version', (flag) => {
    expect(parseCommand([flag])).toEqual({ name: 'version' });
  });

  it('refuses an unknown command with USAGE naming it', () => {
    const error = failure(() => parseCommand(['start']));

    expect(error.code).toBe('USAGE');
    expect(error.message).toContain("unknown command 'start'");
  });

  it.each([['constructor'], ['toString'], ['__proto__'], ['hasOwnProperty']])(
    'refuses %s, a name every object inherits, as an unknown command',
    (name) => {
      expect(failure(() => parseCommand([name])).code).toBe('USAGE');
      expect(failure(() => parseCommand([name, '--config', 'x.json'])).code).toBe('USAGE');
    },
  );

  it('refuses an unknown option with USAGE', () => {
    expect(failure(() => parseCommand(['serve', '--port', '8080'])).code).toBe('USAGE');
  });

  it('refuses an option that belongs to another command with USAGE naming it', () => {
    const error = failure(() => parseCommand(['serve', '--tenant', 'a']));

    expect(error.code).toBe('USAGE');
    expect(error.message).toContain('option --tenant does not apply to serve');
  });

  it('refuses a migrate option given to demo with USAGE', () => {
    expect(failure(() => parseCommand(['demo', '--dry-run'])).code).toBe('USAGE');
  });

  it('refuses a second positional argument with USAGE', () => {
    expect(failure(() => parseCommand(['migrate', 'acme'])).code).toBe('USAGE');
  });

  it('refuses a string option given without its value with USAGE', () => {
    expect(failure(() => parseCommand(['serve', '--config'])).code).toBe('USAGE');
  });

  it.each([['seven'], ['1.5'], ['-1'], ['1e3'], [''], ['1234567890']])(
    'refuses the seed %j with USAGE',
    (seed) => {
      expect(failure(() => parseCommand(['demo', `--seed=${seed}`])).code).toBe('USAGE');
    },
  );

  it('points every usage error at --help', () => {
    expect(failure(() => parseCommand(['start'])).message).toContain('see tenant-mcp --help');
  });
});

describe('HELP', () => {
  it('documents serve --http and where its settings live', () => {
    expect(HELP).toContain('tenant-mcp serve --http [--config PATH]');
    expect(HELP).toContain('http.shutdownGraceMs');
    expect(HELP).toContain('--http ');
  });
});
