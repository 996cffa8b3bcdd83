#!/usr/bin/env bash
# Fails when a target imports a module it does not declare in Package.swift,
# or declares one none of its files imports: the manifest must tell the truth
# about what depends on what. Modules of the toolchain (Glibc, Foundation,
# Dispatch, XCTest, ...) need no declaration and are ignored.
set -euo pipefail
cd "$(dirname "$0")/.."
manifest=$(mktemp)
trap 'rm -f "$manifest"' EXIT
swift package dump-package > "$manifest"
python3 - "$manifest" <<'PY'
import json, os, re, sys

toolchain = {"Glibc", "Foundation", "FoundationEssentials", "FoundationNetworking", "Dispatch",
             "XCTest", "Testing", "Synchronization", "Darwin", "_Concurrency", "Observation"}
package = json.load(open(sys.argv[1]))
imports_re = re.compile(r'^\s*(?:@testable\s+|@_implementationOnly\s+)?import\s+(?:struct\s+|class\s+|enum\s+|func\s+)?([A-Za-z_][A-Za-z0-9_]*)', re.M)
problems = []
for target in package["targets"]:
    if target["type"] == "system":
        continue
    name = target["name"]
    folder = target.get("path") or os.path.join("Tests" if target["type"] == "test" else "Sources", name)
    declared = set()
    for dependency in target.get("dependencies", []):
        kind, value = next(iter(dependency.items()))
        declared.add(value[0])  # byName, target or product: the module name comes first
    imported = set()
    for root, _, files in os.walk(folder):
        for file in files:
            if file.endswith(".swift"):
                imported |= set(imports_re.findall(open(os.path.join(root, file)).read()))
            elif file.endswith((".c", ".h")):
                pass  # C targets import no Swift modules
    imported -= toolchain
    imported.discard(name)
    if not any(f.endswith(".swift") for _, _, fs in os.walk(folder) for f in fs):
        imported = set()  # a C target: its dependencies are headers
    for module in sorted(imported - declared):
        problems.append(f"{name} imports {module} but does not declare it")
    for module in sorted(declared - imported):
        problems.append(f"{name} declares {module} but none of its files imports it")
for problem in problems:
    print(f"check-imports: {problem}", file=sys.stderr)
if problems:
    sys.exit(1)
print(f"check-imports: {len(package['targets'])} targets declare exactly what they import")
PY
