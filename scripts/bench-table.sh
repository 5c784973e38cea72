#!/usr/bin/env bash
# bench-table.sh reads `go test -bench` output of the bench package (BenchmarkPlan, BenchmarkApply,
# BenchmarkRestore, in any order and from several runs) on stdin and prints Markdown tables: one row per case
# with its wall time in milliseconds and the custom metrics the benchmark reports; for BenchmarkApply, the
# ratio of the hashicorp/aws composition's times to this provider's, measured side by side; for
# BenchmarkRestore, the restore beside rclone. The S3 calls by operation, which the benchmarks log, follow.
set -euo pipefail

awk '
function cell(c,   x) {
	if (!(c in v)) return " – |"
	x = v[c]
	if (c == "x-empty" || c ~ /calls|copies|rtt/) return sprintf(" %.2f |", x)
	return sprintf(" %.0f |", x)
}
function table(title, ncols, cols, heads, rows, n,   i, j) {
	if (n == 0) return
	printf "\n%s\n\n| case | wall ms |", title
	for (i = 1; i <= ncols; i++) printf " %s |", heads[i]
	printf "\n|---|---:|"
	for (i = 1; i <= ncols; i++) printf "---:|"
	printf "\n"
	for (j = 1; j <= n; j++) print rows[j]
}
BEGIN {
	np = split("x-empty calls/pair provider-cpu-ms/op provider-cpu-ms/pair terraform-cpu-ms/op s3-cpu-ms/op startup-ms peak-MiB", pcols, " ")
	split("x empty|S3 calls/pair|provider CPU ms|provider CPU ms/pair|terraform CPU ms|S3 side CPU ms|provider start-up ms|provider peak MiB", pheads, "|")
	na = split("create-ms destroy-ms create-calls/pair destroy-calls/pair create-cpu-ms/pair destroy-cpu-ms/pair create-rtt destroy-rtt create-rtt-est destroy-rtt-est", acols, " ")
	split("create ms|destroy ms|create calls/pair|destroy calls/pair|create provider CPU ms/pair|destroy provider CPU ms/pair|create round trips (trace)|destroy round trips (trace)|create round trips (wall)|destroy round trips (wall)", aheads, "|")
	nr = split("objects/s restore-objects/s calls/object copies/object provider-cpu-s/op list-calls/op", rcols, " ")
	split("objects/s|restore phase objects/s|S3 calls/object|copies/object|provider CPU s|list calls", rheads, "|")
}
/^Benchmark[A-Za-z]+\// && $4 == "ns/op" {
	bench = $1
	sub(/\/.*$/, "", bench)
	name = $1
	sub(/^Benchmark[A-Za-z]+\//, "", name)
	sub(/-[0-9]+$/, "", name)
	delete v
	for (i = 5; i < NF; i += 2) v[$(i + 1)] = $i
	row = sprintf("| %s | %.0f |", name, $3 / 1e6)
	if (bench == "BenchmarkPlan") {
		for (i = 1; i <= np; i++) row = row cell(pcols[i])
		prow[++npr] = row
	} else if (bench == "BenchmarkApply") {
		for (i = 1; i <= na; i++) row = row cell(acols[i])
		arow[++nar] = row
		key = name
		impl = name
		sub(/\/impl=.*$/, "", key)
		sub(/^.*\/impl=/, "", impl)
		create[key, impl] = v["create-ms"]
		destroy[key, impl] = v["destroy-ms"]
		if (!(key in seen)) { seen[key] = 1; keys[++nkeys] = key }
	} else if (bench == "BenchmarkRestore") {
		for (i = 1; i <= nr; i++) row = row cell(rcols[i])
		rrow[++nrr] = row
	}
}
/S3 calls per pair per refresh by operation:/ {
	line = $0
	sub(/^.*by operation: /, "", line)
	ops[line] = 1
}
END {
	table("Plan (BenchmarkPlan)", np, pcols, pheads, prow, npr)
	table("Create and destroy (BenchmarkApply)", na, acols, aheads, arow, nar)
	ratios = 0
	for (k = 1; k <= nkeys; k++) {
		key = keys[k]
		if (create[key, "aws"] == "" || create[key, "protectedmedia"] == "" || create[key, "protectedmedia"] == 0) continue
		if (!ratios++) printf "\nhashicorp/aws composition ÷ protectedmedia_bucket_pair, same run:\n\n| case | create | destroy |\n|---|---:|---:|\n"
		printf "| %s | %.1fx | %.1fx |\n", key, create[key, "aws"] / create[key, "protectedmedia"], destroy[key, "aws"] / destroy[key, "protectedmedia"]
	}
	table("Restore (BenchmarkRestore; apply = protectedmedia_media_restore, rclone = rclone copy --s3-version-at)", nr, rcols, rheads, rrow, nrr)
	for (o in ops) printf "\nS3 calls per pair per refresh, by operation: %s\n", o
}
'
