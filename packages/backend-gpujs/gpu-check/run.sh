#!/bin/bash
# Prepare the GPU check of @tensorgrad/backend-gpujs for one call on the device machine.
# Here (from the repository root):   bash packages/backend-gpujs/gpu-check/run.sh
# It bundles gpu-check/check.mjs (conformance + bench, with the sources of core, backend-cpu,
# conformance, this backend and gpu.js) into gpu-check/dist/ (~20 MB, with Dawn's linux-x64
# binary), then runs ../shared/device/prepare.sh (node and the Vulkan/EGL loaders into .gpu/).
# Then the device tool's run, as one call:
#   command: bash .gpu/run.sh node packages/backend-gpujs/gpu-check/dist/bin/check.mjs
#   carry:   [".gpu", "packages/backend-gpujs/gpu-check/dist"]      timeout_s: 480
set -euo pipefail
root=$(git rev-parse --show-toplevel)
cd "$root"
node packages/backend-gpujs/gpu-check/build.mjs
bash ../shared/device/prepare.sh
du -sh .gpu packages/backend-gpujs/gpu-check/dist
# a dry run here: it must say why webgpu is unavailable (exit 2) or, on a GPU machine, run
node packages/backend-gpujs/gpu-check/dist/bin/check.mjs --skip-conformance --skip-bench || true
cat <<'MSG'
ready. On the device machine, one call:
  command: bash .gpu/run.sh node packages/backend-gpujs/gpu-check/dist/bin/check.mjs
  carry:   [".gpu", "packages/backend-gpujs/gpu-check/dist"]
  timeout_s: 480
MSG
