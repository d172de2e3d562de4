// A document's growth edits as a recipe file that `graft grow --recipe` and `graft plan --recipe` accept: YAML (with a
// comment naming the source) or JSON, chosen by the file's extension.
import { toYaml } from '../util/yaml';
import type { Recipe } from '../growth/index';

export type RecipeFormat = 'yaml' | 'json';

export function recipeFormatOf(path: string): RecipeFormat {
  return /\.json$/i.test(path) ? 'json' : 'yaml';
}

export function recipeText(recipe: Recipe, format: RecipeFormat, source?: string): string {
  if (format === 'json') return JSON.stringify(recipe, null, 2) + '\n';
  const head = [`# graft recipe${source ? ` for ${source}` : ''}`, '# run: graft grow SRC --recipe THIS_FILE -o OUT'].join('\n');
  return `${head}\n${toYaml(recipe)}`;
}
