#!/usr/bin/env bash
# Fuzzes the HTTP/1.1 codec (RequestParser and ResponseParser) with libFuzzer.
#
#   scripts/fuzz.sh [SECONDS]     default 60
#
# Builds Fuzz/ParserFuzz.swift with Sources/HTTP1/*.swift into
# .build-fuzz/http1-fuzz (ignored by git) with -sanitize=fuzzer,address,
# seeds .build-fuzz/corpus with valid and invalid messages, runs for SECONDS
# and prints the number of executions. Exits non-zero if the fuzzer found a
# crash or a broken invariant; the input that did it is left in .build-fuzz/
# (crash-*), and `.build-fuzz/http1-fuzz FILE` replays it.
set -euo pipefail

seconds="${1:-60}"
case "$seconds" in
    ''|*[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;;
esac

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
build=".build-fuzz"
corpus="$build/corpus"
binary="$build/http1-fuzz"
log="$build/fuzz.log"
mkdir -p "$build" "$corpus"

# The linker warns about every ASan symbol it cannot export; those lines are noise.
compile() {
    swiftc -O -sanitize="$1" -parse-as-library Sources/HTTP1/*.swift Fuzz/ParserFuzz.swift -o "$binary" \
        2> >(grep -v "Cannot export local symbol" >&2)
}
echo "Building $binary (-sanitize=fuzzer,address)"
if ! compile fuzzer,address; then
    echo "fuzzer,address failed to build; retrying with -sanitize=fuzzer alone" >&2
    compile fuzzer
fi

# Seeds: a few messages of each kind, valid and invalid. printf keeps \r\n exact.
seed() { printf '%b' "$2" > "$corpus/seed-$1"; }
seed get          'GET / HTTP/1.1\r\nHost: h\r\n\r\n'
seed get10        'GET /a?b=c HTTP/1.0\r\nConnection: keep-alive\r\n\r\n'
seed post-length  'POST /blobs/u/1 HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello'
seed post-chunked 'POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5;x="y"\r\nhello\r\n0\r\nT: v\r\n\r\n'
seed continue     'PUT /x HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok'
seed pipelined    '\r\nGET /1 HTTP/1.1\r\nHost: h\r\n\r\nHEAD /2 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n'
seed cl-te        'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'
seed cl-cl        'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 5\r\n\r\nhello'
seed te-bad       'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n'
seed fold         'GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n'
seed bare-lf      'GET / HTTP/1.1\nHost: h\n\n'
seed version      'GET / HTTP/2.0\r\nHost: h\r\n\r\n'
seed chunk-big    'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n'
seed resp-length  'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello'
seed resp-chunked 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n'
seed resp-close   'HTTP/1.0 200 OK\r\nServer: s\r\n\r\nuntil close'
seed resp-100     'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\n\r\n'
seed resp-bad     'HTTP/1.1 2000 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n'

echo "Fuzzing for ${seconds}s (corpus $corpus, log $log)"
status=0
# Swift's own backtracer would run inside ASan's report; libFuzzer reports instead.
SWIFT_BACKTRACE=enable=no "$binary" "$corpus" -max_total_time="$seconds" -max_len=4096 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$build/" > "$log" 2>&1 || status=$?

executions="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)"
if [[ -z "$executions" ]]; then
    executions="$(grep -o '^Done [0-9]* runs' "$log" | grep -o '[0-9]*' || true)"
fi
echo "executions: ${executions:-unknown}"
echo "corpus: $(ls "$corpus" | wc -l) inputs"

if [[ $status -ne 0 ]] || grep -q -E '^==[0-9]+==ERROR|deadly signal|Fatal error' "$log"; then
    echo "FAILED (libFuzzer exit $status); last lines of $log:" >&2
    grep -E 'Fatal error|ERROR|SUMMARY|artifact|Test unit written' "$log" | tail -20 >&2 || tail -30 "$log" >&2
    exit 1
fi
echo "no crashes"
