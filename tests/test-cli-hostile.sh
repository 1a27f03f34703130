#!/bin/sh
# test-cli-hostile.sh: the `vitx` CLI on hostile files and absurd options (TAP output)
#
# Every case must end with a one-line "vitx CMD: ..." message on stderr that
# names the file or the option at fault and exit status 1 (the work failed)
# or 2 (bad command line): never a signal, a sanitizer report or a GLib
# critical. Runs under `ulimit -v` (2 GB of address space) unless the build
# uses AddressSanitizer, whose shadow memory needs far more address space.
#
#   test-cli-hostile.sh VITX SRCDIR SANITIZE
# VITX: the built vitx; SRCDIR: tests/ of the source tree; SANITIZE: meson's
# b_sanitize ("none" when not sanitized).
set -u
vitx=$1
srcdir=$2
sanitize=$3
model=$srcdir/data/ref-tiny.safetensors          # 1x28x28, 10 classes
corpus=$srcdir/fuzz
mem_kb=2097152

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vitx-hostile-XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
export G_DEBUG=fatal-criticals GSETTINGS_BACKEND=memory VITX_FASHION_MNIST_DIR="$tmp/no-such-dir"

n=0
failed=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () {
  n=$((n + 1))
  failed=$((failed + 1))
  echo "not ok $n - $1"
  shift
  for line in "$@"; do echo "# $line"; done
  sed 's/^/#   stderr: /' "$tmp/err" | head -n 20
}

# run DESCRIPTION WANT-STATUS WANT-TEXT -- ARGS...
# WANT-TEXT must occur in the message (the file or the option at fault).
run () {
  desc=$1 want=$2 text=$3
  shift 4
  (
    if [ "$sanitize" = none ]; then ulimit -v $mem_kb; fi
    exec "$vitx" "$@"
  ) > "$tmp/out" 2> "$tmp/err"
  status=$?
  cmd=$1
  if [ $status -gt 128 ]; then
    not_ok "$desc" "killed by signal $((status - 128))"
  elif [ $status -ne "$want" ]; then
    not_ok "$desc" "exit status $status, expected $want"
  elif [ "$want" -ne 0 ] && ! grep -qE "^vitx( $cmd( [a-z]+)?)?: " "$tmp/err"; then
    not_ok "$desc" "no 'vitx $cmd: ...' message on stderr"
  elif [ "$want" -ne 0 ] && ! grep -qF -- "$text" "$tmp/err"; then
    not_ok "$desc" "the message does not name '$text'"
  elif grep -qE 'runtime error|Sanitizer|CRITICAL|WARNING \*\*|Segmentation' "$tmp/err"; then
    not_ok "$desc" "sanitizer report or GLib warning on stderr"
  else
    ok "$desc"
  fi
}

# require_option COMMAND OPTION: `vitx COMMAND --help-all` lists OPTION, else a
# failed case (an option that disappears must not take its cases with it)
require_option () {
  "$vitx" "$1" --help-all > "$tmp/help" 2>&1
  if grep -q -- "$2[= ]" "$tmp/help"; then
    return 0
  fi
  : > "$tmp/err"
  not_ok "vitx $1 lists $2 in --help-all" "its cases did not run"
  return 1
}

