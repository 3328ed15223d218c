// eslint's flat config: the recommended rules (bugs, not style) over the page, the scripts,
// the tests and the bench. Formatting is not checked here.
import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['build/**', 'dist/**', 'node_modules/**', 'data/**', '**/*.min.js'] },
  js.configs.recommended,
  {
    files: ['web/**/*.js', 'tests/browser/fixtures/**/*.js', 'tests/engines/probe.js'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: { ...globals.browser, ...globals.worker } },
  },
  {
    files: ['**/*.mjs', 'eslint.config.mjs'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: { ...globals.node, ...globals.browser } },
  },
  {
    rules: {
      // `catch {}` and `_unused` arguments are deliberate where they appear.
      'no-unused-vars': ['error', { args: 'none', caughtErrors: 'none', varsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: true }],
      // Errors rethrown with a clearer message keep the original's text in theirs.
      'preserve-caught-error': 'off',
    },
  },
];
