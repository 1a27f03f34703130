#!/bin/sh
# test-install.sh: `meson install --destdir` of this build, and the installed vitx (TAP output)
#
# Installs the current build into a temporary DESTDIR, checks every file a
# desktop Linux install needs is there (programs, shipped models and their
# card, .desktop, metainfo, icons, GSettings schema), then runs the installed
# `vitx` with VITX_DATADIR unset from outside the source and build trees: it
# must find the data installed beside it, not the source tree's data/.
#
#   test-install.sh BUILD-ROOT SOURCE-ROOT PREFIX BINDIR DATADIR GUI
# BINDIR and DATADIR relative to PREFIX (meson's defaults: bin, share);
# GUI: true when vitx-explorer and its desktop files are built.
set -u
build=$1
source=$2
prefix=$3
bindir=$4
datadir=$5
gui=$6

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vitx-install-XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
dest=$tmp/dest
root=$dest$prefix
bin=$root/$bindir
share=$root/$datadir
data=$share/vitx-explorer
app_id=org.vitx.Explorer

n=0
failed=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () {
  n=$((n + 1))
  failed=$((failed + 1))
  echo "not ok $n - $1"
  shift
  for line in "$@"; do echo "# $line"; done
}
check_file () {  # DESCRIPTION PATH [x]
  if [ ! -f "$2" ]; then
    not_ok "$1" "missing: ${2#"$dest"}"
  elif [ "${3:-}" = x ] && [ ! -x "$2" ]; then
    not_ok "$1" "not executable: ${2#"$dest"}"
  else
    ok "$1"
  fi
}

# ---- install ---------------------------------------------------------------------
if meson install -C "$build" --destdir "$dest" --no-rebuild --quiet > "$tmp/install.log" 2>&1; then
  ok "meson install --destdir"
else
  not_ok "meson install --destdir" "$(tail -n 5 "$tmp/install.log")"
  echo "1..$n"
  exit 1
fi

# ---- what is installed -------------------------------------------------------------
check_file "bin/vitx" "$bin/vitx" x
check_file "models/README.md (the model card)" "$data/models/README.md"
# every model in data/models (not the trainer's resumable checkpoints), byte for byte
models=0
for shipped in "$source"/data/models/*.safetensors; do
  [ -f "$shipped" ] || continue
  name=$(basename "$shipped")
  case $name in *.ckpt.safetensors) continue ;; esac
  models=$((models + 1))
  if cmp -s "$shipped" "$data/models/$name"; then
    ok "models/$name installed, byte for byte"
  else
    not_ok "models/$name installed, byte for byte"
  fi
done
if [ $models -gt 0 ]; then
  ok "data/models/ ships $models models"
else
  not_ok "data/models/ ships models" "no *.safetensors in $source/data/models"
fi
if [ "$gui" = true ]; then
  check_file "bin/vitx-explorer" "$bin/vitx-explorer" x
  check_file ".desktop file" "$share/applications/$app_id.desktop"
  check_file "metainfo" "$share/metainfo/$app_id.metainfo.xml"
  check_file "scalable icon" "$share/icons/hicolor/scalable/apps/$app_id.svg"
  check_file "symbolic icon" "$share/icons/hicolor/symbolic/apps/$app_id-symbolic.svg"
  check_file "GSettings schema" "$share/glib-2.0/schemas/$app_id.gschema.xml"
  if command -v desktop-file-validate > /dev/null 2>&1 && [ -f "$share/applications/$app_id.desktop" ]; then
    if desktop-file-validate "$share/applications/$app_id.desktop" > "$tmp/v.log" 2>&1; then
      ok "installed .desktop file validates"
    else
      not_ok "installed .desktop file validates" "$(head -n 5 "$tmp/v.log")"
    fi
  fi
  if [ -f "$share/glib-2.0/schemas/$app_id.gschema.xml" ]; then
    if glib-compile-schemas --strict --targetdir="$tmp" "$share/glib-2.0/schemas" > "$tmp/s.log" 2>&1; then
      ok "installed schema compiles (--strict)"
    else
      not_ok "installed schema compiles (--strict)" "$(head -n 5 "$tmp/s.log")"
    fi
  fi
  # the desktop file starts the installed program
  if grep -q "^Exec=vitx-explorer" "$share/applications/$app_id.desktop" 2>/dev/null; then
    ok ".desktop Exec= runs vitx-explorer"
  else
    not_ok ".desktop Exec= runs vitx-explorer"
  fi
fi

# ---- the installed vitx finds its own data ---------------------------------------------
# the default model is the one shipped in data/models, installed as it is
default_model=$data/models/vit-fmnist-std.safetensors
check_file "default model $(basename "$default_model") installed" "$default_model"
cd "$tmp" || exit 99
env -u VITX_DATADIR -u G_TEST_SRCDIR -u G_TEST_BUILDDIR \
  VITX_FASHION_MNIST_DIR="$tmp/no-such-dir" \
  "$bin/vitx" info > "$tmp/info.txt" 2> "$tmp/info.err"
status=$?
found=$(sed -n 's/^model  *//p' "$tmp/info.txt")
if [ $status -ne 0 ]; then
  not_ok "installed 'vitx info' (VITX_DATADIR unset) runs" "exit $status: $(head -n 3 "$tmp/info.err")"
