import FabricWire
import Foundation
import SwiftProtobuf

/// A typed read of a channel's `Common_Config`: its orgs with their MSPs and anchor peers, the
/// ordering service's addresses, consensus type and batch parameters, the capabilities of each
/// level and every policy by path. Guarantees: when `init` returns, every value named here was
/// present where Fabric puts it and decoded as its type; otherwise `init` throws a
/// `ChannelConfigError` naming the missing or undecodable value. Optional in Fabric and here:
/// the Application group (absent: no application orgs), channel-level `OrdererAddresses`,
/// `Capabilities`, an org's `AnchorPeers` and `Endpoints`.
public struct ChannelConfigView: Sendable {
    /// The channel's name; not in `Common_Config`, so given by the caller.
    public let channelID: String
    public let sequence: UInt64
    /// Application (peer) orgs, sorted by group name.
    public let applicationOrgs: [OrganizationConfig]
    /// Orderer orgs, sorted by group name.
    public let ordererOrgs: [OrganizationConfig]
    /// The channel-level `OrdererAddresses` (Fabric 1.x style; empty when absent).
    public let ordererAddresses: [String]
    public let consensusType: String
    public let batchSize: BatchSize
    public let batchTimeout: Duration
    /// `BatchTimeout` as written (`250ms`).
    public let batchTimeoutText: String
    public let capabilities: Capabilities
    /// The `Channel` group's policies and those of every group below it.
    public let policyTree: ConfigPolicyGroup

    /// Orderer endpoints: every orderer org's `Endpoints`, then the channel-level addresses not already listed.
    public var allOrdererEndpoints: [String] {
        var seen = Set<String>()
        return (ordererOrgs.flatMap(\.ordererEndpoints) + ordererAddresses).filter { seen.insert($0).inserted }
    }

    /// Every policy by absolute path (`/Channel/Application/Org1MSP/Endorsement`).
    public var policies: [String: Common_Policy] { policyTree.allPolicies(prefix: "/Channel") }

    /// The application or orderer org whose MSP ID is `mspID`.
    public func organization(mspID: String) -> OrganizationConfig? {
        (applicationOrgs + ordererOrgs).first { $0.mspID == mspID }
    }

    public init(config: Common_Config, channelID: String) throws {
        self.channelID = channelID
        sequence = config.sequence
        guard config.hasChannelGroup else {
            throw ChannelConfigError(path: "/Channel", problem: "the config has no channel group")
        }
        let channel = config.channelGroup
        let root = "/Channel"
        guard let orderer = channel.groups["Orderer"] else {
            throw ChannelConfigError(path: "\(root)/Orderer", problem: "the channel has no Orderer group")
        }
        let ordererPath = "\(root)/Orderer"
        ordererAddresses = try Self.optionalValue(Common_OrdererAddresses.self, "OrdererAddresses", in: channel, path: root)?.addresses ?? []
        consensusType = try Self.value(Orderer_ConsensusType.self, "ConsensusType", in: orderer, path: ordererPath).type
        let size = try Self.value(Orderer_BatchSize.self, "BatchSize", in: orderer, path: ordererPath)
        batchSize = BatchSize(maxMessageCount: size.maxMessageCount, absoluteMaxBytes: size.absoluteMaxBytes,
                              preferredMaxBytes: size.preferredMaxBytes)
        batchTimeoutText = try Self.value(Orderer_BatchTimeout.self, "BatchTimeout", in: orderer, path: ordererPath).timeout
        guard let timeout = GoDurationText.parse(batchTimeoutText) else {
            throw ChannelConfigError(path: "\(ordererPath)/BatchTimeout", problem: "'\(batchTimeoutText)' is not a Go duration such as 250ms or 2s")
        }
        batchTimeout = timeout
        let application = channel.groups["Application"]
        capabilities = Capabilities(
            channel: try Self.capabilities(of: channel, path: root),
            orderer: try Self.capabilities(of: orderer, path: ordererPath),
            application: try application.map { try Self.capabilities(of: $0, path: "\(root)/Application") } ?? [])
        ordererOrgs = try orderer.groups.keys.sorted().map {
            try OrganizationConfig(group: orderer.groups[$0]!, name: $0, path: "\(ordererPath)/\($0)")
        }
        applicationOrgs = try (application?.groups ?? [:]).keys.sorted().map {
            try OrganizationConfig(group: application!.groups[$0]!, name: $0, path: "\(root)/Application/\($0)")
        }
        policyTree = ConfigPolicyGroup(channel)
    }

    static func optionalValue<M: SwiftProtobuf.Message>(_ type: M.Type, _ key: String, in group: Common_ConfigGroup, path: String) throws -> M? {
        guard let value = group.values[key] else { return nil }
        do {
            return try M(serializedBytes: value.value)
        } catch {
            throw ChannelConfigError(path: "\(path)/\(key)", problem: "cannot decode it as \(M.protoMessageName): \(error)")
        }
    }

    static func value<M: SwiftProtobuf.Message>(_ type: M.Type, _ key: String, in group: Common_ConfigGroup, path: String) throws -> M {
        guard let value = try optionalValue(type, key, in: group, path: path) else {
            throw ChannelConfigError(path: "\(path)/\(key)", problem: "missing (a \(M.protoMessageName) value belongs there)")
        }
        return value
    }

    static func capabilities(of group: Common_ConfigGroup, path: String) throws -> [String] {
        try optionalValue(Common_Capabilities.self, "Capabilities", in: group, path: path)?.capabilities.keys.sorted() ?? []
    }

    /// The orderer's `BatchSize`.
    public struct BatchSize: Sendable, Hashable {
        public var maxMessageCount: UInt32
        public var absoluteMaxBytes: UInt32
        public var preferredMaxBytes: UInt32

        public init(maxMessageCount: UInt32, absoluteMaxBytes: UInt32, preferredMaxBytes: UInt32) {
            self.maxMessageCount = maxMessageCount
            self.absoluteMaxBytes = absoluteMaxBytes
            self.preferredMaxBytes = preferredMaxBytes
        }
    }

    /// The enabled capabilities of each level, sorted (`V2_0`).
    public struct Capabilities: Sendable, Hashable {
        public var channel: [String]
        public var orderer: [String]
        public var application: [String]

        public init(channel: [String], orderer: [String], application: [String]) {
            self.channel = channel
            self.orderer = orderer
            self.application = application
        }
    }
}
