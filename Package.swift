// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "segsh",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "segsh", targets: ["segsh"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        // The Spark Connect client (target SparkConnect) only.
        .package(url: "https://github.com/grpc/grpc-swift-2", exact: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", exact: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", exact: "2.4.1"),
        .package(url: "https://github.com/apple/swift-protobuf", exact: "1.39.0"),
    ],
    targets: [
        .target(name: "Diagnostics"),
        .target(name: "Columnar"),
        .target(name: "Language", dependencies: ["Diagnostics"]),
        .target(name: "IO", dependencies: [
            "Columnar", "Diagnostics",
            .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        ]),
        .target(name: "Engine", dependencies: ["Columnar", "Language", "Diagnostics", "IO"]),
        // Spark Connect: its own target, so only it pays for gRPC. The Swift code in Generated/
        // comes from Proto/ through scripts/generate-spark-connect; builds need no protoc.
        .target(name: "SparkConnect", dependencies: [
            "Engine", "Columnar", "IO",
            .product(name: "GRPCCore", package: "grpc-swift-2"),
            .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
            .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
            .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        ], exclude: ["Proto"]),
        .target(name: "Segmentation", dependencies: ["Engine", "Columnar", "Language", "Diagnostics", "IO"]),
        .systemLibrary(
            name: "CLibEdit",
            pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"])]
        ),
        // PostgreSQL's client library, for the PostgresClient target.
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .target(name: "PostgresClient", dependencies: ["CLibPQ", "Engine", "IO", "Columnar"]),
        // scripts/bench-pg-load's timer for PostgresDatabase.query (a benchmark, not shipped).
        .executableTarget(name: "PostgresLoadBench", dependencies: ["PostgresClient", "Columnar"],
                          path: "Benchmarks/PostgresLoadBench"),
        .target(name: "Shell", dependencies: [
            "CLibEdit", "Engine", "Segmentation", "IO", "Columnar", "Diagnostics", "Language", "PostgresClient", "SparkConnect",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "segsh", dependencies: ["Shell"]),
        .testTarget(name: "ColumnarTests", dependencies: ["Columnar"]),
        .testTarget(name: "LanguageTests", dependencies: ["Language", "Diagnostics"]),
        .testTarget(name: "IOTests", dependencies: ["IO", "Columnar", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
                    exclude: ["Fixtures", "ArrowFixtures"]),
        .testTarget(name: "SparkConnectTests", dependencies: ["SparkConnect", "Engine", "Columnar", "IO"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "IO", "Columnar", "Language"]),
        // rfm, classify, pareto, clv, what-if, sweep, compare, and every `.help` example (they use them).
        .testTarget(name: "SegmentationTests", dependencies: ["Segmentation", "Engine", "IO", "Columnar", "Diagnostics", "Language"]),
        // What the test targets that run the built binary share: the runner and the pty session.
        .target(name: "SegshTestSupport", path: "Tests/SegshTestSupport"),
        .testTarget(name: "ShellTests", dependencies: ["Shell", "Engine", "Columnar", "PostgresClient", "SegshTestSupport"]),
        .testTarget(name: "PostgresClientTests", dependencies: ["PostgresClient", "Engine", "Columnar"]),
        .testTarget(name: "GoldenTests", dependencies: ["Shell", "Engine"], resources: [.copy("cases")]),
        .testTarget(name: "RobustnessTests", dependencies: ["Shell", "Engine", "Segmentation", "IO", "Columnar", "Language", "Diagnostics", "SegshTestSupport"],
                    exclude: ["corpus"]),
    ],
    swiftLanguageModes: [.v5]
)
