#!/usr/bin/env bash
# End-to-end benchmark: builds the release binary, generates synthetic
# partnerships and runs `csp-report build` on each and on the shipped
# Preston example, recording wall time, CPU time and peak memory (GNU time's
# maximum resident set size). Then compares our read stage with calamine's
# own read of the same files (examples/calamine_read.rs): in-process, and in
# reader child processes as `csp-report build` reads ("in children").
#
# Two kinds of synthetic partnership:
# - SHAPES, a county's shape (issue 14): ACTIONSxAGENCIESxGROUPS, 6% of
#   agencies missing, two quarters (so one of history); by default
#   2,000 × 400 × 20 and 5,000 × 1,000 × 20;
# - SIZES, the earlier series: that many returns against $ACTIONS actions
#   over $QUARTERS quarters, one group per 50 actions; by default 400.
#
#   scripts/bench-e2e.sh [WORKDIR]      # default target/bench-e2e
#   RUNS=5 SIZES="100 400" SHAPES="" scripts/bench-e2e.sh
#
# Results: a Markdown table on stdout and in WORKDIR/results.md.
# Needs GNU time at /usr/bin/time (Debian: apt-get install time) and pdfinfo
# (poppler-utils).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=${1:-$ROOT/target/bench-e2e}
RUNS=${RUNS:-3}
SIZES=${SIZES-"400"}
SHAPES=${SHAPES-"2000x400x20 5000x1000x20"}
ACTIONS=${ACTIONS:-2000}
QUARTERS=${QUARTERS:-4}

if [ ! -x /usr/bin/time ]; then
  echo "bench-e2e: GNU time is needed at /usr/bin/time (apt-get install time)" >&2
  exit 2
fi
# Counts the board report's pages; without it the script stopped silently.
if ! command -v pdfinfo >/dev/null; then
  echo "bench-e2e: pdfinfo is needed (apt-get install poppler-utils)" >&2
  exit 2
fi

cargo build --release --quiet --bin csp-report --example synth --example calamine_read
BIN=$ROOT/target/release/csp-report
SYNTH=$ROOT/target/release/examples/synth
CALAMINE=$ROOT/target/release/examples/calamine_read
mkdir -p "$WORK"
RESULTS=$WORK/results.md

# measure LABEL DIR ARGS... : runs `csp-report ARGS` in DIR $RUNS times;
# prints "median_wall_seconds median_cpu_seconds max_rss_mib" (CPU: user +
# system, which a busy shared machine inflates less than wall time; RSS: the
# largest over the runs).
measure() {
  local dir=$1; shift
  local times=() cpus=() rss=0
  for _ in $(seq "$RUNS"); do
    local log
    log=$(mktemp)
    # Exit 1 means problems found in the data (the synthetic returns carry
    # deliberate mistakes): still a complete build.
    (cd "$dir" && /usr/bin/time -v "$BIN" --quiet "$@" >/dev/null 2>"$log") || {
      local rc=$?
      if ! grep -q 'Exit status: 1$' "$log"; then
        echo "bench-e2e: csp-report $* failed in $dir (exit $rc):" >&2
        cat "$log" >&2
        exit 2
      fi
    }
    local wall kb
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log")
    kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
    cpus+=("$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$log")")
    rm -f "$log"
    # h:mm:ss or m:ss.ss → seconds
    times+=("$(echo "$wall" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')")
    [ "$kb" -gt "$rss" ] && rss=$kb
  done
  local median cpu
  median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  cpu=$(printf '%s\n' "${cpus[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "$median $cpu $((rss / 1024))"
}

{
  echo "| Partnership | Returns | Actions | History quarters | Output files | Wall time (median of $RUNS) | CPU user+sys | Peak RSS |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
} > "$RESULTS"
CALAMINE_LINES=()

# The shipped example, built into a scratch output folder (never output/).
PRESTON_OUT=$WORK/preston-output
rm -rf "$PRESTON_OUT"
read -r t c m < <(measure "$ROOT" build --out "$PRESTON_OUT")
files=$(find "$PRESTON_OUT" -type f | wc -l)
echo "| Preston example | $(find "$ROOT/input/returns" -type f | wc -l) ($(find "$ROOT/input/returns" -mindepth 1 -maxdepth 1 -type d | wc -l) quarters) | 27 | 0 | $files | ${t} s | ${c} s | ${m} MiB |" >> "$RESULTS"

# bench_synthetic LABEL ACTIONS HISTORY DIR SYNTH_ARGS...: generates the
# partnership into DIR once (synth SYNTH_ARGS), builds it $RUNS times and
# adds its row, with the board report's page count, and its read stage
# against calamine.
bench_synthetic() {
  local label=$1 actions=$2 history=$3 dir=$4
  shift 4
  if [ ! -f "$dir/.complete" ]; then
    echo "bench-e2e: generating $label into $dir" >&2
    "$SYNTH" "$@" --force "$dir" 2>/dev/null
    touch "$dir/.complete"
  fi
  local slug returns files pages t c m
  slug=$(sed -n 's/^returns = "returns\/\(.*\)"$/\1/p' "$dir/csp-report.toml")
  returns=$(find "$dir/returns/$slug" -type f | wc -l)
  rm -rf "$dir/output/$slug"
  echo "bench-e2e: building $label ($RUNS runs)" >&2
  read -r t c m < <(measure "$dir" build)
  files=$(find "$dir/output/$slug" -type f | wc -l)
  pages=$(pdfinfo "$dir/output/$slug/board-report.pdf" 2>/dev/null | awk '/^Pages:/ {print $2}')
  echo "| $label (board report ${pages:-?} pages) | $returns | $actions | $history | $files | ${t} s | ${c} s | ${m} MiB |" >> "$RESULTS"
  CALAMINE_LINES+=("$label, returns=$returns: $("$CALAMINE" --runs "$RUNS" --child "$BIN" --plan "$dir/plan.toml" "$dir/returns/$slug" | tr '\n' ';' | tr -s ' ')")
}

for shape in $SHAPES; do
  IFS=x read -r actions agencies groups <<< "$shape"
  bench_synthetic "county shape $shape, $groups groups" "$actions" 1 "$WORK/county-$shape" \
    --actions "$actions" --agencies "$agencies" --groups "$groups" --missing-percent 6 --quarters 2
done

for n in $SIZES; do
  bench_synthetic "synthetic, $n agencies" "$ACTIONS" "$((QUARTERS - 1))" "$WORK/synth-$n" \
    --actions "$ACTIONS" --agencies "$n" --quarters "$QUARTERS"
done

{
  echo
  echo "Read stage against calamine alone (same files, all cores):"
  echo
  for line in "${CALAMINE_LINES[@]}"; do echo "- $line"; done
  echo
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1); load average $(cut -d' ' -f1-3 /proc/loadavg) at the end."
} >> "$RESULTS"
cat "$RESULTS"
