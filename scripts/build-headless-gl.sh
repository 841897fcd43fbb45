#!/usr/bin/env bash
# Builds gpu.js's optional headless-gl (the `gl` package gpu.js loads in Node) from source, for
# the headlessgl mode of @tensorgrad/backend-gpujs and apps/gpu-conformance. pnpm does not run
# gl's install script (`allowBuilds: gl: false` in pnpm-workspace.yaml), and its prebuilt
# binaries are not downloadable here, so this runs node-gyp against the local Node headers.
# Does nothing when build/Release/webgl.node exists (pass --force to rebuild). Needs g++, make,
# python3, pkg-config and libxi-dev libglu1-mesa-dev libglew-dev; takes a few minutes (ANGLE).
# Usage: pnpm setup:gpu   (or: bash scripts/build-headless-gl.sh [--force])
set -euo pipefail
cd "$(dirname "$0")/.."

# the gl copy that gpu.js (a dependency of packages/backend-gpujs) resolves
gl_dir=$(node -e '
  const { dirname } = require("node:path");
  const gpujs = dirname(require.resolve("gpu.js/package.json", { paths: ["packages/backend-gpujs"] }));
  console.log(dirname(require.resolve("gl/package.json", { paths: [gpujs] })));
') || { echo "build-headless-gl: gpu.js's gl package is not installed (run pnpm install first)" >&2; exit 1; }

if [ -f "$gl_dir/build/Release/webgl.node" ] && [ "${1:-}" != "--force" ]; then
  echo "build-headless-gl: already built: $gl_dir/build/Release/webgl.node"
  exit 0
fi

# Node's headers: beside the running node (official tarballs, NodeSource's /usr), else /usr, /usr/local
node_prefix=$(node -p 'require("node:path").resolve(process.execPath, "../..")')
nodedir=""
for d in "$node_prefix" /usr /usr/local; do
  if [ -f "$d/include/node/node.h" ]; then nodedir=$d; break; fi
done
if [ -z "$nodedir" ]; then
  echo "build-headless-gl: no Node headers (include/node/node.h) under $node_prefix, /usr or /usr/local" >&2
  exit 1
fi

# npm ships node-gyp; else take it from the registry
node_gyp=(node "$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js")
[ -f "${node_gyp[1]}" ] || node_gyp=(npx --yes node-gyp)

echo "build-headless-gl: building $gl_dir against $nodedir/include/node (a few minutes)"
started=$SECONDS
(cd "$gl_dir" && "${node_gyp[@]}" rebuild --nodedir="$nodedir" -j "$(nproc 2>/dev/null || echo 2)")
test -f "$gl_dir/build/Release/webgl.node"
echo "build-headless-gl: built $gl_dir/build/Release/webgl.node in $((SECONDS - started)) s"
