#!/usr/bin/env bash
# Fuzzes every prompt4j fuzz target for real (Jazzer, JAZZER_FUZZ=1), one after the other, each for the maxDuration
# its @FuzzTest annotation gives (1-2 minutes; about 25 minutes in all). Findings are written next to the target's
# committed regression inputs (src/test/resources/.../<Class>Inputs/<method>/crash-*) and fail that run; the growing
# corpus stays in <module>/.cifuzz-corpus/ (ignored by git). Logs: target/fuzz-logs/ (or $FUZZ_LOGS).
# Usage: scripts/fuzz-all.sh [Class#method ...]   (default: all targets)
# Set FUZZ_LOCK=/path/to/lockfile to run each target under `flock -s` on that file (a machine shared by several builds).
set -u
cd "$(dirname "$0")/.."
logs=${FUZZ_LOGS:-target/fuzz-logs}
mkdir -p "$logs"
targets=(
  prompt-core:TemplateFuzzTest#parseAndEncode
  prompt-core:VerbalizerFuzzTest#buildAndResolve
  prompt-search:SavedJsonFuzzTest#autoPrompt
  prompt-search:SavedJsonFuzzTest#softPrompt
  prompt-search:SavedJsonFuzzTest#searchState
  prompt-search:SavedJsonFuzzTest#labelWords
  prompt-search:SavedJsonFuzzTest#promptSelection
  prompt-search:DatasetsFuzzTest#sst2
  prompt-search:DatasetsFuzzTest#lamaFacts
  prompt-search:DatasetsFuzzTest#lamaRelations
  prompt-onnx:ManifestJsonFuzzTest#read
  prompt-onnx:SafeTensorsFuzzTest#openAndRead
  prompt-onnx:TensorFlowBundleFuzzTest#openAndRead
  prompt-onnx:TokenizerJsonFuzzTest#parseAndEncode
  prompt-onnx:HuggingFaceConfigFuzzTest#readConfig
  benchmarks:DatasetReaderFuzzTest#read
)
if [ $# -gt 0 ]; then
  wanted=("$@")
  selected=()
  for t in "${targets[@]}"; do
    for w in "${wanted[@]}"; do [ "${t#*:}" = "$w" ] && selected+=("$t"); done
  done
  targets=("${selected[@]}")
fi
status=0
for t in "${targets[@]}"; do
  module=${t%%:*}; test=${t#*:}
  log="$logs/${test//#/-}.log"
  start=$(date +%s)
  lock=()
  [ -n "${FUZZ_LOCK:-}" ] && lock=(flock -s "$FUZZ_LOCK")
  JAZZER_FUZZ=1 "${lock[@]}" mvn -B -ntp -o -pl "$module" -am test -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false \
      >"$log" 2>&1
  rc=$?
  runs=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | tail -1)
  echo "$test: rc=$rc, ${runs:-no libFuzzer summary}, $(( $(date +%s) - start )) s wall"
  [ $rc -eq 0 ] || status=1
done
exit $status
