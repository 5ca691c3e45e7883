import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ValidationError } from './errors.ts';

/** The repository root: infra/ and deploy/ sit side by side in it. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEPLOY_DIR = path.join(REPO_ROOT, 'deploy');
const DEFAULT_PACKAGE_DIR = path.join(REPO_ROOT, 'build', 'release');
const PACKAGE_NAME = /^hrapp-(.+)-linux-x86_64\.tar\.gz$/;

/** The tarball that `make package` builds, as the instances will receive it. */
export interface AppPackage {
  readonly path: string;
  readonly version: string;
}

/**
 * Finds the app package: the `app_package` context value when given, else the newest
 * `build/release/hrapp-*-linux-x86_64.tar.gz`. Checks the layout the user data relies on.
 */
export function locateAppPackage(explicitPath: unknown, searchDir: string = DEFAULT_PACKAGE_DIR): AppPackage {
  let packagePath: string;
  if (explicitPath !== undefined) {
    if (typeof explicitPath !== 'string' || !existsSync(explicitPath) || !statSync(explicitPath).isFile()) {
      throw new ValidationError(`app_package must be the path of the packaged tarball, got '${String(explicitPath)}'`);
    }
    packagePath = path.resolve(explicitPath);
  } else {
    const candidates = existsSync(searchDir)
      ? readdirSync(searchDir).filter((name) => PACKAGE_NAME.test(name)).map((name) => path.join(searchDir, name))
      : [];
    if (candidates.length === 0) {
      throw new ValidationError(`no app package in ${searchDir}: run 'make package' in ${REPO_ROOT} first (or pass -c app_package=PATH)`);
    }
    packagePath = candidates.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  }
  const version = PACKAGE_NAME.exec(path.basename(packagePath))?.[1];
  if (version === undefined) {
    throw new ValidationError(`app package must be named hrapp-<version>-linux-x86_64.tar.gz, got '${packagePath}'`);
  }
  checkLayout(packagePath, version);
  return { path: packagePath, version };
}

/** The user data unpacks one top directory and starts `bin/hrapp` with the unit shipped beside it. */
function checkLayout(packagePath: string, version: string): void {
  let entries: string[];
  try {
    entries = execFileSync('tar', ['-tzf', packagePath], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
      .split('\n')
      .map((entry) => entry.replace(/^\.\//, ''))
      .filter((entry) => entry !== '');
  } catch {
    throw new ValidationError(`app package is not a readable .tar.gz: '${packagePath}'`);
  }
  const top = `hrapp-${version}/`;
  const stray = entries.find((entry) => !entry.startsWith(top) && entry !== top.slice(0, -1));
  if (stray !== undefined) {
    throw new ValidationError(`app package must hold everything under ${top}, found '${stray}' in '${packagePath}'`);
  }
  for (const required of ['bin/hrapp', 'hrapp.service', 'VERSION']) {
    if (!entries.includes(top + required)) {
      throw new ValidationError(`app package lacks ${top}${required}: '${packagePath}'`);
    }
  }
  if (!entries.some((entry) => entry.startsWith(`${top}web/`))) {
    throw new ValidationError(`app package lacks ${top}web/: '${packagePath}'`);
  }
}

/**
 * One shared library the binary needs and the Amazon Linux 2023 package that provides it, or
 * BUNDLED when the tarball carries it in its lib/.
 */
export interface RuntimeLibrary {
  readonly soname: string;
  readonly packageName: string;
}

/** The package name of a library shipped in the tarball's lib/ (found through the binary's RUNPATH): nothing to install. */
export const BUNDLED = 'bundled';

export const RUNTIME_PACKAGES_FILE = path.join(DEPLOY_DIR, 'runtime-packages.txt');

/** Reads `deploy/runtime-packages.txt` (`<soname> <package>` or `<soname> bundled` per line, `#` comments). */
export function readRuntimeLibraries(file: string = RUNTIME_PACKAGES_FILE): RuntimeLibrary[] {
  const libraries: RuntimeLibrary[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((rawLine, index) => {
      const line = rawLine.replace(/#.*/, '').trim();
      if (line === '') return;
      const fields = line.split(/\s+/);
      if (fields.length !== 2 || !/^[A-Za-z0-9_.+-]+\.so(\.[0-9]+)*$/.test(fields[0]) || !/^[a-z0-9][a-z0-9+._-]*$/.test(fields[1])) {
        throw new ValidationError(`${file}:${index + 1}: expected '<soname> <package>', got '${rawLine}'`);
      }
      libraries.push({ soname: fields[0], packageName: fields[1] });
    });
  if (libraries.length === 0) {
    throw new ValidationError(`${file} lists no libraries`);
  }
  return libraries;
}

/** The distinct packages to install, in the order first listed; bundled libraries need none. */
export function runtimePackageNames(libraries: readonly RuntimeLibrary[]): string[] {
  return [...new Set(libraries.map((library) => library.packageName).filter((name) => name !== BUNDLED))];
}
