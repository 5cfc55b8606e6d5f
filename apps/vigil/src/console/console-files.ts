import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Where the console's build is (`npm run build:console` writes it): VIGIL_CONSOLE_DIR, else `dist/console`
 * of the repository this file lives in (found from here, so it holds for the sources and for dist/).
 */
export function consoleDirectory(env: NodeJS.ProcessEnv = process.env): string {
  if (env.VIGIL_CONSOLE_DIR) return env.VIGIL_CONSOLE_DIR;
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'dist', 'console');
}

/** A path under /console/ the build may contain: no `..`, no hidden files, plain characters only. */
export function isAssetPath(path: string): boolean {
  return /^[A-Za-z0-9_-][A-Za-z0-9._/-]*$/.test(path) && !path.split('/').some((part) => part === '' || part.startsWith('.'));
}
