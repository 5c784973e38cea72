#!/usr/bin/env bash
# bench-table.sh reads `go test -bench BenchmarkPlan` output on stdin and prints it as a Markdown table:
# one row per case, wall time in milliseconds, and the custom metrics the benchmark reports. The S3 calls
# by operation, which the benchmark logs, follow the table.
set -euo pipefail

awk '
BEGIN {
	ncols = split("x-empty calls/pair provider-cpu-ms/op terraform-cpu-ms/op s3-cpu-ms/op startup-ms peak-MiB", cols, " ")
	split("x empty|S3 calls/pair|provider CPU ms|terraform CPU ms|S3 side CPU ms|provider start-up ms|provider peak MiB", heads, "|")
	printf "| case | plan wall ms |"
	for (i = 1; i <= ncols; i++) printf " %s |", heads[i]
	printf "\n|---|---:|"
	for (i = 1; i <= ncols; i++) printf "---:|"
	printf "\n"
}
/^Benchmark[A-Za-z]+\// && $4 == "ns/op" {
	name = $1
	sub(/^Benchmark[A-Za-z]+\//, "", name)
	sub(/-[0-9]+$/, "", name)
	delete v
	for (i = 5; i < NF; i += 2) v[$(i + 1)] = $i
	printf "| %s | %.0f |", name, $3 / 1e6
	for (i = 1; i <= ncols; i++) {
		c = cols[i]
		if (c in v) printf " %s |", (c == "x-empty" ? sprintf("%.2f", v[c]) : sprintf("%.0f", v[c]))
		else printf " – |"
	}
	printf "\n"
}
/S3 calls per pair per refresh by operation:/ {
	line = $0
	sub(/^.*by operation: /, "", line)
	ops[line] = 1
}
END {
	for (o in ops) printf "\nS3 calls per pair per refresh, by operation: %s\n", o
}
'
