/*
 * The yaml package, loaded on first use: a simple manifest is read without it (core/simple-yaml.ts), and
 * loading it is a noticeable part of checking a small manifest. Its Node build is CommonJS, so it can be
 * required where it is needed, without making every caller asynchronous.
 */
import { createRequire } from 'node:module';

type YamlPackage = typeof import('yaml');

let loaded: YamlPackage | undefined;

export function yamlPackage(): YamlPackage {
  loaded ??= createRequire(import.meta.url)('yaml') as YamlPackage;
  return loaded;
}
