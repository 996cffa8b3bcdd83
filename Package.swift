// swift-tools-version: 6.0
import PackageDescription

/// One set of settings for every Swift target (the language mode is the
/// tools version's: Swift 6). Release builds skip the run-time exclusivity
/// checks, which cost a few percent on the request paths; debug builds and
/// the tests keep them.
let swiftSettings: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")
let logging = Target.Dependency.product(name: "Logging", package: "swift-log")
let histogram = Target.Dependency.product(name: "Histogram", package: "hdrhistogram-swift")
let prometheus = Target.Dependency.product(name: "Prometheus", package: "swift-prometheus")

// Each target declares exactly the modules its files import (checked by
// scripts/check-imports.sh, part of scripts/test.sh).
let package = Package(
    name: "blob-cluster",
    products: [
        .executable(name: "blob-server", targets: ["BlobServer"]),
        .executable(name: "blob-balancer", targets: ["Balancer"]),
        .executable(name: "blob-cluster", targets: ["Supervisor"]),
        .executable(name: "blob-load", targets: ["BlobLoad"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // C libraries, and the macros Swift cannot import.
        .systemLibrary(name: "CLibevent", pkgConfig: "libevent", providers: [.apt(["libevent-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "CShims"),

        // The pure HTTP/1.1 codec: bytes in, events out; heads written out.
        .target(name: "HTTP1", swiftSettings: swiftSettings),

        // One event loop per process: events, timers, signals, sockets,
        // channels, connects, health probes, background work, the lifeline.
        .target(name: "EventCore", dependencies: ["CLibevent", logging], swiftSettings: swiftSettings),

        // The HTTP server on the loop: connections, handlers, responses.
        .target(name: "HTTPServerKit", dependencies: ["CLibevent", "EventCore", "HTTP1"], swiftSettings: swiftSettings),

        // What every program's command line shares: typed sizes and
        // durations, --log-level, exit codes, console and log set-up.
        .target(name: "CommandLineSupport", dependencies: [argumentParser, logging], swiftSettings: swiftSettings),

        // Prometheus figures of every program: request metrics as an HTTP
        // server observer, `/metrics` in the text format.
        .target(name: "ClusterMetrics", dependencies: ["EventCore", "HTTP1", "HTTPServerKit", prometheus], swiftSettings: swiftSettings),

        // The access log: nginx's combined format, batched writes, reopened on SIGUSR1.
        .target(name: "AccessLog", dependencies: ["EventCore", "HTTP1", "HTTPServerKit", logging], swiftSettings: swiftSettings),

        // The control lines between the supervisor and the balancer.
        .target(name: "ClusterControl", dependencies: ["EventCore"], swiftSettings: swiftSettings),

        // The Blobs API's wire formats, pure (no I/O; fuzzed): names, routes,
        // queries, ranges, flags JSON, stream manifests, idempotency keys.
        .target(name: "BlobProtocol", dependencies: ["HTTP1"], swiftSettings: swiftSettings),

        // The blob worker: store, handlers, gzip; `blob-server`.
        .target(
            name: "BlobKit", dependencies: ["BlobProtocol", "CShims", "CZlib", "EventCore", "HTTP1", "HTTPServerKit", logging],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "BlobServer",
            dependencies: ["AccessLog", "BlobKit", "BlobProtocol", "ClusterMetrics", "CommandLineSupport", "EventCore", "HTTPServerKit", argumentParser, logging, prometheus],
            swiftSettings: swiftSettings),

        // The round-robin reverse proxy; `blob-balancer`.
        .target(
            name: "BalancerKit", dependencies: ["ClusterControl", "ClusterMetrics", "EventCore", "HTTP1", logging, prometheus],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "Balancer",
            dependencies: ["BalancerKit", "ClusterMetrics", "CommandLineSupport", "EventCore", "HTTPServerKit", argumentParser, logging],
            swiftSettings: swiftSettings),

        // The supervisor: a pure state machine, and its process shell `blob-cluster`.
        .target(name: "SupervisorKit", swiftSettings: swiftSettings),
        .executableTarget(
            name: "Supervisor",
            dependencies: ["CShims", "ClusterControl", "ClusterMetrics", "CommandLineSupport", "EventCore", "HTTPServerKit", "SupervisorKit",
                           argumentParser, logging, prometheus],
            swiftSettings: swiftSettings),

        // The load generator of the sweep; `blob-load`.
        .target(name: "LoadKit", dependencies: ["EventCore", "HTTP1", histogram], swiftSettings: swiftSettings),
        .executableTarget(
            name: "BlobLoad",
            dependencies: ["CommandLineSupport", "EventCore", "LoadKit", argumentParser],
            swiftSettings: swiftSettings),

        // Test support: start the real binaries on loopback, stop them by pid.
        .target(name: "ClusterTesting", dependencies: ["HTTP1"], swiftSettings: swiftSettings),

        .testTarget(name: "HTTP1Tests", dependencies: ["HTTP1"], swiftSettings: swiftSettings),
        .testTarget(name: "EventCoreTests", dependencies: ["EventCore"], swiftSettings: swiftSettings),
        .testTarget(name: "HTTPServerKitTests", dependencies: ["HTTPServerKit"], swiftSettings: swiftSettings),
        .testTarget(name: "AccessLogTests", dependencies: ["AccessLog", "EventCore", "HTTP1", "HTTPServerKit", logging], swiftSettings: swiftSettings),
        .testTarget(name: "CommandLineSupportTests", dependencies: ["CommandLineSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "BlobProtocolTests", dependencies: ["BlobProtocol"], swiftSettings: swiftSettings),
        .testTarget(name: "BlobKitTests", dependencies: ["BlobKit", "BlobProtocol"], swiftSettings: swiftSettings),
        .testTarget(name: "BalancerKitTests", dependencies: ["BalancerKit", "ClusterControl", "EventCore", "HTTP1", logging], swiftSettings: swiftSettings),
        .testTarget(name: "SupervisorKitTests", dependencies: ["SupervisorKit"], swiftSettings: swiftSettings),
        .testTarget(name: "LoadKitTests", dependencies: ["LoadKit"], swiftSettings: swiftSettings),
        .testTarget(name: "IntegrationTests", dependencies: ["ClusterTesting"], swiftSettings: swiftSettings),
    ]
)
