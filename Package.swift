// swift-tools-version: 6.0
import PackageDescription

/// One set of settings for every Swift target: Swift 6 language mode, release
/// builds optimised across the module.
let swiftSettings: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

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
    ],
    targets: [
        // C libraries and the macros Swift cannot import.
        .systemLibrary(name: "CLibevent", pkgConfig: "libevent", providers: [.apt(["libevent-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "CShims", linkerSettings: [.linkedLibrary("z")]),

        // The pure HTTP/1.1 codec: bytes in, events out.
        .target(name: "HTTP1", swiftSettings: swiftSettings),

        // One event loop per process, and the HTTP server on it.
        .target(
            name: "EventCore",
            dependencies: [
                "CLibevent", "CZlib", "CShims", "HTTP1",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),

        // The blob worker: store, handlers, command.
        .target(name: "BlobKit", dependencies: ["EventCore", "HTTP1", "CShims"], swiftSettings: swiftSettings),
        .executableTarget(
            name: "BlobServer",
            dependencies: ["BlobKit", "EventCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings),

        // The round-robin reverse proxy.
        .target(name: "BalancerKit", dependencies: ["EventCore", "HTTP1", "CLibevent"], swiftSettings: swiftSettings),
        .executableTarget(
            name: "Balancer",
            dependencies: ["BalancerKit", "EventCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings),

        // The supervisor.
        .target(name: "SupervisorKit", dependencies: ["EventCore", "CShims"], swiftSettings: swiftSettings),
        .executableTarget(
            name: "Supervisor",
            dependencies: ["SupervisorKit", "EventCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings),

        // The load generator of the sweep.
        .target(
            name: "LoadKit",
            dependencies: ["EventCore", "HTTP1", "CLibevent", .product(name: "Histogram", package: "hdrhistogram-swift")],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "BlobLoad",
            dependencies: ["LoadKit", "EventCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings),

        // Test support: start the real binaries on loopback, stop them by pid.
        .target(name: "ClusterTesting", dependencies: ["CShims", "HTTP1"], swiftSettings: swiftSettings),

        .testTarget(name: "HTTP1Tests", dependencies: ["HTTP1"], swiftSettings: swiftSettings),
        .testTarget(name: "EventCoreTests", dependencies: ["EventCore", "CLibevent"], swiftSettings: swiftSettings),
        .testTarget(name: "BlobKitTests", dependencies: ["BlobKit", "HTTP1"], swiftSettings: swiftSettings),
        .testTarget(name: "BalancerKitTests", dependencies: ["BalancerKit"], swiftSettings: swiftSettings),
        .testTarget(name: "SupervisorKitTests", dependencies: ["SupervisorKit"], swiftSettings: swiftSettings),
        .testTarget(name: "LoadKitTests", dependencies: ["LoadKit"], swiftSettings: swiftSettings),
        .testTarget(name: "IntegrationTests", dependencies: ["ClusterTesting", "HTTP1"], swiftSettings: swiftSettings),
    ]
)
