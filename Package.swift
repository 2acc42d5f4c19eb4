// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "fabnet",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "fabnet", targets: ["fabnet"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev", "pkg-config"])]
        ),
        .target(name: "FabnetModel"),
        .target(
            name: "FabnetConfig",
            dependencies: ["FabnetModel", .product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "FabnetCrypto",
            dependencies: [
                "COpenSSL", "FabnetConfig", "FabnetModel", "FabnetWire",
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
            name: "Ledger",
            dependencies: ["FabnetModel", "FabnetWire"]
        ),
        .target(
            name: "Transport",
            dependencies: [
                "FabnetModel", "FabnetWire", "FabnetCrypto",
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
                "FabnetModel", "FabnetWire", "FabnetCrypto", "FabnetConfig", "Ledger", "Transport", "OperationsEndpoint",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "PeerNode",
            dependencies: [
                "FabnetModel", "FabnetWire", "FabnetCrypto", "FabnetConfig", "Ledger", "Transport", "OperationsEndpoint",
                "GossipCore", "OrdererNode",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(
            name: "Orchestrator",
            dependencies: ["FabnetConfig", "FabnetCrypto", "FabnetModel", "FabnetWire", "OperationsEndpoint", "OrdererNode", "PeerNode", "Transport"]
        ),
        .target(name: "FabnetTestKit", dependencies: ["Orchestrator", "FabnetConfig", "FabnetWire", "OrdererNode", "PeerNode"]),
        .target(name: "GossipCore", dependencies: ["FabnetModel", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Simulator", dependencies: ["GossipCore", "FabnetModel"]),
        .target(
            name: "OperationsEndpoint",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "fabnet",
            dependencies: [
                "FabnetConfig", "FabnetCrypto", "FabnetModel", "FabnetWire", "OrdererNode", "Transport", "OperationsEndpoint",
                "FabnetTestKit", "Ledger", "GossipCore", "Simulator", "PeerNode", "Orchestrator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
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
            name: "LedgerTests",
            dependencies: ["Ledger", "FabnetWire"]
        ),
        .testTarget(
            name: "TransportTests",
            dependencies: [
                "Transport", "FabnetCrypto", "FabnetConfig", "FabnetWire", "FabnetModel", "FabnetTestKit",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(
            name: "OrdererNodeTests",
            dependencies: ["OrdererNode", "FabnetWire", "FabnetCrypto", "FabnetConfig", "Ledger", "Transport", "FabnetModel", "FabnetTestKit"]
        ),
        .testTarget(
            name: "GossipCoreTests",
            dependencies: ["GossipCore", "Simulator", "FabnetModel"]
        ),
        .testTarget(
            name: "FabnetCLITests",
            dependencies: ["fabnet", "OrdererNode", "FabnetCrypto", "FabnetConfig", "FabnetWire", "Transport", "FabnetTestKit", "OperationsEndpoint"]
        ),
        .testTarget(
            name: "PeerNodeTests",
            dependencies: ["PeerNode", "FabnetModel", "OperationsEndpoint"]
        ),
        .testTarget(
            name: "OperationsEndpointTests",
            dependencies: [
                "OperationsEndpoint",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "OrchestratorTests",
            dependencies: ["Orchestrator"]
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