elif [ "$found" != "$default_model" ]; then
  not_ok "installed 'vitx info' (VITX_DATADIR unset) uses the installed model" \
    "it read '$found', expected '$default_model'"
else
  ok "installed 'vitx info' (VITX_DATADIR unset) uses the installed model"
fi

env -u VITX_DATADIR VITX_FASHION_MNIST_DIR="$tmp/no-such-dir" \
  "$bin/vitx" eval --limit 20 --threads 1 --quiet --json > "$tmp/eval.json" 2> "$tmp/eval.err"
status=$?
if [ $status -eq 0 ] && grep -q '"n_images" *: *20' "$tmp/eval.json" \
   && grep -qF "\"$default_model\"" "$tmp/eval.json"; then
  ok "installed 'vitx eval' runs the installed model on the embedded data"
else
  not_ok "installed 'vitx eval' runs the installed model on the embedded data" \
    "exit $status: $(head -n 3 "$tmp/eval.err")"
fi

# ---- nothing of the machine's paths leaks into what is installed as text ----------------
# The source root counts only as a whole path: followed by '/', the end of the line or a
# character no file name continues with, and not itself the tail of a longer path. A
# clone at /proj must not fail on "</project_license>", nor one at /src on "/usr/src".
names_source () {  # ROOT FILE...: the files among FILE... that name the path ROOT
  root_re=$(printf '%s' "$1" | sed 's/[][\.*^$+?(){}|]/\\&/g')
  shift
  grep -lsIE -e "(^|[^A-Za-z0-9._-])$root_re(/|[^A-Za-z0-9._-]|\$)" "$@"
}
# the matcher itself, on words that contain a short source root
mkdir -p "$tmp/probe"
printf '<project_license>MIT</project_license>\n<url>https://example.org/project/x</url>\n' \
  > "$tmp/probe/words.xml"
printf '"/proj.old/x" "/proj-2/x"\n' > "$tmp/probe/sibling.txt"
printf 'Exec=/proj/_build/vitx\n' > "$tmp/probe/inside.txt"
printf 'source: /proj\n' > "$tmp/probe/end.txt"
printf 'see file:///proj/data\n' > "$tmp/probe/url.txt"
printf 'cd /usr/src/app && make\n' > "$tmp/probe/tail.txt"
probe=$(cd "$tmp/probe" && { names_source /proj words.xml sibling.txt inside.txt end.txt url.txt
                             names_source /src tail.txt; } | tr '\n' ' ')
if [ "$probe" = "inside.txt end.txt url.txt " ]; then
  ok "the source-path matcher takes /proj and /src only as whole paths"
else
  not_ok "the source-path matcher takes /proj and /src only as whole paths" \
    "files named: '$probe', expected 'inside.txt end.txt url.txt '"
fi
if names_source "$source" -r "$share" > "$tmp/leak.txt" 2>/dev/null && [ -s "$tmp/leak.txt" ]; then
  not_ok "installed text files do not name the source tree" "$(head -n 3 "$tmp/leak.txt")"
else
  ok "installed text files do not name the source tree"
fi

echo "1..$n"
[ $failed -eq 0 ]
