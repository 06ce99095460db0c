import nx from '@nx/eslint-plugin';

/**
 * Library boundaries, enforced by tags (see each project.json):
 *   type:pure        domain and SLA rules: no Nest, no I/O, depends only on other pure libs
 *   type:adapter     storage adapters: know nothing of tickets (no domain imports)
 *   type:projections read-model builders: pure rules + adapters
 *   type:application Nest modules wiring commands, queries, sagas
 *   type:app         deployable apps and end-to-end tests: may use anything
 */
export const depConstraints = [
  { sourceTag: 'type:pure', onlyDependOnLibsWithTags: ['type:pure'] },
  { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: ['type:adapter'] },
  { sourceTag: 'type:projections', onlyDependOnLibsWithTags: ['type:pure', 'type:adapter', 'type:projections'] },
  {
    sourceTag: 'type:application',
    onlyDependOnLibsWithTags: ['type:pure', 'type:adapter', 'type:projections', 'type:application'],
  },
  {
    sourceTag: 'type:app',
    onlyDependOnLibsWithTags: ['type:pure', 'type:adapter', 'type:projections', 'type:application'],
  },
];

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', '**/tmp/**', '**/coverage/**', '**/data/**', '.nx/**'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts', '**/*.js'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          banTransitiveDependencies: false,
          allow: [],
          depConstraints,
        },
      ],
    },
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // noUncheckedIndexedAccess is on, so `!` is the explicit, reviewed way to say "present".
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
];
