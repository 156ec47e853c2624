import { deployed } from './deployed-cold-start';
import { p1 } from './p1-adapter-overhead';
import { p2 } from './p2-ttfb-wait-until';
import { p3 } from './p3-cache-hit';
import { p4 } from './p4-invalidation';
import { p5 } from './p5-cold-start';
import { peer } from './peer-real-package';
import { synth } from './synth-time';
import type { Benchmark } from './types';

/** Every benchmark, in the order a full run takes them. */
export const BENCHMARKS: readonly Benchmark[] = [p1, p2, p3, p4, p5, deployed, peer, synth];
