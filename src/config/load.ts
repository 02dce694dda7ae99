import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { z } from 'zod';
import { TenantMcpError } from '../errors.js';
import { ConfigSchema, type RawConfig } from './schema.js';

/** Validated configuration with every path made absolute against the config file's folder. */
export interface Config extends RawConfig {
  /** Absolute path of the config file this came from. */
  readonly file: string;
}

/** Reads, validates and resolves a config file. Throws CONFIG_NOT_FOUND or CONFIG_INVALID. */
export function loadConfig(path: string): Config {
  const file = resolve(path);
  return parseConfig(readConfigText(file), file);
}

/** Validates config JSON text as if it were read from `file`. */
export function parseConfig(text: string, file: string): Config {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new TenantMcpError('CONFIG_INVALID', `config is not valid JSON: ${String(error)}`);
  }
  const parsed = ConfigSchema.safeParse(json);
  if (!parsed.success) {
    throw new TenantMcpError(
      'CONFIG_INVALID',
      `config is invalid: ${describeIssues(parsed.error)}`,
    );
  }
  return resolvePaths(parsed.data, file);
}

function readConfigText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new TenantMcpError('CONFIG_NOT_FOUND', `config file cannot be read: ${file}`, {
      cause: error,
    });
  }
}

function resolvePaths(raw: RawConfig, file: string): Config {
  const base = dirname(file);
  const at = (p: string | undefined): string | undefined => (p ? resolve(base, p) : undefined);
  const auth = {
    ...raw.auth,
    publicKeyFile: at(raw.auth.publicKeyFile),
    jwksFile: at(raw.auth.jwksFile),
  };
  return {
    ...raw,
    file,
    dataRoot: resolve(base, raw.dataRoot),
    auth,
    migrations: { ...raw.migrations, dir: resolve(base, raw.migrations.dir) },
  };
}

/** One line per issue, each naming the key path, e.g. `query.maxRowLimit: too big`. */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      if (issue.code === 'unrecognized_keys') {
        const keys = issue.keys.map((k) => (path ? `${path}.${k}` : k));
        return `unknown key ${keys.join(', ')}`;
      }
      return `${path || '(root)'}: ${issue.message}`;
    })
    .join('; ');
}
