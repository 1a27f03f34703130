#!/bin/sh
# test-dist.sh: `meson dist` makes a tarball that configures, builds, passes its
# own test suite and installs (meson dist does all of that itself), and that
# holds what a source release needs. Slow (a full build): `meson test --suite slow`.
#
#   test-dist.sh BUILD-ROOT
# Packs the last commit (--allow-dirty: work in progress in the tree is left out).
set -u
build=$1
log=$build/meson-logs/test-dist.txt
if ! meson dist -C "$build" --allow-dirty --formats xztar > "$log" 2>&1; then
  echo "meson dist failed; the end of $log:"
  tail -n 40 "$log"
  exit 1
fi
tail -n 5 "$log"
tarball=$(ls -t "$build"/meson-dist/*.tar.xz | head -n 1)
[ -f "$tarball" ] || { echo "no tarball in $build/meson-dist"; exit 1; }
status=0
list=$(tar -tJf "$tarball")
for want in meson.build meson_options.txt README.md core/engine/vx-model.c app/cli/vitx.c \
            data/fashion-mnist-subset/t10k-images-idx3-ubyte.gz data/models/README.md \
            data/models/vit-fmnist-std.safetensors \
            tests/fuzz/corpus-safetensors/valid-tiny-f32.safetensors flatpak/org.vitx.Explorer.json; do
  if ! printf '%s\n' "$list" | grep -q "^[^/]*/$want\$"; then
    echo "the tarball lacks $want"
    status=1
  fi
done
if printf '%s\n' "$list" | grep -qE '^[^/]*/(_?build[^/]*)/'; then
  echo "the tarball holds a build directory"
  status=1
fi
echo "$(basename "$tarball"): $(du -k "$tarball" | cut -f1) kB, $(printf '%s\n' "$list" | wc -l) entries"
exit $status
