#!/bin/sh
# test-peer-torch.sh: bench/peer-torch.py computes the network vitx computes (TAP output)
#
# The PyTorch peer of bench/compare is only worth timing if it runs the same
# network: its top-1 predictions on Fashion-MNIST test images must agree with
# `vitx bench --predict` (ideal, >= 99.9%, accuracy within 0.1 point; and on
# crossbars without noise, >= 99.5%), for the plain model and for the
# token-pruned one (docs/PRUNING.md). Needs Debian's python3-torch and
# dataset-fashion-mnist (tools/install-deps installs both): without them it fails.
#
#   test-peer-torch.sh VITX SRCROOT
set -u
vitx=$1
root=$2
limit=500

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vitx-peer-XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM

n=0
failed=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () {
  n=$((n + 1))
  failed=$((failed + 1))
  echo "not ok $n - $1"
  sed 's/^/#   /' "$tmp/out" "$tmp/err" | head -n 20
}

for model in vit-fmnist-std vit-fmnist-sparse; do
  if "$root/bench/compare" --check-only --vitx "$vitx" --limit $limit \
       --model "$root/data/models/$model.safetensors" >"$tmp/out" 2>"$tmp/err" \
     && grep -q "check ideal: $limit images, top-1 agreement" "$tmp/out"; then
    ok "$model: $(grep '^check ideal' "$tmp/out" | cut -d, -f2-3)"
  else
    not_ok "$model: peer and vitx agree on $limit test images"
  fi
done

# a bad model is named, and no timing starts
if "$root/bench/compare" --check-only --vitx "$vitx" --model "$tmp/none.safetensors" \
     >"$tmp/out" 2>"$tmp/err"; then
  not_ok "missing model: exit status 0"
elif grep -q "none.safetensors: no such file" "$tmp/err"; then
  ok "missing model: named in the error"
else
  not_ok "missing model: the message names the file"
fi

echo "1..$n"
[ "$failed" -eq 0 ]
