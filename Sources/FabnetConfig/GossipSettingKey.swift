import FabnetModel
/// A value of one gossip setting, as read from core.yaml or the environment.
public enum GossipSettingValue: Sendable, Hashable, CustomStringConvertible {
    case duration(Duration)
    case int(Int)
    case bool(Bool)
    case string(String)
    case strings([String])

    public var description: String {
        switch self {
        case .duration(let value): return GoDuration.format(value)
        case .int(let value): return String(value)
        case .bool(let value): return String(value)
        case .string(let value): return value
        case .strings(let value): return value.joined(separator: " ")
        }
    }
}

/// One `peer.gossip.*` key: its name under `peer.gossip`, its type, and how to read and write it
/// in `GossipSettings`. The table `GossipSettings.keys` lists them all in core.yaml's order.
public struct GossipSettingKey: Sendable {
    public enum Kind: String, Sendable { case duration, int, bool, string, strings }

    /// The key under `peer.gossip`, e.g. `election.leaderAliveThreshold`.
    public let name: String
    public let kind: Kind
    /// Smallest accepted value for ints (durations must be > 0).
    public let minimum: Int
    /// The accepted values of a string key that names a choice (empty: any string).
    public var choices: [String] = []
    let get: @Sendable (GossipSettings) -> GossipSettingValue
    let set: @Sendable (inout GossipSettings, GossipSettingValue) -> Void

    /// `peer.gossip.election.leaderAliveThreshold`
    public var fullName: String { "peer.gossip.\(name)" }

    /// Fabric's variable: `CORE_PEER_GOSSIP_ELECTION_LEADERALIVETHRESHOLD`.
    public var environmentVariable: String {
        "CORE_PEER_GOSSIP_" + name.uppercased().replacingDots()
    }

    public func value(in settings: GossipSettings) -> GossipSettingValue { get(settings) }

    public func apply(_ value: GossipSettingValue, to settings: inout GossipSettings) { set(&settings, value) }

    static func duration(_ name: String, _ path: WritableKeyPath<GossipSettings, Duration> & Sendable) -> GossipSettingKey {
        GossipSettingKey(name: name, kind: .duration, minimum: 0, get: { .duration($0[keyPath: path]) }, set: {
            if case .duration(let value) = $1 { $0[keyPath: path] = value }
        })
    }

    static func int(_ name: String, _ path: WritableKeyPath<GossipSettings, Int> & Sendable, minimum: Int = 1) -> GossipSettingKey {
        GossipSettingKey(name: name, kind: .int, minimum: minimum, get: { .int($0[keyPath: path]) }, set: {
            if case .int(let value) = $1 { $0[keyPath: path] = value }
        })
    }

    static func bool(_ name: String, _ path: WritableKeyPath<GossipSettings, Bool> & Sendable) -> GossipSettingKey {
        GossipSettingKey(name: name, kind: .bool, minimum: 0, get: { .bool($0[keyPath: path]) }, set: {
            if case .bool(let value) = $1 { $0[keyPath: path] = value }
        })
    }

    static func string(_ name: String, _ path: WritableKeyPath<GossipSettings, String> & Sendable) -> GossipSettingKey {
        GossipSettingKey(name: name, kind: .string, minimum: 0, get: { .string($0[keyPath: path]) }, set: {
            if case .string(let value) = $1 { $0[keyPath: path] = value }
        })
    }

    /// A string key whose value is one of `Choice`'s raw values.
    static func choice<Choice: RawRepresentable & CaseIterable & Sendable>(_ name: String, _ path: WritableKeyPath<GossipSettings, Choice> & Sendable) -> GossipSettingKey
    where Choice.RawValue == String {
        var key = GossipSettingKey(name: name, kind: .string, minimum: 0, get: { .string($0[keyPath: path].rawValue) }, set: {
            if case .string(let value) = $1, let choice = Choice(rawValue: value) { $0[keyPath: path] = choice }
        })
        key.choices = Choice.allCases.map(\.rawValue)
        return key
    }

    static func strings(_ name: String, _ path: WritableKeyPath<GossipSettings, [String]> & Sendable) -> GossipSettingKey {
        GossipSettingKey(name: name, kind: .strings, minimum: 0, get: { .strings($0[keyPath: path]) }, set: {
            if case .strings(let value) = $1 { $0[keyPath: path] = value }
        })
    }
}

