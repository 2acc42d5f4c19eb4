import FabnetConfig
import FabnetCrypto
import FabricPolicy
import FabricWire
import Foundation
import SwiftProtobuf

/// A channel's configuration in Fabric's own format (`common.Config`), built from the description
/// and the org MSP folders the way configtxgen's encoder builds it from configtx.yaml.
///
/// Guarantees: the tree is `Channel {HashingAlgorithm SHA256, BlockDataHashingStructure
/// 4294967295, OrdererAddresses, Capabilities; Readers/Writers/Admins; Orderer {ConsensusType,
/// BatchSize, BatchTimeout, ChannelRestrictions, Capabilities; its policies incl. BlockValidation; an org group per
/// orderer org {MSP, Endpoints; policies}}, Application {Capabilities; policies; an org group per
/// member org {MSP, AnchorPeers; policies}}}`, version 0 everywhere, every group, value and
/// policy with mod_policy `Admins` except `OrdererAddresses` (`/Channel/Orderer/Admins`), as
/// configtxgen sets them; values without content (no capabilities, no anchor peers) are left out
/// as configtxgen leaves them out. Every policy's rule parses; otherwise a
/// `ChannelConfigBuildError` names the policy. An etcdraft `ConsensusType` carries its consenters
/// (`EtcdRaftMetadata`). Not written (yet): BFT `Orderers` and options, ACLs. The
/// channel-level `OrdererAddresses` are the channel's orderer orgs' endpoints (configtxgen writes
/// `Orderer.Addresses`; the two agree for descriptions that write both alike).
public enum ChannelConfigBuilder {
    static let admins = "Admins"

    public static func config(of channel: ChannelSpec, in spec: NetworkSpec, layout: CryptoLayout) throws -> Common_Config {
        let ordererOrgs = try organizations(channel.ordererOrgs, of: channel, in: spec, level: "Orderer")
        let memberOrgs = try organizations(channel.memberOrgs, of: channel, in: spec, level: "Application")

        var orderer = group()
        try addPolicies(channel.policies.orderer, to: &orderer, path: "/Channel/Orderer", channel: channel)
        var consensus = Orderer_ConsensusType()
        consensus.type = spec.orderer.type
        consensus.state = .normal
        if spec.orderer.type == "etcdraft" {
            let nodes = ordererOrgs.flatMap { org in org.orderers.map { (node: $0, org: org) } }
            consensus.metadata = try EtcdRaftMetadata.make(orderers: nodes, layout: layout, channel: channel.name)
        }
        try addValue("ConsensusType", consensus, to: &orderer)
        var batchSize = Orderer_BatchSize()
        batchSize.maxMessageCount = UInt32(clamping: channel.batch.maxMessageCount)
        batchSize.absoluteMaxBytes = UInt32(clamping: channel.batch.absoluteMaxBytes)
        batchSize.preferredMaxBytes = UInt32(clamping: channel.batch.preferredMaxBytes)
        try addValue("BatchSize", batchSize, to: &orderer)
        var batchTimeout = Orderer_BatchTimeout()
        batchTimeout.timeout = GoDuration.format(channel.batch.batchTimeout)
        try addValue("BatchTimeout", batchTimeout, to: &orderer)
        // orderer.ChannelRestrictions{max_count: 0}, which configtxgen always writes: zero fields, so no bytes.
        var restrictions = Common_ConfigValue()
        restrictions.modPolicy = admins
        orderer.values["ChannelRestrictions"] = restrictions
        try addCapabilities(channel.capabilities.orderer, to: &orderer)
        for org in ordererOrgs {
            var orgGroup = try organizationGroup(org, layout: layout, level: "Orderer", channel: channel)
            let endpoints = ordererEndpoints(of: org)
            if !endpoints.isEmpty {
                var addresses = Common_OrdererAddresses()
                addresses.addresses = endpoints
                try addValue("Endpoints", addresses, to: &orgGroup)
            }
            orderer.groups[org.name] = orgGroup
        }

        var application = group()
        try addPolicies(channel.policies.application, to: &application, path: "/Channel/Application", channel: channel)
        try addCapabilities(channel.capabilities.application, to: &application)
        for org in memberOrgs {
            var orgGroup = try organizationGroup(org, layout: layout, level: "Application", channel: channel)
            if !org.anchorPeers.isEmpty {
                var anchors = Protos_AnchorPeers()
                anchors.anchorPeers = org.anchorPeers.map { endpoint in
                    var anchor = Protos_AnchorPeer()
                    anchor.host = endpoint.host
                    anchor.port = Int32(endpoint.port)
                    return anchor
                }
                try addValue("AnchorPeers", anchors, to: &orgGroup)
            }
            application.groups[org.name] = orgGroup
        }

        var root = group()
        try addPolicies(channel.policies.channel, to: &root, path: "/Channel", channel: channel)
        var hashing = Common_HashingAlgorithm()
        hashing.name = "SHA256"
        try addValue("HashingAlgorithm", hashing, to: &root)
        var structure = Common_BlockDataHashingStructure()
        structure.width = UInt32.max
        try addValue("BlockDataHashingStructure", structure, to: &root)
        let addresses = ordererOrgs.flatMap(ordererEndpoints(of:))
        if !addresses.isEmpty {
            var value = Common_OrdererAddresses()
            value.addresses = addresses
            try addValue("OrdererAddresses", value, to: &root, modPolicy: "/Channel/Orderer/Admins")
        }
        try addCapabilities(channel.capabilities.channel, to: &root)
        root.groups["Orderer"] = orderer
        root.groups["Application"] = application

        var config = Common_Config()
        config.sequence = 0
        config.channelGroup = root
        return config
    }

