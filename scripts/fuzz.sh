#!/usr/bin/env bash
# npm run fuzz: the libFuzzer harnesses of tests/fuzz (clang-14, ASan + UBSan; built into
# build/sanitize), each run for FUZZ_SECONDS, one after another on one core (FUZZ_LANES=2:
# two at a time). The corpora grow in build/fuzz-corpus/<harness> from run to run; findings
# land in build/fuzz-findings.
#   FUZZ_SECONDS=600 npm run fuzz              every harness for 10 minutes
#   FUZZ_ONLY="tfjs model_file" npm run fuzz   only these harnesses
#   FUZZ_LANES=2 FUZZ_SECONDS=600 npm run fuzz  two harnesses at a time (two cores)
#   bash scripts/fuzz.sh --smoke               what npm test runs: the regressions of
#                                              tests/fuzz/regressions replayed, then 10 s each
#                                              from the seeds alone
# A finding: a crash or sanitizer report, a run over 10 s (-timeout) or one allocation over
# 512 MB (-malloc_limit_mb: no small file may make a reader allocate that). docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-run}"
if [ "$mode" = --smoke ]; then seconds="${FUZZ_SECONDS:-10}"; else seconds="${FUZZ_SECONDS:-60}"; fi
harnesses=(${FUZZ_ONLY:-idx_images idx_labels model_file tfjs model_description base64 digit_image picture})
build=build/sanitize

bash scripts/build-sanitize.sh fuzzers
seeds="$build/fuzz-seeds"
rm -rf "$seeds"
mnist=()
[ -f data/mnist/t10k-images-idx3-ubyte ] && mnist=(data/mnist)
"$build/tests/fuzz/make_seeds" "$seeds" "${mnist[@]}"

findings=build/fuzz-findings
mkdir -p "$findings"
dict_of() {
  case "$1" in
    idx_*) echo tests/fuzz/dicts/idx.dict ;;
    model_file|tfjs|model_description) echo tests/fuzz/dicts/json.dict ;;
    picture) echo tests/fuzz/dicts/picture.dict ;;
    base64) echo tests/fuzz/dicts/base64.dict ;;
    *) echo "" ;;
  esac
}

# One harness: its regressions, then its run; prints "<name> <inputs>" last, exits non-zero
# on a finding.
fuzz_one() {
  local name="$1"
  local fuzzer="$build/tests/fuzz/fuzz_$name"
  # Known crash inputs first: each must now pass.
  local regressions=(tests/fuzz/regressions/"$name"/*)
  if [ -e "${regressions[0]}" ]; then
    echo "fuzz: $name: replaying ${#regressions[@]} regression inputs"
    "$fuzzer" -timeout=10 -malloc_limit_mb=512 -rss_limit_mb=2048 "${regressions[@]}" > "$findings/$name-regressions.log" 2>&1 ||
      { cat "$findings/$name-regressions.log"; echo "fuzz: $name: a regression input fails again"; return 1; }
  fi
  local corpus
  if [ "$mode" = --smoke ]; then
    corpus="$(mktemp -d)"
  else
    corpus="build/fuzz-corpus/$name"
    mkdir -p "$corpus"
  fi
  local dict
  dict="$(dict_of "$name")"
  local log="$findings/$name.log"
  echo "fuzz: $name for ${seconds}s"
  local status=0
  "$fuzzer" "$corpus" "$seeds/$name" ${dict:+-dict="$dict"} -max_total_time="$seconds" -timeout=10 \
    -malloc_limit_mb=512 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="$findings/$name-" > "$log" 2>&1 || status=$?
  [ "$mode" = --smoke ] && rm -rf "$corpus"
  if [ "$status" -ne 0 ]; then
    tail -40 "$log"
    echo "fuzz: $name found a problem (exit $status); the input is in $findings/ (keep it in tests/fuzz/regressions/$name/ once fixed)"
    return 1
  fi
  local runs
  runs="$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)"
  echo "$name $runs" > "$findings/$name.inputs"
}

# FUZZ_LANES=2 runs the harnesses in two lanes at once (one per core on a quiet machine);
# each lane takes every other harness, one after another.
lanes="${FUZZ_LANES:-1}"
rm -f "$findings"/*.inputs
pids=()
for ((lane = 0; lane < lanes; lane++)); do
  (
    for ((i = lane; i < ${#harnesses[@]}; i += lanes)); do fuzz_one "${harnesses[$i]}" || exit 1; done
  ) &
  pids+=($!)
done
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
[ "$failed" -eq 0 ] || exit 1
total=0
summary=""
for name in "${harnesses[@]}"; do
  read -r _ runs < "$findings/$name.inputs"
  total=$((total + runs))
  summary+="$(printf '%-20s %12s inputs' "$name" "$runs")"$'\n'
done
printf '%s' "$summary"
echo "fuzz: $total inputs, no findings"