extension String {
    fileprivate func replacingDots() -> String { String(map { $0 == "." ? "_" : $0 }) }
}

extension GossipSettings {
    /// Every `peer.gossip.*` key, in core.yaml's order.
    public static let keys: [GossipSettingKey] = [
        .strings("bootstrap", \.bootstrap),
        .choice("membership", \.membership),
        .bool("useLeaderElection", \.useLeaderElection),
        .bool("orgLeader", \.orgLeader),
        .duration("membershipTrackerInterval", \.membershipTrackerInterval),
        .string("endpoint", \.endpoint),
        .int("maxBlockCountToStore", \.maxBlockCountToStore),
        .duration("maxPropagationBurstLatency", \.maxPropagationBurstLatency),
        .int("maxPropagationBurstSize", \.maxPropagationBurstSize),
        .int("propagateIterations", \.propagateIterations, minimum: 0),
        .int("propagatePeerNum", \.propagatePeerNum, minimum: 0),
        .bool("propagateTree", \.propagateTree),
        .duration("pullInterval", \.pullInterval),
        .int("pullPeerNum", \.pullPeerNum),
        .duration("requestStateInfoInterval", \.requestStateInfoInterval),
        .duration("publishStateInfoInterval", \.publishStateInfoInterval),
        .string("stateInfoRetentionInterval", \.stateInfoRetentionInterval),
        .duration("publishCertPeriod", \.publishCertPeriod),
        .bool("skipBlockVerification", \.skipBlockVerification),
        .duration("dialTimeout", \.dialTimeout),
        .duration("connTimeout", \.connTimeout),
        .int("recvBuffSize", \.recvBuffSize),
        .int("sendBuffSize", \.sendBuffSize),
        .duration("digestWaitTime", \.digestWaitTime),
        .duration("requestWaitTime", \.requestWaitTime),
        .duration("responseWaitTime", \.responseWaitTime),
        .duration("aliveTimeInterval", \.aliveTimeInterval),
        .duration("aliveExpirationTimeout", \.aliveExpirationTimeout),
        .duration("reconnectInterval", \.reconnectInterval),
        .int("maxConnectionAttempts", \.maxConnectionAttempts),
        .int("msgExpirationFactor", \.msgExpirationFactor),
        .string("externalEndpoint", \.externalEndpoint),
        .duration("election.startupGracePeriod", \.election.startupGracePeriod),
        .duration("election.membershipSampleInterval", \.election.membershipSampleInterval),
        .duration("election.leaderAliveThreshold", \.election.leaderAliveThreshold),
        .duration("election.leaderElectionDuration", \.election.leaderElectionDuration),
        .duration("pvtData.pullRetryThreshold", \.pvtData.pullRetryThreshold),
        .int("pvtData.transientstoreMaxBlockRetention", \.pvtData.transientstoreMaxBlockRetention),
        .duration("pvtData.pushAckTimeout", \.pvtData.pushAckTimeout),
        .int("pvtData.btlPullMargin", \.pvtData.btlPullMargin, minimum: 0),
        .int("pvtData.reconcileBatchSize", \.pvtData.reconcileBatchSize),
        .duration("pvtData.reconcileSleepInterval", \.pvtData.reconcileSleepInterval),
        .bool("pvtData.reconciliationEnabled", \.pvtData.reconciliationEnabled),
        .bool("pvtData.skipPullingInvalidTransactionsDuringCommit", \.pvtData.skipPullingInvalidTransactionsDuringCommit),
        .int("pvtData.implicitCollectionDisseminationPolicy.requiredPeerCount",
             \.pvtData.implicitCollectionDisseminationPolicyRequiredPeerCount, minimum: 0),
        .int("pvtData.implicitCollectionDisseminationPolicy.maxPeerCount",
             \.pvtData.implicitCollectionDisseminationPolicyMaxPeerCount, minimum: 0),
        .bool("state.enabled", \.state.enabled),
        .duration("state.checkInterval", \.state.checkInterval),
        .duration("state.responseTimeout", \.state.responseTimeout),
        .int("state.batchSize", \.state.batchSize),
        .int("state.blockBufferSize", \.state.blockBufferSize),
        .int("state.maxRetries", \.state.maxRetries, minimum: 0),
    ]
}
