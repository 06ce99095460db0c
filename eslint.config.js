import nx from '@nx/eslint-plugin';

/**
 * Library boundaries, enforced by tags (see each project.json):
 *   type:pure        domain and SLA rules: no Nest, no I/O, depends only on other pure libs
 *   type:adapter     storage adapters: know nothing of tickets (no domain imports)
 *   type:projections read-model builders: pure rules + adapters
 *   type:application Nest modules wiring commands, queries, sagas
 *   type:app         deployable apps and end-to-end tests: may use anything
 *   type:util        helpers with no knowledge of tickets or storage: import nothing, used by all
 */
export const depConstraints = [
  // Small helpers with no knowledge of the domain or of storage (deepFreeze): anyone may use them.
  { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
  { sourceTag: 'type:pure', onlyDependOnLibsWithTags: ['type:pure', 'type:util'] },
  { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: ['type:adapter', 'type:util'] },
  { sourceTag: 'type:projections', onlyDependOnLibsWithTags: ['type:pure', 'type:adapter', 'type:projections', 'type:util'] },
  {
    sourceTag: 'type:application',
    onlyDependOnLibsWithTags: ['type:pure', 'type:adapter', 'type:projections', 'type:application', 'type:util'],
  },
  {
    sourceTag: 'type:app',
    onlyDependOnLibsWithTags: ['type:pure', 'type:adapter', 'type:projections', 'type:application', 'type:util'],
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