    /// An org's orderer endpoints: its `OrdererEndpoints` as written, else its orderers'.
    static func ordererEndpoints(of org: OrganizationSpec) -> [String] {
        let written = org.ordererEndpoints.map(\.description)
        return written.isEmpty ? org.orderers.map(\.endpoint.description) : written
    }

    static func organizations(_ ids: [String], of channel: ChannelSpec, in spec: NetworkSpec, level: String) throws -> [OrganizationSpec] {
        try ids.map { id in
            guard let org = spec.organization(mspID: id) else {
                throw ChannelConfigBuildError(channel: channel.name, path: "/Channel/\(level)/\(id)", problem: "no organization has MSP ID \(id)",
                                              hint: "list only orgs of the description")
            }
            return org
        }
    }

    static func organizationGroup(_ org: OrganizationSpec, layout: CryptoLayout, level: String, channel: ChannelSpec) throws -> Common_ConfigGroup {
        var orgGroup = group()
        let path = "/Channel/\(level)/\(org.name)"
        do {
            try addValue("MSP", try OrganizationMSPConfig.make(for: org, layout: layout), to: &orgGroup)
        } catch let error as ChannelConfigBuildError {
            throw error
        } catch {
            throw ChannelConfigBuildError(channel: channel.name, path: "\(path)/MSP", problem: "cannot read the org's MSP folder: \(error)",
                                          hint: "run `fabnet crypto generate` (or cryptogen) first")
        }
        try addPolicies(org.policies, to: &orgGroup, path: path, channel: channel)
        return orgGroup
    }

    static func group() -> Common_ConfigGroup {
        var group = Common_ConfigGroup()
        group.modPolicy = admins
        return group
    }

    static func addValue(_ key: String, _ message: some SwiftProtobuf.Message, to group: inout Common_ConfigGroup,
                         modPolicy: String = admins) throws {
        var value = Common_ConfigValue()
        value.value = try message.serializedBytes()
        value.modPolicy = modPolicy
        group.values[key] = value
    }

    static func addCapabilities(_ names: [String], to group: inout Common_ConfigGroup) throws {
        guard !names.isEmpty else { return }
        var capabilities = Common_Capabilities()
        for name in names { capabilities.capabilities[name] = Common_Capability() }
        try addValue("Capabilities", capabilities, to: &group)
    }

    static func addPolicies(_ policies: [String: PolicySpec], to group: inout Common_ConfigGroup, path: String, channel: ChannelSpec) throws {
        for (name, spec) in policies {
            var policy = Common_ConfigPolicy()
            do {
                policy.policy = try PolicyDefinition.policy(type: spec.type, rule: spec.rule)
            } catch let error as PolicyRuleError {
                throw ChannelConfigBuildError(channel: channel.name, path: "\(path)/\(name)", problem: error.description,
                                              hint: "fix the rule in the description's Policies")
            }
            policy.modPolicy = admins
            group.policies[name] = policy
        }
    }
}
