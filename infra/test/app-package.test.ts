import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { BUNDLED, locateAppPackage, readRuntimeLibraries, runtimePackageNames } from '../lib/app-package.ts';
import { dummyPackage } from './support.ts';

function tarball(name: string, files: string[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'hrapp-pkg-'));
  for (const file of files) {
    mkdirSync(path.dirname(path.join(dir, 'src', file)), { recursive: true });
    writeFileSync(path.join(dir, 'src', file), 'x');
  }
  const out = path.join(dir, name);
  execFileSync('tar', ['-czf', out, '-C', path.join(dir, 'src'), '.']);
  return out;
}

describe('app package', () => {
  it('accepts the layout of make package and reads its version', () => {
    assert.deepEqual(locateAppPackage(dummyPackage), { path: dummyPackage, version: '0.0.0-test' });
  });

  it('picks the newest package of a build directory', () => {
    const dir = path.dirname(dummyPackage);
    assert.equal(locateAppPackage(undefined, dir).path, dummyPackage);
  });

  it('fails in one line naming make package when none was built', () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'hrapp-empty-'));
    assert.throws(() => locateAppPackage(undefined, empty), (error: Error) => /run 'make package'/.test(error.message) && !error.message.includes('\n'));
  });

  it('fails on a missing path, a wrong name or a wrong layout', () => {
    assert.throws(() => locateAppPackage('/nonexistent/hrapp.tar.gz'), /'\/nonexistent\/hrapp.tar.gz'/);
    assert.throws(() => locateAppPackage(tarball('hrapp.tar.gz', ['hrapp-1/bin/hrapp'])), /must be named/);
    assert.throws(
      () => locateAppPackage(tarball('hrapp-1.0-linux-x86_64.tar.gz', ['hrapp-1.0/bin/hrapp', 'hrapp-1.0/VERSION', 'hrapp-1.0/web/i.html'])),
      /lacks hrapp-1.0\/hrapp.service/,
    );
    assert.throws(
      () =>
        locateAppPackage(
          tarball('hrapp-1.0-linux-x86_64.tar.gz', ['hrapp-1.0/bin/hrapp', 'hrapp-1.0/VERSION', 'hrapp-1.0/hrapp.service', 'hrapp-1.0/web/i.html', 'stray']),
        ),
      /must hold everything under hrapp-1.0\//,
    );
  });
});

describe('deploy/runtime-packages.txt', () => {
  const libraries = readRuntimeLibraries();

  it('maps the libraries the design names to their Amazon Linux 2023 packages', () => {
    const bySoname = new Map(libraries.map((library) => [library.soname, library.packageName]));
    assert.equal(bySoname.get('libpq.so.5'), 'libpq');
    assert.equal(bySoname.get('libssl.so.3'), 'openssl-libs');
    assert.equal(bySoname.get('libcrypto.so.3'), 'openssl-libs');
    assert.equal(bySoname.get('libgcc_s.so.1'), 'libgcc');
    assert.equal(bySoname.get('libc.so.6'), 'glibc');
    assert.ok(!bySoname.has('libstdc++.so.6'), 'libstdc++ is linked statically');
    assert.equal(bySoname.get('libqrencode.so.4'), BUNDLED, 'Debian has no static libqrencode: the tarball carries it');
    assert.equal(new Set(libraries.map((library) => library.soname)).size, libraries.length, 'each soname once');
  });

  it('yields each package once, in order, and none for a bundled library', () => {
    assert.deepEqual(runtimePackageNames(libraries), ['libpq', 'openssl-libs', 'libgcc', 'glibc']);
    assert.deepEqual(
      runtimePackageNames([
        { soname: 'libqrencode.so.4', packageName: BUNDLED },
        { soname: 'libpq.so.5', packageName: 'libpq' },
      ]),
      ['libpq'],
    );
  });

  it('fails on a malformed line, naming it', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'hrapp-rt-')), 'runtime-packages.txt');
    writeFileSync(file, '# ok\nlibpq.so.5 libpq\nlibssl.so.3\n');
    assert.throws(() => readRuntimeLibraries(file), /:3: expected '<soname> <package>', got 'libssl.so.3'/);
    writeFileSync(file, '# nothing\n');
    assert.throws(() => readRuntimeLibraries(file), /lists no libraries/);
  });
});
