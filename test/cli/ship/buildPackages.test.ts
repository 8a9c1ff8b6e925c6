/**
 * build-chat's optional packages: when one is missing, the error names it, says what it is for and gives
 * the exact install command with the version range versiflow's package.json was tested with.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUILD_PACKAGES, type BuildPackage, missingPackage, testedRange } from '../../../src/cli/ship/buildPackages.ts';

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as Record<string, Record<string, string> | undefined>;

describe('build-chat: a missing optional package', () => {
  it.each(Object.keys(BUILD_PACKAGES).map((n) => [n as BuildPackage]))('%s: the install command with the tested range from package.json', (name) => {
    const range = pkg.dependencies?.[name] ?? pkg.optionalDependencies?.[name] ?? pkg.devDependencies?.[name];
    expect(range, `${name} is in package.json`).toMatch(/\d/);
    expect(testedRange(name)).toBe(range);
    const e = missingPackage(name);
    expect(e.message).toContain(`build-chat: the ${name} package is not installed; it ${BUILD_PACKAGES[name]}.`);
    expect(e.message).toContain(`npm install '${name}@${range}'`);
  });

  it('the esbuild message, in full', () => {
    expect(missingPackage('esbuild').message).toBe(
      `build-chat: the esbuild package is not installed; it bundles the poet's client into one script. Add it where versiflow is installed: npm install 'esbuild@${pkg.devDependencies?.esbuild ?? pkg.optionalDependencies?.esbuild}' (beside a global versiflow: npm install -g 'esbuild@${pkg.devDependencies?.esbuild ?? pkg.optionalDependencies?.esbuild}')`,
    );
  });
});