# the byte v as one raw byte
byte () { printf "\\$(printf %o "$1")"; }
# an unsigned 64-bit little-endian integer (below 2^63)
le64 () {
  v=$1 i=0
  while [ $i -lt 8 ]; do byte $((v % 256)); v=$((v / 256)); i=$((i + 1)); done
}
# a big-endian 32-bit integer
be32 () { byte $(($1 >> 24 & 255)); byte $(($1 >> 16 & 255)); byte $(($1 >> 8 & 255)); byte $(($1 & 255)); }
# a safetensors file: header text, then N zero bytes of data
safetensors () {
  header=$1 zeros=$2 out=$3
  { le64 ${#header}; printf '%s' "$header"; head -c "$zeros" /dev/zero; } > "$out"
}

# ---- positive controls: the same commands work on good input -----------------------
run "info on a good model" 0 "" -- info "$model"
run "eval of 20 embedded images under the memory limit" 0 "" -- \
  eval --model "$model" --limit 20 --batch 8 --threads 1 --quiet

# ---- info: --model FILE like every command, MODEL as its synonym ----------------------------
run "info --model on a good model" 0 "" -- info --model "$model"
cp "$tmp/out" "$tmp/info-option.txt"
"$vitx" info "$model" > "$tmp/info-positional.txt" 2> "$tmp/err"
"$vitx" info --json -m "$model" > "$tmp/info-option.json" 2>> "$tmp/err"
"$vitx" info --json "$model" > "$tmp/info-positional.json" 2>> "$tmp/err"
if grep -qxF "model        $model" "$tmp/info-option.txt" \
   && cmp -s "$tmp/info-option.txt" "$tmp/info-positional.txt" \
   && cmp -s "$tmp/info-option.json" "$tmp/info-positional.json"; then
  ok "info --model FILE prints what info FILE prints (text and JSON)"
else
  not_ok "info --model FILE prints what info FILE prints (text and JSON)"
fi
run "info --model FILE FILE: the same file twice" 0 "" -- info --model "$model" "$model"
run "info --model FILE ./FILE: the same file, spelled differently" 0 "" -- \
  info --model "$model" "$(dirname "$model")/./$(basename "$model")"
run "info --model A B: two different files" 2 "$tmp/other.safetensors" -- \
  info --model "$model" "$tmp/other.safetensors"
run "info --model: missing file" 1 "$tmp/missing.safetensors" -- info --model "$tmp/missing.safetensors"
run "info --model without a file" 2 "--model" -- info --model
"$vitx" info --help > "$tmp/help" 2>&1
if grep -q -- "--model=FILE" "$tmp/help" && grep -q "MODEL" "$tmp/help"; then
  ok "info --help names --model FILE and MODEL"
else
  : > "$tmp/err"
  not_ok "info --help names --model FILE and MODEL" "$(head -n 3 "$tmp/help")"
fi

# ---- model files -----------------------------------------------------------------------
size=$(wc -c < "$model")
head -c $((size - 100)) "$model" > "$tmp/truncated.safetensors"
run "eval --model: truncated file" 1 "$tmp/truncated.safetensors" -- \
  eval --model "$tmp/truncated.safetensors" --limit 1
{ le64 1099511627776; tail -c +9 "$model"; } > "$tmp/hlen.safetensors"
run "eval --model: header length past the end" 1 "$tmp/hlen.safetensors" -- \
  eval --model "$tmp/hlen.safetensors" --limit 1
{ le64 9223372036854775807; } > "$tmp/hlen-max.safetensors"
run "eval --model: header length 2^63-1" 1 "$tmp/hlen-max.safetensors" -- \
  eval --model "$tmp/hlen-max.safetensors" --limit 1
mkdir "$tmp/a-directory.safetensors"
run "eval --model: a directory" 1 "$tmp/a-directory.safetensors" -- \
  eval --model "$tmp/a-directory.safetensors" --limit 1
run "eval --model: /dev/null" 1 "/dev/null" -- eval --model /dev/null --limit 1
: > "$tmp/empty.safetensors"
run "eval --model: empty file" 1 "$tmp/empty.safetensors" -- eval --model "$tmp/empty.safetensors"
run "eval --model: missing file" 1 "$tmp/missing.safetensors" -- \
  eval --model "$tmp/missing.safetensors"
cp "$corpus/corpus-image-folder/valid-rgb-6x9.png" "$tmp/image.safetensors"
run "info: a PNG renamed .safetensors" 1 "$tmp/image.safetensors" -- info "$tmp/image.safetensors"

safetensors '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}' 12 "$tmp/overlap.safetensors"
run "info: overlapping offsets" 1 "overlap" -- info "$tmp/overlap.safetensors"
safetensors '{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}' 8 "$tmp/range.safetensors"
run "info: offsets past the data" 1 "$tmp/range.safetensors" -- info "$tmp/range.safetensors"
safetensors '{"a":{"dtype":"F32","shape":[1],"data_offsets":[18446744073709551615,4]}}' 8 "$tmp/neg.safetensors"
run "info: offset 2^64-1" 1 "$tmp/neg.safetensors" -- info "$tmp/neg.safetensors"
safetensors '{"a":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,0]}}' 0 "$tmp/overflow.safetensors"
run "info: element count overflowing 64 bits" 1 "overflows" -- info "$tmp/overflow.safetensors"
safetensors '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}' 8 "$tmp/dup.safetensors"
run "info: duplicate tensor names" 1 "more than once" -- info "$tmp/dup.safetensors"
awk 'BEGIN { printf "{"; for (i = 0; i < 1000000; i++) printf "%s\"t%d\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}", i ? "," : "", i; printf "}" }' \
  > "$tmp/million.json"
{ le64 "$(wc -c < "$tmp/million.json")"; cat "$tmp/million.json"; } > "$tmp/million.safetensors"
rm -f "$tmp/million.json"
run "info: 10^6 tensors" 1 "tensors" -- info "$tmp/million.safetensors"
awk 'BEGIN { printf "{\"a\":"; for (i = 0; i < 100000; i++) printf "["; for (i = 0; i < 100000; i++) printf "]"; printf "}" }' \
  > "$tmp/deep.json"
{ le64 "$(wc -c < "$tmp/deep.json")"; cat "$tmp/deep.json"; } > "$tmp/deep.safetensors"
run "info: JSON nested 10^5 deep" 1 "nested" -- info "$tmp/deep.safetensors"
safetensors '{"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}' 8 "$tmp/dtype.safetensors"
run "info: dtype I64" 1 "I64" -- info "$tmp/dtype.safetensors"
# every broken seed of the safetensors fuzzer through the CLI as well
for f in "$corpus"/corpus-safetensors/broken-*.safetensors; do
  run "info: $(basename "$f")" 1 "$f" -- info "$f"
done

# ---- datasets: IDX ----------------------------------------------------------------------
idx_pair () {  # DIR IMAGES-MAGIC N H W PIXEL-BYTES LABELS-N
  mkdir -p "$1"
  { be32 "$2"; be32 "$3"; be32 "$4"; be32 "$5"; head -c "$6" /dev/zero; } > "$1/t10k-images-idx3-ubyte"
  { be32 2049; be32 "$7"; head -c "$7" /dev/zero; } > "$1/t10k-labels-idx1-ubyte"
}
idx_pair "$tmp/idx-good" 2051 3 28 28 2352 3
run "eval --data: a good 3-image IDX pair (control)" 0 "" -- \
  eval --model "$model" --data "$tmp/idx-good" --quiet
idx_pair "$tmp/idx-magic" 305419896 3 28 28 2352 3
run "eval --data: IDX with a wrong magic" 1 "bad magic" -- eval --model "$model" --data "$tmp/idx-magic"
idx_pair "$tmp/idx-huge" 2051 4294967295 4294967295 4294967295 100 3
run "eval --data: IDX with huge dimensions" 1 "t10k-images-idx3-ubyte" -- \
  eval --model "$model" --data "$tmp/idx-huge"
idx_pair "$tmp/idx-2g" 2051 2 32767 32767 100 2
run "eval --data: IDX claiming 2 GB, holding 100 bytes" 1 "truncated" -- \
  eval --model "$model" --data "$tmp/idx-2g"
idx_pair "$tmp/idx-2g31" 2051 1 2147483648 1 100 1
run "eval --data: IDX with a dimension of 2^31" 1 "more than 2147483647 bytes" -- \
  eval --model "$model" --data "$tmp/idx-2g31"
idx_pair "$tmp/idx-short" 2051 3 28 28 2000 3
run "eval --data: IDX with a short payload" 1 "truncated" -- eval --model "$model" --data "$tmp/idx-short"
idx_pair "$tmp/idx-size" 2051 3 27 27 2187 3
run "eval --data: IDX of 27x27 images for a 28x28 model" 1 "27" -- \
  eval --model "$model" --data "$tmp/idx-size"
idx_pair "$tmp/idx-count" 2051 3 28 28 2352 2
run "eval --data: 3 images, 2 labels" 1 "labels" -- eval --model "$model" --data "$tmp/idx-count"
printf 'not gzip at all' | { printf '\037\213'; cat; } > "$tmp/idx-count/t10k-images-idx3-ubyte"
run "eval --data: corrupt gzip" 1 "gzip" -- eval --model "$model" --data "$tmp/idx-count"

# ---- datasets: image folders ------------------------------------------------------------
run "eval --data: missing path" 1 "$tmp/nowhere" -- eval --model "$model" --data "$tmp/nowhere"
mkdir -p "$tmp/folder-empty/cat"
run "eval --data: image folder without images" 1 "$tmp/folder-empty" -- \
  eval --model "$model" --data "$tmp/folder-empty"
for f in "$corpus"/corpus-image-folder/broken-*; do
  name=$(basename "$f")
  d="$tmp/folder-$name"
  mkdir -p "$d/class"
  cp "$f" "$d/class/$name"
  # the name a user would give it: .png stays, .jpg stays
  run "eval --data: image folder holding $name" 1 "$name" -- eval --model "$model" --data "$d"
done

# formats other than PNG and JPEG never reach gdk-pixbuf (whose BMP loader,
# fed this 74-byte file found by the fuzzer, asked for 3.7 GB)
for f in "$corpus"/corpus-image-folder/regress-bmp-*.png "$corpus"/corpus-image-folder/broken-other-format-*; do
  d="$tmp/other-$(basename "$f")"
  mkdir -p "$d/class"
  cp "$f" "$d/class/image.png"
  run "eval --data: $(basename "$f") is refused by its signature" 1 "not a PNG or JPEG image" -- \
    eval --model "$model" --data "$d"
done

# ---- train and bench train ------------------------------------------------------------------
# a 4-image IDX dataset (both splits) and a one-block ViT: seconds, not minutes
idx_pair "$tmp/idx-train" 2051 4 28 28 3136 4
cp "$tmp/idx-train/t10k-images-idx3-ubyte" "$tmp/idx-train/train-images-idx3-ubyte"
printf '\000\001\002\003' | dd of="$tmp/idx-train/t10k-labels-idx1-ubyte" bs=1 seek=8 conv=notrunc 2> /dev/null
cp "$tmp/idx-train/t10k-labels-idx1-ubyte" "$tmp/idx-train/train-labels-idx1-ubyte"
tiny_vit="--depth 1 --dim 16 --heads 2 --mlp 32 --batch 2 --threads 1"
# shellcheck disable=SC2086  # tiny_vit is a list of options
run "train: one epoch on 4 images (control)" 0 "" -- train --data "$tmp/idx-train" $tiny_vit \
  --epochs 1 --out "$tmp/tiny.safetensors" --log "$tmp/tiny.csv" --keep-checkpoint --json
if [ -f "$tmp/tiny.safetensors" ] && grep -q '"epochs" *: *1' "$tmp/out" \
   && [ "$(wc -l < "$tmp/tiny.csv")" -eq 2 ]; then
  ok "train: the model, the JSON summary and one CSV row"
else
  not_ok "train: the model, the JSON summary and one CSV row"
fi
run "train --resume: a second epoch" 0 "" -- train --data "$tmp/idx-train" --epochs 2 \
  --resume "$tmp/tiny.ckpt.safetensors" --out "$tmp/tiny.safetensors" --log "$tmp/tiny.csv" --threads 1
if [ "$(cut -d, -f1 "$tmp/tiny.csv" | tr '\n' ' ')" = "epoch 1 2 " ]; then
  ok "train --resume: the CSV log goes on from epoch 1"
else
  not_ok "train --resume: the CSV log goes on from epoch 1" "$(cat "$tmp/tiny.csv")"
fi
run "train --resume: missing checkpoint" 1 "$tmp/missing.ckpt" -- \
  train --data "$tmp/idx-train" --resume "$tmp/missing.ckpt"
# shellcheck disable=SC2086
run "train --log: in a missing directory" 1 "$tmp/nowhere/log.csv" -- train --data "$tmp/idx-train" \
  $tiny_vit --epochs 1 --out "$tmp/tiny2.safetensors" --log "$tmp/nowhere/log.csv"
run "train --data: missing directory" 1 "$tmp/nowhere" -- train --data "$tmp/nowhere"
run "train --epochs 0" 2 "--epochs" -- train --epochs 0
run "train --init nonsense" 2 "nonsense" -- train --init nonsense
run "train --resume with --lr" 2 "--lr" -- train --resume "$tmp/tiny.ckpt.safetensors" --lr 1
run "train --vat-gamma without --vat" 2 "--vat" -- train --vat-gamma 2
run "train: stray argument" 2 "stray" -- train stray
# shellcheck disable=SC2086
run "bench train: one step (control)" 0 "" -- bench train $tiny_vit --steps 1 --vat --json
if grep -q '"vat_time_ratio"' "$tmp/out"; then
  ok "bench train --vat --json: the VAT time ratio"
else
  not_ok "bench train --vat --json: the VAT time ratio"
fi
run "bench train --steps 0" 2 "--steps" -- bench train --steps 0
run "bench train: stray argument" 2 "stray" -- bench train stray

# ---- sweep result files (resumed with --out) ------------------------------------------------
if require_option sweep --out; then
  awk 'BEGIN { for (i = 0; i < 200000; i++) printf "["; print "" }' > "$tmp/deep.jsonl"
  run "sweep --out: a record nested 2*10^5 deep" 1 "$tmp/deep.jsonl" -- \
    sweep --model "$model" --gamma 3 --limit 8 --out "$tmp/deep.jsonl" --dry-run
  printf '{"not": "a sweep record"}\n' > "$tmp/alien.jsonl"
  run "sweep --out: a JSON line that is no record" 1 "$tmp/alien.jsonl" -- \
    sweep --model "$model" --gamma 3 --limit 8 --out "$tmp/alien.jsonl" --dry-run
  head -c 3000 /dev/urandom > "$tmp/noise.jsonl"
  run "sweep --out: random bytes" 1 "$tmp/noise.jsonl" -- \
    sweep --model "$model" --gamma 3 --limit 8 --out "$tmp/noise.jsonl" --dry-run
  run "sweep --gamma -1" 2 "gamma" -- sweep --model "$model" --gamma -1 --limit 8 --dry-run
  run "sweep --gamma 3,,4" 2 "gamma" -- sweep --model "$model" --gamma 3,,4 --limit 8 --dry-run
  run "sweep --shard 3/2" 2 "shard" -- sweep --model "$model" --gamma 3 --shard 3/2 --dry-run
fi

# ---- options out of range ----------------------------------------------------------------
run "eval --batch 0" 2 "--batch" -- eval --model "$model" --batch 0
run "eval --batch -5" 2 "--batch" -- eval --model "$model" --batch -5
run "eval --batch 10^9" 2 "--batch" -- eval --model "$model" --batch 1000000000
run "eval --batch abc" 2 "abc" -- eval --model "$model" --batch abc
run "eval --limit -1" 2 "--limit" -- eval --model "$model" --limit -1
run "eval --threads 99999" 2 "--threads" -- eval --model "$model" --threads 99999
run "eval --threads -1" 2 "--threads" -- eval --model "$model" --threads -1
run "eval --limit 99999999999 (not an int)" 2 "99999999999" -- eval --model "$model" --limit 99999999999
run "eval: unknown option" 2 "--frobnicate" -- eval --frobnicate
run "eval: stray argument" 2 "stray" -- eval --model "$model" stray
run "info: two models" 2 "info" -- info "$model" "$model"
run "unknown command" 2 "frobnicate" -- frobnicate

# ---- crossbar options ---------------------------------------------------------------------
xbar_case () {  # COMMAND OPTION VALUE
  if require_option "$1" "$2"; then
    run "$1 $2 $3" 2 "$2" -- "$1" --model "$model" "$2" "$3" --limit 1
  fi
}
# the message names the quantity (gamma, beta, ADC bits, crossbar size), not always
# the option's spelling, so these cases look for the word
xbar_word () {  # COMMAND OPTION VALUE WORD
  if require_option "$1" "$2"; then
    run "$1 $2 $3" 2 "$4" -- "$1" --model "$model" "$2" "$3" --limit 1
  fi
}
xbar_word eval --gamma -1 gamma
xbar_word eval --gamma nan gamma
xbar_word eval --gamma inf gamma
xbar_word eval --beta 0 beta
xbar_word eval --beta -2 beta
xbar_word eval --beta 1.5 beta
xbar_word eval --alpha 0.5 alpha
xbar_word eval --adc-bits 40 "ADC bits"
xbar_word eval --adc-bits 0 "ADC bits"
xbar_word eval --xbar 0 "crossbar size"
xbar_word eval --xbar -64 "crossbar size"
xbar_word eval --xbar 1000000 "crossbar size"
xbar_word eval --sigma-r -0.1 "sigma_R"
xbar_word eval --weight-bits 40 "weight bits"
xbar_case eval --onoff 1
xbar_case eval --seed abc
xbar_case eval --seed -1
xbar_case eval --mode quantum
xbar_word eval --analog everything everything
xbar_word eval --preset nonsense nonsense
# --repeats is checked with the crossbar options (-x turns them on)
if require_option eval --repeats; then
  run "eval -x --repeats 0" 2 "--repeats" -- eval --model "$model" -x --repeats 0 --limit 1
  run "eval -x --repeats 10^6" 2 "--repeats" -- eval --model "$model" -x --repeats 1000000 --limit 1
fi
xbar_word snr --gamma -1 gamma
xbar_word hist --xbar 0 "crossbar size"
if require_option hw --arch; then
  run "hw --arch: truncated model file" 1 "$tmp/truncated.safetensors" -- hw --arch "$tmp/truncated.safetensors"
  run "hw --arch /dev/null" 1 "/dev/null" -- hw --arch /dev/null
fi
if require_option hw --adc-bits; then
  run "hw --adc-bits 40" 2 "ADC bits" -- hw --adc-bits 40
fi

# ---- token pruning reaches bench and figures (--prune-keep, in the crossbar group) --------
# bench counts the FLOPs of the pruned forward pass: fewer than without pruning
flops_of () {  # the forward_flops_per_image of `vitx bench --json` output in $tmp/out
  sed -n 's/.*"forward_flops_per_image" *: *\([0-9.eE+]*\).*/\1/p' "$tmp/out" | head -n 1
}
bench_tiny () { "$vitx" bench --model "$model" --json --batch 2 --reps 1 --gemm-size 64 --threads 1 "$@"; }
if require_option bench --prune-keep && require_option figures --prune-keep; then
  bench_tiny > "$tmp/out" 2> "$tmp/err"; full=$(flops_of)
  bench_tiny --prune-keep 0.7 > "$tmp/out" 2> "$tmp/err"; pruned=$(flops_of)
  cp "$tmp/out" "$tmp/out.keep"
  bench_tiny --prune-keep 1 > "$tmp/out" 2> "$tmp/err"; off=$(flops_of)
  if [ -n "$full" ] && [ -n "$pruned" ] && [ "$off" = "$full" ] \
     && awk -v a="$pruned" -v b="$full" 'BEGIN { exit !(a > 0 && a < b) }' \
     && grep -qE '"prune_keep" *: *0\.(7|69999)' "$tmp/out.keep"; then
    ok "bench --prune-keep 0.7: $pruned FLOPs per image, fewer than $full"
  else
    not_ok "bench --prune-keep 0.7: FLOPs per image" "pruned '$pruned', unpruned '$full', keep 1 '$off'"
  fi
  run "bench --prune-keep 2" 2 "--prune-keep" -- bench --model "$model" --prune-keep 2 --reps 1
  # figures: the settings JSON of every figure names the ratio the model ran with
  mkdir -p "$tmp/fig-pruned" "$tmp/fig-plain"
  "$vitx" figures --model "$model" --out "$tmp/fig-pruned" --only hw --format svg --quiet \
    --prune-keep 0.7 > /dev/null 2> "$tmp/err"
  "$vitx" figures --model "$model" --out "$tmp/fig-plain" --only hw --format svg --quiet \
    > /dev/null 2>> "$tmp/err"
  if grep -q 'prune_keep' "$tmp/fig-pruned/fig10-hw.svg" 2>/dev/null \
     && [ -f "$tmp/fig-plain/fig10-hw.svg" ] && ! grep -q 'prune_keep' "$tmp/fig-plain/fig10-hw.svg"; then
    ok "figures --prune-keep 0.7: recorded in the figures' settings"
  else
    not_ok "figures --prune-keep 0.7: recorded in the figures' settings"
  fi
  run "figures --prune-keep 0" 2 "--prune-keep" -- figures --model "$model" --out "$tmp/fig-bad" --prune-keep 0
fi

echo "1..$n"
[ $failed -eq 0 ]
