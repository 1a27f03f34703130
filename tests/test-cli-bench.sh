#!/bin/sh
# test-cli-bench.sh: `vitx bench` --predict, --shape and --gemm-size 0 (TAP output)
#
# --predict must report what `vitx eval` reports for the same images and batch
# (ideal and on crossbars: bench/compare trusts it to check a peer), --shape
# must build the named network (its FLOP count is the DeiT-S formula of
# docs/MODEL.md section 7's shape), and bad combinations are refused by name.
#
#   test-cli-bench.sh VITX SRCROOT
set -u
vitx=$1
root=$2
model=$root/data/models/vit-fmnist-std.safetensors
data=$root/data/fashion-mnist-subset

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vitx-bench-XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
export G_DEBUG=fatal-criticals

n=0
failed=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () {
  n=$((n + 1))
  failed=$((failed + 1))
  echo "not ok $n - $1"
  sed 's/^/#   /' "$tmp/out" "$tmp/err" 2>/dev/null | head -n 20
}
# the value of a top-level "KEY" : VALUE line of pretty JSON in $1
member () { sed -n "s/^  \"$2\" : \\([^,]*\\),\\{0,1\\}\$/\\1/p" "$1"; }

# --predict against eval: the same top-1, ideal and at gamma 5
for xbar in "" "--gamma 5"; do
  name=${xbar:-ideal}
  "$vitx" bench --predict 200 --batch 100 --threads 1 -m "$model" -d "$data" \
    ${xbar:+--noisy} $xbar >"$tmp/out" 2>"$tmp/err"
  # shellcheck disable=SC2086
  "$vitx" eval -n 200 -b 100 -t 1 -q --json -m "$model" -d "$data" \
    ${xbar:+-x} $xbar >"$tmp/eval" 2>>"$tmp/err"
  got=$(member "$tmp/out" top1)
  want=$(member "$tmp/eval" top1)
  count=$(sed -n '/"predictions" : \[/,/\]/p' "$tmp/out" | grep -c '^ *[0-9]')
  if [ -n "$got" ] && [ "$got" = "$want" ] && [ "$count" -eq 200 ]; then
    ok "--predict 200 ($name): top-1 $got as eval, 200 predictions"
  else
    not_ok "--predict 200 ($name): top-1 '$got', eval '$want', $count predictions"
  fi
done

# --gemm-size 0: no peak, no utilisation, still a throughput
if "$vitx" bench --json --gemm-size 0 --batch 2 --reps 1 --threads 1 -m "$model" \
     >"$tmp/out" 2>"$tmp/err" \
   && ! grep -q sgemm_peak_gflops "$tmp/out" && ! grep -q utilization "$tmp/out" \
   && [ -n "$(member "$tmp/out" images_per_s)" ]; then
  ok "--gemm-size 0: images_per_s without a peak"
else
  not_ok "--gemm-size 0"
fi

# --shape deit-s: 224 x 224 x 3, patch 16, 12 x 384, 6 heads, MLP 1536, 1000 classes
if "$vitx" bench --json --shape deit-s --gemm-size 0 --batch 1 --reps 1 --threads 2 \
     >"$tmp/out" 2>"$tmp/err" \
   && [ "$(member "$tmp/out" forward_flops_per_image)" = "9197764608.0" ] \
   && [ "$(member "$tmp/out" shape)" = '"deit-s"' ]; then
  ok "--shape deit-s: 9197764608 FLOPs per image"
else
  not_ok "--shape deit-s: FLOPs per image '$(member "$tmp/out" forward_flops_per_image)'"
fi

# refused by name: run DESCRIPTION WANT-STATUS WANT-TEXT ARGS...
run () {
  desc=$1 want=$2 text=$3
  shift 3
  "$vitx" bench "$@" >"$tmp/out" 2>"$tmp/err"
  status=$?
  if [ "$status" -eq "$want" ] && grep -q -- "$text" "$tmp/err"; then
    ok "$desc: exit $status, names $text"
  else
    not_ok "$desc: exit $status (want $want), message naming $text"
  fi
}
run "unknown shape" 2 "--shape 'deit-x'" --shape deit-x
run "shape and model" 2 "--shape and --model" --shape deit-s -m "$model"
run "predict a shape" 2 "--predict" --predict 5 --shape deit-t
run "gemm size 10" 2 "--gemm-size" --gemm-size 10
run "negative predict" 2 "--predict" --predict -1
run "predict, missing data" 1 "$tmp/none" --predict 5 -m "$model" -d "$tmp/none"

echo "1..$n"
[ "$failed" -eq 0 ]
