// Layering is enforced here: core <- engine <- train <- cli/extension; webview sees only the protocol.
import tseslint from 'typescript-eslint';

const restrict = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: patterns.map((group) => ({ group: [group], message })) }],
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'out/**', '.e2e/**', '.cache/**', 'media/**', 'demo/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: restrict(['vscode', 'onnxruntime-node', 'onnxruntime-*', '**/engine/**', '**/train/**', '**/cli/**', '**/extension/**'],
      'src/core is plain TypeScript: no vscode, no onnxruntime, no upper layers.'),
  },
  {
    files: ['src/engine/**/*.ts'],
    rules: restrict(['vscode', '**/train/**', '**/cli/**', '**/extension/**'], 'src/engine may import only core and onnxruntime.'),
  },
  {
    files: ['src/train/**/*.ts'],
    rules: restrict(['vscode', '**/cli/**', '**/extension/**'], 'src/train may import only core and engine.'),
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: restrict(['vscode', '**/extension/**'], 'src/cli must not import vscode or the extension.'),
  },
  {
    files: ['webview/**/*.ts'],
    // The chart drawing (pure d3 over any DOM) and its plain data types are shared with the CLI's SVG export.
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          regex: '^(vscode|onnxruntime-node)$|src/(core/(?!stats/(normChart|types)$)|engine/|train/|cli/|extension/)',
          message: 'webview/ imports only src/protocol.ts, the shared chart drawing (src/core/stats/normChart.ts, types.ts) and browser libraries.',
        }],
      }],
    },
  },
);
