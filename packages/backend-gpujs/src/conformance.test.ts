import { cpuBackend } from '@tensorgrad/backend-cpu';
import { runConformance } from '@tensorgrad/conformance';
import { gpujsBackend } from './index';

// The backend as users get it: the best mode that works, small tensors on the host.
runConformance({ name: 'gpujs', createBackend: () => gpujsBackend(), reference: () => cpuBackend() });

// Every op as a gpu.js kernel, whatever its size: the conformance cases are small, and the
// default threshold would send them all to the host.
runConformance({ name: 'gpujs-device', createBackend: () => gpujsBackend({ hostThreshold: 0 }), reference: () => cpuBackend() });

// gpu.js's last fallback, its plain-JS kernels, with every op on the device.
runConformance({ name: 'gpujs-cpu-device', createBackend: () => gpujsBackend({ mode: 'cpu', hostThreshold: 0 }), reference: () => cpuBackend() });
