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
    ],
    targets: [
        .target(name: "Diagnostics"),
        .target(name: "Columnar"),
        .target(name: "Language", dependencies: ["Diagnostics"]),
        .target(name: "IO", dependencies: ["Columnar", "Diagnostics"]),
        .target(name: "Engine", dependencies: ["Columnar", "Language", "Diagnostics", "IO"]),
        .target(name: "Segmentation", dependencies: ["Engine", "Columnar", "Language", "Diagnostics", "IO"]),
        .systemLibrary(
            name: "CLibEdit",
            pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"])]
        ),
        .target(name: "Shell", dependencies: [
            "CLibEdit", "Engine", "Segmentation", "IO", "Columnar", "Diagnostics", "Language",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "segsh", dependencies: ["Shell"]),
        .testTarget(name: "ColumnarTests", dependencies: ["Columnar"]),
        .testTarget(name: "LanguageTests", dependencies: ["Language", "Diagnostics"]),
        .testTarget(name: "IOTests", dependencies: ["IO", "Columnar"], exclude: ["ArrowFixtures"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "Segmentation", "IO", "Columnar"]),
        // What the test targets that run the built binary share: the runner and the pty session.
        .target(name: "SegshTestSupport", path: "Tests/SegshTestSupport"),
        .testTarget(name: "ShellTests", dependencies: ["Shell", "Engine", "SegshTestSupport"]),
        .testTarget(name: "GoldenTests", dependencies: ["Shell", "Engine"], resources: [.copy("cases")]),
        .testTarget(name: "RobustnessTests", dependencies: ["Shell", "Engine", "Segmentation", "IO", "Columnar", "Language", "Diagnostics", "SegshTestSupport"],
                    exclude: ["corpus"]),
    ],
    swiftLanguageModes: [.v5]
)
