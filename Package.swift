// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "fabnet",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "fabnet", targets: ["fabnet"]),
        // A dev tool for callgrind (see its main.swift), not shipped.
        .executable(name: "followerpath-probe", targets: ["FollowerPathProbe"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", from: "2.4.1"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev", "pkg-config"])]
        ),
        .target(name: "FabnetModel"),
        .target(name: "CConcurrencyHooks"),
        .target(
            name: "FabnetConfig",
            dependencies: ["FabnetModel", .product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "FabnetCrypto",
            dependencies: [
                "COpenSSL", "FabnetConfig", "FabnetModel", "FabnetWire", "FabricWire", "FabricPolicy",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
            ]
        ),
        .target(
            name: "FabnetWire",
            dependencies: [
                "FabnetModel",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: ["Protos"]
        ),
        .target(
            name: "FabricWire",
            dependencies: [
                "FabnetModel",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
            ],
            exclude: ["Protos"]
        ),
        .target(
            name: "FabricServices",
            dependencies: [
                "FabricWire", "FabnetCrypto", "FabnetModel",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "FabricGateway",
            dependencies: [
                "FabricWire", "FabricPolicy",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "ChaincodeRuntime",
            dependencies: [
                "FabricWire",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .target(
            name: "FabricPolicy",
            dependencies: ["FabricWire", .product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),
        .target(
            name: "FabnetClient",
            dependencies: [
                "FabnetConfig", "FabnetCrypto", "FabnetModel", "FabnetWire", "Transport", "FabricWire", "FabricPolicy",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .target(
            name: "Ledger",
            dependencies: ["FabnetModel", "FabricWire", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(
            name: "TxValidation",
            dependencies: ["Ledger", "FabricWire", "FabricPolicy", "FabnetWire", .product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),
        .target(
            name: "Transport",
            dependencies: [
                "FabnetModel", "FabnetWire", "FabnetCrypto",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "OrdererNode",
            dependencies: [
                "FabricServices", "FabricPolicy",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                "FabnetModel", "FabnetWire", "FabricWire", "FabnetCrypto", "FabnetConfig", "FabnetClient", "Ledger", "Transport", "OperationsEndpoint",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "FuzzTargets",
            dependencies: [
                "FabnetClient", "FabnetConfig", "FabnetWire", "FabricPolicy", "FabricWire", "Ledger", "PeerNode", "TxValidation",
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .target(
            name: "PeerNode",
            dependencies: [
                "FabricServices", "FabricPolicy", "TxValidation", "FabricGateway", "ChaincodeRuntime",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                "FabnetModel", "FabnetWire", "FabricWire", "FabnetCrypto", "FabnetConfig", "FabnetClient", "Ledger", "Transport", "OperationsEndpoint",
                "GossipCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .target(
            name: "Orchestrator",
            dependencies: ["FabnetConfig", "FabnetCrypto", "FabnetModel", "FabnetWire", "FabnetClient", "Ledger", "OperationsEndpoint", "OrdererNode", "PeerNode", "Transport",
                           .product(name: "Yams", package: "Yams"), .product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),
        .target(
            name: "FabnetBench",
            dependencies: ["Orchestrator", "OperationsEndpoint", "FabnetConfig", "FabnetCrypto", "FabnetModel", "FabnetWire", "FabricWire", "FabnetClient", "Transport",
                           .product(name: "GRPCCore", package: "grpc-swift-2"),
                           .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport")]
        ),
        .target(name: "FabnetTestKit", dependencies: ["Orchestrator", "FabnetConfig", "FabnetWire", "FabnetClient", "OrdererNode", "PeerNode"]),
        .target(name: "GossipCore", dependencies: ["FabnetModel", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Simulator", dependencies: ["GossipCore", "FabnetModel"]),
        .target(
            name: "OperationsEndpoint",
            dependencies: [
                "CConcurrencyHooks",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .executableTarget(name: "FollowerPathProbe", dependencies: ["PeerNode"]),
        .executableTarget(
            name: "fabnet",
            dependencies: [
                "FabnetConfig", "FabnetCrypto", "FabnetModel", "FabnetWire", "FabricWire", "FabricServices", "FabricPolicy", "FabricGateway", "OrdererNode", "Transport",
                "OperationsEndpoint", "FabnetClient", "Ledger", "GossipCore", "Simulator", "PeerNode", "Orchestrator", "FabnetBench", "ChaincodeRuntime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            // A position-dependent release executable: every node is a process of this binary, and
            // as a PIE each one applied 154,000 relocations at start (3.7 MB of relocation
            // records), writing private copies of the data pages they touch. Without them
            // `fabnet --version` takes 11.3 ms of CPU instead of 13.9, and a 100-peer network
            // holds 125–180 MiB less private memory (docs/benchmarks.md). Debug builds stay PIE.
            linkerSettings: [.unsafeFlags(["-Xlinker", "-no-pie"], .when(platforms: [.linux], configuration: .release))]
        ),
        .testTarget(
            name: "FabnetConfigTests",
            dependencies: ["FabnetConfig", "FabnetModel"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "FabnetWireTests",
            dependencies: [
                "FabnetWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "FabricWireTests",
            dependencies: [
                "FabricWire",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "FabricServicesTests",
            dependencies: [
                "FabricServices", "FabricWire", "FabnetCrypto", "FabnetConfig", "Orchestrator",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "FabricGatewayTests",
            dependencies: [
                "FabricGateway", "FabricServices", "FabricWire", "FabricPolicy", "Orchestrator",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "ChaincodeRuntimeTests",
            dependencies: [
                "ChaincodeRuntime", "FabricWire", "Orchestrator",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "FabricPolicyTests",
            dependencies: ["FabricPolicy", "FabricWire", .product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),
        .testTarget(
            name: "FabnetClientTests",
            dependencies: [
                "FabnetClient", "FabricPolicy", "FabricWire", "FabnetConfig", "FabnetCrypto",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .testTarget(
            name: "LedgerTests",
            dependencies: ["Ledger", "FabricWire"]
        ),
        .testTarget(
            name: "TxValidationTests",
            dependencies: ["TxValidation", "Ledger", "FabricWire", "FabricPolicy", "FabnetWire", "FabnetClient",
                           .product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),
        .testTarget(
            name: "TransportTests",
            dependencies: [
                "Transport", "FabnetClient", "FabnetCrypto", "FabnetConfig", "FabnetWire", "FabnetModel", "FabnetTestKit",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(
            name: "OrdererNodeTests",
            dependencies: ["OrdererNode", "FabnetClient", "FabnetWire", "FabricWire", "FabnetCrypto", "FabnetConfig", "Ledger", "Transport", "FabnetModel", "FabnetTestKit", "OperationsEndpoint"]
        ),
        .testTarget(
            name: "GossipCoreTests",
            dependencies: ["GossipCore", "Simulator", "FabnetModel"]
        ),
        .testTarget(
            name: "FabnetCLITests",
            dependencies: [
                "fabnet", "OrdererNode", "FabnetClient", "FabnetCrypto", "FabnetConfig", "FabnetWire", "FabricWire", "Transport", "FabnetTestKit", "OperationsEndpoint",
                "FabnetBench", "Orchestrator", "PeerNode", "GossipCore", "FabnetModel", "Ledger",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .testTarget(
            name: "PeerNodeTests",
            dependencies: [
                "PeerNode", "FabnetModel", "OperationsEndpoint", "FabnetConfig", "FabnetCrypto", "FabnetClient", "Ledger", "Transport",
                "GossipCore", "FabnetWire", "FabricWire", "TxValidation",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "OperationsEndpointTests",
            dependencies: [
                "OperationsEndpoint",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "FuzzTargetsTests",
            dependencies: ["FuzzTargets", "FabnetClient", "FabnetConfig", "FabricWire"]
        ),
        .testTarget(
            name: "OrchestratorTests",
            dependencies: ["Orchestrator", "Ledger", "FabnetConfig", "FabnetCrypto", "FabnetModel", "FabnetWire"]
        ),
        .testTarget(
            name: "FabnetCryptoTests",
            dependencies: [
                "FabnetCrypto", "FabnetConfig", "COpenSSL", "FabnetWire", "FabnetModel",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
    ]
)

// `make fuzz` only: libFuzzer's driver over FuzzTargets, built with -sanitize=fuzzer,address in
// its own build folder. Left out of every other build (it needs libFuzzer to link).
if Context.environment["FABNET_FUZZ"] != nil {
    package.targets.append(.target(name: "CFuzzerDriver"))
    package.targets.append(.executableTarget(name: "FabnetFuzz", dependencies: ["FuzzTargets", "CFuzzerDriver"]))
    package.products.append(.executable(name: "fabnet-fuzz", targets: ["FabnetFuzz"]))
}
