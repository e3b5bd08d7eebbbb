// ESLint flat config. `npm run lint` runs it (with `prettier --check`); `npm run format` fixes what can be fixed.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';
import reactRefresh from 'eslint-plugin-react-refresh';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores(['dist/', 'node_modules/', 'coverage/']),

  { linterOptions: { reportUnusedDisableDirectives: 'error' } },

  // Everything: the recommended JavaScript and TypeScript rules.
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      // Like tsc's noUnusedParameters: a leading underscore marks a parameter kept for its type or position.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },

  // The app and its tests (tsconfig.app.json) and vite.config.ts (tsconfig.node.json): type-aware rules too.
  {
    files: ['src/**/*.{ts,tsx}', 'vite.config.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    extends: [reactHooks.configs.flat.recommended, reactRefresh.configs.vite],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ['src/**/*.test.{ts,tsx}', 'src/test/**'],
    rules: {
      // `vi.fn(async () => value)` stands in for a promise-returning API (a throw becomes a rejection, as in
      // the real client); such mocks need no `await`.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['vite.config.ts'],
    languageOptions: { globals: globals.node },
  },

  // This file and the end-to-end suite: plain ES modules run by Node.
  {
    files: ['**/*.{js,mjs}'],
    languageOptions: { globals: globals.node },
  },
  {
    // The callbacks the suite hands to page.evaluate() and page.waitForFunction() run in the browser.
    files: ['e2e/**/*.mjs'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },

  // Last: turn off the stylistic rules Prettier owns...
  prettier,
  // ...but keep the 120-column limit (Prettier's printWidth) for what Prettier does not wrap: comments, long strings.
  { rules: { 'max-len': ['error', { code: 120, ignoreUrls: true }] } },
);
