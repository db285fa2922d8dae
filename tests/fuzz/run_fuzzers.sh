#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) into BUILD/fuzz and
# runs each for SECONDS on a seed corpus made from the repository's own
# files (fixtures' configs and weights, the demo tokenizers, sessions the
# CLI writes). Fails on the first crash, leak, or sanitizer report; the
# reproducer is kept in BUILD/fuzz/artifacts.
#   run_fuzzers.sh SOURCE BUILD APP [SECONDS]
set -euo pipefail
src=$1 build=$2 app=$3 seconds=${ATTNSCOPE_FUZZ_SECONDS:-${4:-30}}
fuzz=$build/fuzz
command -v clang++ >/dev/null || { echo "clang++ is needed to build the fuzzers: run scripts/setup.sh" >&2; exit 1; }
CC=clang CXX=clang++ cmake -S "$src" -B "$fuzz" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DATTNSCOPE_FUZZ=ON >/dev/null
cmake --build "$fuzz" -j "$(nproc)" >/dev/null

corpus=$fuzz/corpus
rm -rf "$corpus" && mkdir -p "$corpus"/{config,safetensors,tokenizer,session_reader} "$fuzz/artifacts"
n=0
for f in "$src"/tests/fixtures/*/config.json "$src"/resources/models/*/config.json; do cp "$f" "$corpus/config/$((n++)).json"; done
for f in "$src"/tests/fixtures/{gpt2-tiny,mamba2-tiny-bf16,hybrid-tiny-mlp}/model.safetensors; do cp "$f" "$corpus/safetensors/$((n++))"; done
for f in "$src"/resources/models/*/tokenizer.json "$src"/tests/fixtures/llamba-tiny/tokenizer.json; do { printf '\0'; cat "$f"; } > "$corpus/tokenizer/$((n++))"; done
printf '\1The quick brown fox' > "$corpus/tokenizer/prompt"
# Sessions: small ones the CLI writes (a map of 8 tokens, an ablation, a Mamba-1 layer).
"$app" run "$src/resources/models/transformer" --prompt "Alice saw B." --ablate 0.0 --out "$corpus/session_reader/a.h5" >/dev/null
"$app" run "$src/tests/fixtures/mamba-tiny" --input-ids 5,17,3,9 --out "$corpus/session_reader/b.h5" >/dev/null

# Sessions are vetted by the helper process of the main build; a hang in HDF5 costs 2 s there.
export ATTNSCOPE_SESSION_CHECK=$(dirname "$app")/attnscope-session-check ATTNSCOPE_SESSION_CHECK_MS=2000
status=0
for target in safetensors tokenizer config session_reader; do
  echo "fuzz_$target: ${seconds} s"
  # ASan's leak check stays on; HDF5's own allocations are freed at library close (never here): ignore them.
  if ! ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
       "$fuzz/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -rss_limit_mb=4096 -max_len=262144 \
       -artifact_prefix="$fuzz/artifacts/$target-" -print_final_stats=1 "$corpus/$target" 2>"$fuzz/$target.log"; then
    echo "fuzz_$target found a failure (see $fuzz/$target.log, reproducer in $fuzz/artifacts):" >&2
    grep -E "ERROR|SUMMARY|runtime error" "$fuzz/$target.log" | head -5 >&2
    status=1
  else
    grep -E "stat::number_of_executed_units" "$fuzz/$target.log" | sed "s/^/  /"
  fi
done
exit $status
