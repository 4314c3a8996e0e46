#!/usr/bin/env bash
# Runs an afl-fuzz campaign on one target: fuzz/run.sh TARGET --minutes N
# Builds fuzz/Threshold.Fuzz, instruments the Threshold assemblies with SharpFuzz, fuzzes from
# fuzz/corpus/TARGET into fuzz/findings/TARGET, and prints executions, crashes, hangs and coverage.
# Needs afl++ (Debian: apt-get install -y afl++). As root in a container afl also needs the two
# AFL_* settings exported below.
set -euo pipefail

usage() { echo "usage: fuzz/run.sh TARGET --minutes N" >&2; exit 2; }
[[ $# -ge 1 ]] || usage
target=$1; shift
minutes=10
while [[ $# -gt 0 ]]; do
  case $1 in
    --minutes) minutes=${2:?}; shift 2 ;;
    *) usage ;;
  esac
done

root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/fuzz/out
tools=$root/fuzz/.tools
corpus=$root/fuzz/corpus/$target
findings=$root/fuzz/findings/$target
[[ -d $corpus ]] || { echo "no corpus directory $corpus (see: dotnet $out/Threshold.Fuzz.dll list)" >&2; exit 2; }
command -v afl-fuzz >/dev/null || { echo "afl-fuzz not found: apt-get install -y afl++" >&2; exit 2; }

# Build once; instrument once (SharpFuzz rewrites the assemblies in place, so a marker records it).
if [[ ! -f $out/.instrumented ]]; then
  dotnet build "$root/fuzz/Threshold.Fuzz/Threshold.Fuzz.csproj" -c Release -o "$out" >/dev/null
  [[ -x $tools/sharpfuzz ]] || dotnet tool install --tool-path "$tools" SharpFuzz.CommandLine --version 2.3.0 >/dev/null
  for dll in "$out"/Threshold.*.dll; do
    case $(basename "$dll") in
      Threshold.Fuzz.dll|Threshold.Testing.dll) ;;  # the harness and fixtures are not under test
      *) "$tools/sharpfuzz" "$dll" >/dev/null ;;
    esac
  done
  touch "$out/.instrumented"
fi

export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
# dotnet itself is not instrumented: SharpFuzz reports coverage from the managed code.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1
rm -rf "$findings"
mkdir -p "$findings"
afl-fuzz -i "$corpus" -o "$findings" -t 5000 -m none -V $((minutes * 60)) -- dotnet "$out/Threshold.Fuzz.dll" "$target" >"$findings/afl.log" 2>&1 || {
  echo "afl-fuzz failed; last lines of $findings/afl.log:" >&2; tail -20 "$findings/afl.log" >&2; exit 1; }

stats=$findings/default/fuzzer_stats
value() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
echo "target $target: executions $(value execs_done), crashes $(value saved_crashes), hangs $(value saved_hangs), coverage $(value bitmap_cvg), corpus $(value corpus_count), run $(( $(value last_update) - $(value start_time) )) s"
