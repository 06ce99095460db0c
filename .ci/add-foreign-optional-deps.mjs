// The npm registry reachable here lacks the other platforms' builds of packages with native
// binaries (e.g. @swc/core-darwin-arm64 answers 404), so npm leaves them out of
// package-lock.json, and `npm ci` then refuses the lock as out of sync. This adds the missing
// optional entries with their os/cpu, which `npm ci` skips on a platform they do not match.
// Run after changing dependencies: node .ci/add-foreign-optional-deps.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const platform = (name) => {
  const os = ['darwin', 'win32', 'linux', 'android', 'freebsd', 'openharmony'].find((o) => name.includes(`-${o}-`));
  const cpu = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'riscv64', 'loong64', 'wasm32'].find((c) => new RegExp(`-${c}(-|$)`).test(name));
  const libc = name.endsWith('-musl') || name.endsWith('-musleabihf') ? 'musl' : name.includes('-gnu') ? 'glibc' : undefined;
  return { os, cpu, libc };
};
let added = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (lock.packages[key] || lock.packages[`${path}/node_modules/${name}`]) continue;
    const { os, cpu, libc } = platform(name);
    if (!os || !cpu) continue;
    lock.packages[key] = {
      version,
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
      os: [os],
      cpu: [cpu],
      ...(libc ? { libc: [libc] } : {}),
    };
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)));
writeFileSync('package-lock.json', JSON.stringify(lock, null, 2) + '\n');
console.log(`added ${added} foreign optional entries`);
