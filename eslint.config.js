import tseslint from 'typescript-eslint';

/** The add-ons: each its own entry point (`nestjs-mail/<name>`) and folder. */
const ADDONS = ['testing', 'queue', 'health', 'preview', 'templates'];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'coverage/**',
      '**/node_modules/**',
      'sample-app/dist/**',
      'bench/.dist/**',
      'bench/.dist-build/**',
      'bench/profiles/**',
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // Core never imports an add-on (nor the command line that dispatches to them).
    files: ['lib/**/*.ts'],
    ignores: [
      ...ADDONS.map((name) => `lib/${name}/**`),
      'lib/cli/**',
      'lib/cli.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...ADDONS, 'cli'].map((name) => `**/${name}/*`),
              message:
                'Core must not import an add-on: move the shared code into core and export it, or invert the dependency.',
            },
          ],
        },
      ],
    },
  },
  ...ADDONS.map((name) => ({
    // An add-on uses core's public API (`../index.js`) and shared utilities only.
    files: [`lib/${name}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./(?!index\\.js$|utils/[\\w.-]+$)',
              message: `The ${name} add-on may import only core's public entry ('../index.js') and '../utils/*': export what it needs from lib/index.ts.`,
            },
          ],
        },
      ],
    },
  })),
);
