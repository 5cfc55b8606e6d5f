import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext } from '../scenario';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileSummary {
  /** Share of sampled time by where the code lives: a package, our own code, node internals, GC, idle. */
  byPackage: { where: string; share: number }[];
  topFunctions: { name: string; where: string; share: number }[];
  text: string;
}

/** Where a frame's code lives, coarse enough to say what dominates. */
function placeOf(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (functionName === '(idle)') return '(idle)';
  if (functionName === '(garbage collector)') return '(garbage collector)';
  if (functionName === '(program)') return '(program: native, not JS)';
  if (!url) return '(native)';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const ours = /\/dist\/[^/]+\/(?:[^/]+\/)?((?:apps|libs)\/[^/]+)\//.exec(url);
  return ours ? `vigil ${ours[1]}` : url;
}

/** Self time of a V8 .cpuprofile, by package and by function. */
export function summariseCpuProfile(file: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const self = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) self.set(samples[i], (self.get(samples[i]) ?? 0) + (deltas[i] ?? 0));
  const total = [...self.values()].reduce((a, b) => a + b, 0) || 1;
  const byPlace = new Map<string, number>();
  const byFunction = new Map<string, { name: string; where: string; time: number }>();
  for (const node of profile.nodes) {
    const time = self.get(node.id) ?? 0;
    if (time === 0) continue;
    const where = placeOf(node);
    byPlace.set(where, (byPlace.get(where) ?? 0) + time);
    const name = node.callFrame.functionName || '(anonymous)';
    const key = `${name} ${node.callFrame.url}:${node.callFrame.lineNumber}`;
    const entry = byFunction.get(key) ?? {
      name: `${name} (${node.callFrame.url.split('/').slice(-2).join('/')}:${node.callFrame.lineNumber + 1})`,
      where,
      time: 0,
    };
    entry.time += time;
    byFunction.set(key, entry);
  }
  const byPackage = [...byPlace.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([where, time]) => ({ where, share: time / total }));
  const topFunctions = [...byFunction.values()]
    .sort((a, b) => b.time - a.time)
    .slice(0, top)
    .map(({ name, where, time }) => ({ name, where, share: time / total }));
  const pct = (share: number) => `${(share * 100).toFixed(1).padStart(5)} %`;
  const text = [
    '    self time by package:',
    ...byPackage.map((p) => `      ${pct(p.share)}  ${p.where}`),
    '    top functions (self):',
    ...topFunctions.map((f) => `      ${pct(f.share)}  ${f.name}  [${f.where}]`),
  ].join('\n');
  return { byPackage, topFunctions, text };
}

/**
 * `--cpu-prof` for a server the scenario starts: the node options to start it with, and, once it has
 * stopped, the profiles it wrote summarised into the log and into the figure's details.
 */
export function serverProfiling(bench: BenchContext): {
  nodeOptions: string[];
  /** Summarises the profiles written; with `names` (pid → node name), each under its node's name in `details.cpuProfiles`. */
  collect(details: Record<string, unknown>, names?: Record<number, string>): void;
} {
  if (!bench.options.cpuProf) return { nodeOptions: [], collect: () => undefined };
  // Under dist/: profiles are artefacts of one run, not results to commit.
  const profileDir = join(bench.paths.root, 'dist', 'bench-profiles');
  mkdirSync(profileDir, { recursive: true });
  const before = new Set(readdirSync(profileDir));
  return {
    nodeOptions: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
    collect(details, names) {
      const written = readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile') && !before.has(f));
      if (written.length === 0) bench.log('no CPU profile was written (did the server exit cleanly?)');
      const perNode: Record<string, unknown> = {};
      for (const file of written) {
        const summary = summariseCpuProfile(join(profileDir, file));
        // Node names a profile CPU.<date>.<time>.<pid>.<thread>.<sequence>.cpuprofile.
        const node = names?.[Number(file.split('.')[3])];
        bench.log(`CPU profile ${file}${node ? ` (${node})` : ''}:\n${summary.text}`);
        const profile = { file: join('dist', 'bench-profiles', file), byPackage: summary.byPackage, topFunctions: summary.topFunctions };
        if (node) perNode[node] = profile;
        else details.cpuProfile = profile;
        details.note = 'measured with the server under --cpu-prof, which slows it';
      }
      if (Object.keys(perNode).length > 0) details.cpuProfiles = perNode;
    },
  };
}
