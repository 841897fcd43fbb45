import { runConformance } from '@tensorgrad/conformance';
import { cpuBackend } from '@tensorgrad/backend-cpu';

// the pure-TypeScript fallback (what runs where WebAssembly SIMD is missing) passes the same suite
runConformance({ name: 'cpu-ts', createBackend: () => cpuBackend({ wasm: false }) });
