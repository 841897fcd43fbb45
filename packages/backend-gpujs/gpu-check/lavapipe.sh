#!/bin/bash
# Run a node script on WebGPU without a GPU: Dawn (the `webgpu` package) over lavapipe, Mesa's
# software Vulkan. Dawn needs glibc 2.38 / GLIBCXX_3.4.32, newer than Debian 12's, so Debian 13's
# libc, libstdc++ and Mesa are unpacked into a private folder (nothing is installed) and node runs
# under that libc's loader. Slow (a CPU rasterizer), but every WGSL kernel compiles and runs:
#   bash packages/backend-gpujs/gpu-check/lavapipe.sh packages/backend-gpujs/gpu-check/dist/bin/check.mjs --skip-bench
set -euo pipefail
dir=${LAVAPIPE_DIR:-/tmp/tensorgrad-lavapipe}
lib=$dir/root/usr/lib/x86_64-linux-gnu
if [ ! -f "$dir/lvp.json" ]; then
  mkdir -p "$dir/lists/partial" "$dir/archives/partial" "$dir/cache" "$dir/root"
  echo 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main' > "$dir/sources.list"
  : > "$dir/status"
  o="-o Dir::Etc::SourceList=$dir/sources.list -o Dir::Etc::SourceParts=/nonexistent -o Dir::State::Lists=$dir/lists
     -o Dir::State::status=$dir/status -o Dir::Cache=$dir/cache -o Dir::Cache::archives=$dir/archives
     -o APT::Architecture=amd64 -o APT::Architectures=amd64"
  apt-get $o update -qq
  apt-get $o install -y -qq --download-only --no-install-recommends mesa-vulkan-drivers libvulkan1 libstdc++6 >/dev/null
  for f in "$dir"/archives/*.deb; do dpkg -x "$f" "$dir/root"; done
  sed "s#\"libvulkan_lvp.so\"#\"$lib/libvulkan_lvp.so\"#" "$dir/root/usr/share/vulkan/icd.d/lvp_icd.json" > "$dir/lvp.json"
fi
export VK_ICD_FILENAMES=$dir/lvp.json VK_DRIVER_FILES=$dir/lvp.json
exec "$lib/ld-linux-x86-64.so.2" --library-path "$lib" "$(readlink -f "$(command -v node)")" "$@"
