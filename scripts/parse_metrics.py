#!/usr/bin/python3
"""Parses Prometheus text-format scrapes with the official client library's
parser (prometheus_client, Debian's python3-prometheus-client) and prints
one JSON object per file: {"families": {name: type}, "samples": [[name,
labels, value], ...]}. Exits 1 with the parser's error if a file does not
parse: the integration tests hold every /metrics to it."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families


def parse(text):
    families, samples = {}, []
    for family in text_string_to_metric_families(text):
        families[family.name] = family.type
        for sample in family.samples:
            samples.append([sample.name, sample.labels, sample.value])
    return {"families": families, "samples": samples}


def main():
    for path in sys.argv[1:]:
        with open(path, encoding="utf-8") as scrape:
            text = scrape.read()
        try:
            print(json.dumps(parse(text)))
        except Exception as error:  # the parser raises ValueError and others
            print(f"{path}: does not parse: {error}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
