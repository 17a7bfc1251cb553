// The TypeScript rules of oclif's generator template (eslint-config-oclif): ESLint's and
// typescript-eslint's recommended sets with oclif's TypeScript overrides. Its import/key sorting
// (perfectionist) and xo style sets are left out: formatting is not what this lint guards.
import eslint from '@eslint/js'
import mocha from 'eslint-plugin-mocha'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {ignores: ['dist/**', 'node_modules/**', 'tmp/**', 'oclif.manifest.json']},
  eslint.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: {globals: {...globals.node}},
    rules: {
      '@typescript-eslint/no-dupe-class-members': 'error',
      // As oclif (through xo): a catch may be empty on purpose, and `{unwanted, ...rest}` drops a key.
      '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true, destructuredArrayIgnorePattern: '^_', varsIgnorePattern: '^_'}],
      '@typescript-eslint/no-useless-constructor': 'error',
      'no-dupe-class-members': 'off',
      'no-empty': ['error', {allowEmptyCatch: true}],
      'no-unused-vars': 'off',
      'no-useless-constructor': 'off',
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {'@typescript-eslint/no-unused-expressions': 'off'},
  },
  {
    // Test files, not test/helpers: a helper may export and register a suite's hooks.
    files: ['test/**/*.test.ts'],
    ...mocha.configs.recommended,
    rules: {
      ...mocha.configs.recommended.rules,
      // Layout rules (a blank line between blocks, one top-level suite per file), like the style sets above.
      'mocha/consistent-spacing-between-blocks': 'off',
      'mocha/max-top-level-suites': 'off',
      'mocha/no-async-suite': 'off',
      'mocha/no-identical-title': 'off',
      'mocha/no-mocha-arrows': 'off',
      'mocha/no-setup-in-describe': 'off',
    },
  },
  {
    files: ['lab/images/**/*.{js,mjs}', 'bench/**/*.mjs', 'scripts/**/*.mjs', 'bin/**/*.js'],
    rules: {'@typescript-eslint/no-require-imports': 'off'},
  },
)
