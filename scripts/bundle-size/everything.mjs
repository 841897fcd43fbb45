// Everything both packages export: the upper bound of what an app can ship of core + backend-cpu.
// (As namespaces, since `export *` of both would drop the names they both export, e.g. `erf`.)
export * as core from '@tensorgrad/core';
export * as cpu from '@tensorgrad/backend-cpu';
