import { runConformance } from '@tensorgrad/conformance';
import { cpuBackend } from '@tensorgrad/backend-cpu';

// cpu is the reference backend: nothing to skip, and the random-shape tests check properties, not a reference
runConformance({ name: 'cpu', createBackend: () => cpuBackend() });
