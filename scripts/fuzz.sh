#!/usr/bin/env bash
# Fuzzes the parsers with libFuzzer, one target after the other:
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     default 60 s each, targets http1 blob
#
#   http1  Fuzz/ParserFuzz.swift with Sources/HTTP1: RequestParser and
#          ResponseParser, whole and split.
#   blob   Fuzz/BlobProtocolFuzz.swift with Sources/HTTP1 and
#          Sources/BlobProtocol: names, routes, queries, ranges, flags JSON,
#          stream manifests, idempotency keys.
#
# Each target is built into .build-fuzz/TARGET-fuzz (ignored by git) with
# -sanitize=fuzzer,address, seeded in .build-fuzz/TARGET-corpus with valid
# and invalid inputs, run for SECONDS, and its executions are printed. Exits
# non-zero if a fuzzer found a crash or a broken invariant; the input that
# did it is left in .build-fuzz/ (crash-*), and `.build-fuzz/TARGET-fuzz FILE`
# replays it.
set -euo pipefail

seconds="${1:-60}"
case "$seconds" in
    ''|*[!0-9]*) echo "usage: $0 [SECONDS] [http1|blob ...]" >&2; exit 2 ;;
esac
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(http1 blob)

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
build=".build-fuzz"
mkdir -p "$build"

# The linker warns about every ASan symbol it cannot export; those lines are noise.
compile() {  # SANITIZERS BINARY SOURCES...
    local sanitizers="$1" binary="$2"
    shift 2
    swiftc -O -sanitize="$sanitizers" -parse-as-library "$@" -o "$binary" 2> >(grep -v "Cannot export local symbol" >&2)
}

# Seeds: a few inputs of each kind, valid and invalid. printf keeps \r\n exact.
seed() { printf '%b' "$2" > "$corpus/seed-$1"; }

seed_http1() {
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
}

seed_blob() {
    seed name         'blob-id_01'
    seed path-blob    '/blobs/alice/f81d4fae7dec11d0a76500a0c91e6bf6'
    seed path-list    '/blobs/alice/'
    seed path-escape  '/blobs/%2e%2e/%2Fetc%2fpasswd'
    seed path-stream  '/stream/alice'
    seed query        'namespace=n1&order_by=-date&deleted=0&only_count=1&filter_flag=PENDING&x=%zz&a+b=c%20d'
    seed range        'bytes=0-1023'
    seed range-suffix 'bytes=-500'
    seed range-open   'BYTES = 9223372036854775807-'
    seed range-multi  'bytes=0-1,5-9'
    seed flags        '["PENDING", "PROCESSING"]'
    seed flags-esc    '["\\u00e9\\ud83d\\ude00\\n\\"", "FAILED"]'
    seed flags-deep   '[[[[[[[[[[[[]]]]]]]]]]]]'
    seed manifest     '[["id1", 10], ["id2", 0], ["a-b_c", 1048576]]'
    seed manifest-bad '[["../x", 1], ["id", -1], ["id", 99999999999999999999]]'
    seed key          '"8e03978e-40d5-43e8-bc93-6894a57f9324"'
}

run_target() {  # TARGET
    local target="$1" binary="$build/$1-fuzz" log="$build/$1-fuzz.log"
    corpus="$build/$1-corpus"
    mkdir -p "$corpus"
    local sources
    case "$target" in
        http1) sources=(Sources/HTTP1/*.swift Fuzz/ParserFuzz.swift); seed_http1 ;;
        blob) sources=(Sources/HTTP1/*.swift Sources/BlobProtocol/*.swift Fuzz/BlobProtocolFuzz.swift); seed_blob ;;
        *) echo "fuzz.sh: unknown target '$target' (http1, blob)" >&2; return 2 ;;
    esac
    echo "Building $binary (-sanitize=fuzzer,address)"
    if ! compile fuzzer,address "$binary" "${sources[@]}"; then
        echo "fuzzer,address failed to build; retrying with -sanitize=fuzzer alone" >&2
        compile fuzzer "$binary" "${sources[@]}"
    fi

    echo "Fuzzing $target for ${seconds}s (corpus $corpus, log $log)"
    local status=0
    # Swift's own backtracer would run inside ASan's report; libFuzzer reports instead.
    SWIFT_BACKTRACE=enable=no "$binary" "$corpus" -max_total_time="$seconds" -max_len=4096 -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$build/$target-" > "$log" 2>&1 || status=$?

    local executions
    executions="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)"
    if [[ -z "$executions" ]]; then
        executions="$(grep -o '^Done [0-9]* runs' "$log" | grep -o '[0-9]*' || true)"
    fi
    echo "$target executions: ${executions:-unknown}"
    echo "$target corpus: $(ls "$corpus" | wc -l) inputs"

    if [[ $status -ne 0 ]] || grep -q -E '^==[0-9]+==ERROR|deadly signal|Fatal error' "$log"; then
        echo "$target FAILED (libFuzzer exit $status); last lines of $log:" >&2
        grep -E 'Fatal error|ERROR|SUMMARY|artifact|Test unit written' "$log" | tail -20 >&2 || tail -30 "$log" >&2
        return 1
    fi
    echo "$target: no crashes"
}

failed=0
for target in "${targets[@]}"; do
    run_target "$target" || failed=1
done
exit $failed
