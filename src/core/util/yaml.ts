// YAML through one door, evaluated on first use: the `yaml` package is half of the extension bundle, and
// activation should not pay for it (recipes are read and written only when a user grows or exports).
import type * as Yaml from 'yaml';

let yaml: typeof Yaml | undefined;
function load(): typeof Yaml {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  yaml ??= require('yaml') as typeof Yaml;
  return yaml;
}

export function parseYaml(text: string): unknown {
  return load().parse(text);
}

export function toYaml(value: unknown): string {
  return load().stringify(value);
}
