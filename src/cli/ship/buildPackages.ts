import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../core/errors/ConfigError.ts';

/** What build-chat needs each optional package for. */
export const BUILD_PACKAGES = {
  esbuild: "bundles the poet's client into one script",
  postject: 'injects the bundle and the weights into the copy of node',
  'onnxruntime-node': "is the runtime shipped in the poet (its native library) and optimises the model at build time",
} as const;

export type BuildPackage = keyof typeof BUILD_PACKAGES;

/**
 * The version range versiflow was tested with (its own package.json: dependencies, optionalDependencies
 * or devDependencies; src/ and dist/ both sit two folders below it), or undefined when unreadable.
 */
export function testedRange(name: BuildPackage): string | undefined {
  const file = fileURLToPath(new URL('../../../package.json', import.meta.url));
  if (!existsSync(file)) return undefined;
  try {
    const p = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, string> | undefined>;
    return p.dependencies?.[name] ?? p.optionalDependencies?.[name] ?? p.devDependencies?.[name];
  } catch {
    return undefined;
  }
}

/**
 * The error build-chat stops with when an optional package is missing: which package, what for, and the
 * exact command that adds it (with the version range versiflow was tested with).
 */
export function missingPackage(name: BuildPackage, detail = ''): ConfigError {
  const range = testedRange(name);
  const spec = range ? `'${name}@${range}'` : name;
  return new ConfigError(
    `build-chat: the ${name} package is not installed${detail ? ` (${detail})` : ''}; it ${BUILD_PACKAGES[name]}. ` +
      `Add it where versiflow is installed: npm install ${spec} (beside a global versiflow: npm install -g ${spec})`,
  );
}
