// A small, strict rule set: typescript-eslint's recommended rules, plus the few that keep the code as the
// project wants it (no unused names, no floating promises in the CLI, no stray console output).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'dist-tools/', 'node_modules/', '.bench-cache/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': 'error',
    },
  },
  {
    // Test and tool scripts, and the examples, report on the console by design.
    files: ['test/**/*.ts', '**/*.test.ts', 'examples/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
