import FabnetConfig
import FabnetCrypto
import Foundation

/// The `metadata` of an etcdraft `ConsensusType`: `etcdraft.ConfigMetadata{consenters, options}`
/// as configtxgen writes it, encoded by hand (FabricWire has no etcdraft messages; the Python
/// check decodes it with the official ones). Guarantees: one consenter per orderer node of the
/// channel's orderer orgs, in order, with its host, port and its TLS certificate (PEM bytes of
/// `tls/server.crt`) as both client and server certificate, as fabric-samples' configtx.yaml
/// writes them; options are configtxgen's defaults (tick 500ms, election 10, heartbeat 1,
/// 5 in-flight blocks, 16 MB snapshots).
enum EtcdRaftMetadata {
    static let tickInterval = "500ms"
    static let electionTick: UInt64 = 10
    static let heartbeatTick: UInt64 = 1
    static let maxInflightBlocks: UInt64 = 5
    static let snapshotIntervalSize: UInt64 = 16 << 20

    static func make(orderers: [(node: NodeSpec, org: OrganizationSpec)], layout: CryptoLayout, channel: String) throws -> Data {
        var metadata = ProtobufWriter()
        for (node, org) in orderers {
            let file = layout.nodeDirectory(node, in: org).appendingPathComponent("tls")
                .appendingPathComponent(CryptoLayout.tlsFileNames(isUser: false).certificate)
            guard let certificate = try? Data(contentsOf: file) else {
                throw ChannelConfigBuildError(channel: channel, path: "/Channel/Orderer/ConsensusType",
                                              problem: "no TLS certificate for consenter \(node.commonName) at \(file.path)",
                                              hint: "run `fabnet crypto generate` (or cryptogen) first")
            }
            var consenter = ProtobufWriter()
            consenter.string(1, node.commonName)
            consenter.varint(2, UInt64(node.port))
            consenter.bytes(3, certificate)
            consenter.bytes(4, certificate)
            metadata.bytes(1, consenter.data)
        }
        var options = ProtobufWriter()
        options.string(1, tickInterval)
        options.varint(2, electionTick)
        options.varint(3, heartbeatTick)
        options.varint(4, maxInflightBlocks)
        options.varint(5, snapshotIntervalSize)
        metadata.bytes(2, options.data)
        return metadata.data
    }
}

/// Protocol-buffer wire encoding of varint and length-delimited fields, in the order written.
struct ProtobufWriter {
    var data = Data()

    mutating func varint(_ field: Int, _ value: UInt64) {
        guard value != 0 else { return }
        raw(UInt64(field << 3))
        raw(value)
    }

    mutating func bytes(_ field: Int, _ value: Data) {
        guard !value.isEmpty else { return }
        raw(UInt64(field << 3 | 2))
        raw(UInt64(value.count))
        data.append(value)
    }

    mutating func string(_ field: Int, _ value: String) { bytes(field, Data(value.utf8)) }

    mutating func raw(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            data.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        data.append(UInt8(rest))
    }
}
