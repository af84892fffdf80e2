// Lint: typescript-eslint's recommended rules, plus the arrows of the house style (core ← web, cli; the emulator alone;
// web and cli reach core through its index only).
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

const noImport = (groups, message) => ({
  'no-restricted-imports': ['error', { patterns: groups.map((group) => ({ group, message })) }],
})
const onlyCoreIndex = {
  group: ['**/core/**', '!**/core/index.ts'],
  message: 'Import core through src/core/index.ts only.',
}

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'bench/results/', 'docs/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/emulator/**'],
    rules: noImport(
      [['**/core/**', '**/web/**', '**/cli/**']],
      'The emulator imports nothing of the app.',
    ),
  },
  {
    files: ['src/core/**'],
    rules: noImport(
      [['**/web/**', '**/cli/**', '**/emulator/**']],
      'core/ imports no other src/ folder.',
    ),
  },
  {
    files: ['src/web/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/cli/**', '**/emulator/**'], message: 'web/ imports core/ only.' },
            onlyCoreIndex,
          ],
        },
      ],
    },
  },
  {
    files: ['src/cli/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [onlyCoreIndex] }] },
  },
)
