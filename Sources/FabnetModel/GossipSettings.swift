/// Every `peer.gossip.*` setting of Fabric's core.yaml, with values.
///
/// `fabric` holds Fabric's defaults (sampleconfig/core.yaml of v2.5/v3, the code defaults where
/// the file is silent); `fabnetDefaults` holds fabnet's dev defaults, which shorten timers so a
/// local cluster converges in about a second and turn on election and state transfer so gossip
/// actually carries blocks. `GossipSettingsLoader` layers core.yaml and `CORE_PEER_GOSSIP_*`
/// variables on top. The table of keys is `GossipSettings.keys`.
public struct GossipSettings: Sendable, Hashable, Codable {
    public var bootstrap: [String]
    /// fabnet extension (`peer.gossip.membership`, absent from Fabric): Fabric's heartbeats or
    /// SWIM probes (see `MembershipAlgorithm`).
    public var membership: MembershipAlgorithm
    public var useLeaderElection: Bool
    public var orgLeader: Bool
    public var membershipTrackerInterval: Duration
    public var endpoint: String
    public var maxBlockCountToStore: Int
    public var maxPropagationBurstLatency: Duration
    public var maxPropagationBurstSize: Int
    public var propagateIterations: Int
    public var propagatePeerNum: Int
    /// fabnet extension (`peer.gossip.propagateTree`, absent from Fabric): push each block along
    /// a tree of fanout `propagatePeerNum` so every org peer gets one copy, and pull a missing
    /// block as soon as a later one shows the gap (see `BlockDissemination`). Off: Fabric's
    /// random push.
    public var propagateTree: Bool
    public var pullInterval: Duration
    public var pullPeerNum: Int
    public var requestStateInfoInterval: Duration
    public var publishStateInfoInterval: Duration
    public var stateInfoRetentionInterval: String
    public var publishCertPeriod: Duration
    public var skipBlockVerification: Bool
    public var dialTimeout: Duration
    public var connTimeout: Duration
    public var recvBuffSize: Int
    public var sendBuffSize: Int
    public var digestWaitTime: Duration
    public var requestWaitTime: Duration
    public var responseWaitTime: Duration
    public var aliveTimeInterval: Duration
    public var aliveExpirationTimeout: Duration
    public var reconnectInterval: Duration
    public var maxConnectionAttempts: Int
    public var msgExpirationFactor: Int
    public var externalEndpoint: String
    public var election: Election
    public var pvtData: PrivateData
    public var state: State

    /// `peer.gossip.election.*`
    public struct Election: Sendable, Hashable, Codable {
        public var startupGracePeriod: Duration
        public var membershipSampleInterval: Duration
        public var leaderAliveThreshold: Duration
        public var leaderElectionDuration: Duration
    }

    /// `peer.gossip.pvtData.*` (carried for completeness; fabnet has no private data yet).
    public struct PrivateData: Sendable, Hashable, Codable {
        public var pullRetryThreshold: Duration
        public var transientstoreMaxBlockRetention: Int
        public var pushAckTimeout: Duration
        public var btlPullMargin: Int
        public var reconcileBatchSize: Int
        public var reconcileSleepInterval: Duration
        public var reconciliationEnabled: Bool
        public var skipPullingInvalidTransactionsDuringCommit: Bool
        public var implicitCollectionDisseminationPolicyRequiredPeerCount: Int
        public var implicitCollectionDisseminationPolicyMaxPeerCount: Int
    }

    /// `peer.gossip.state.*`
    public struct State: Sendable, Hashable, Codable {
        public var enabled: Bool
        public var checkInterval: Duration
        public var responseTimeout: Duration
        public var batchSize: Int
        public var blockBufferSize: Int
        public var maxRetries: Int
    }

    /// Fabric's defaults: sampleconfig/core.yaml (v2.2 and later), code defaults where it is silent.
    public static let fabric = GossipSettings(
        bootstrap: ["127.0.0.1:7051"], membership: .fabric, useLeaderElection: false, orgLeader: true,
        membershipTrackerInterval: .seconds(5), endpoint: "", maxBlockCountToStore: 10,
        maxPropagationBurstLatency: .milliseconds(10), maxPropagationBurstSize: 10, propagateIterations: 1,
        propagatePeerNum: 3, propagateTree: false, pullInterval: .seconds(4), pullPeerNum: 3, requestStateInfoInterval: .seconds(4),
        publishStateInfoInterval: .seconds(4), stateInfoRetentionInterval: "", publishCertPeriod: .seconds(10),
        skipBlockVerification: false, dialTimeout: .seconds(3), connTimeout: .seconds(2), recvBuffSize: 20,
        sendBuffSize: 200, digestWaitTime: .seconds(1), requestWaitTime: .milliseconds(1500),
        responseWaitTime: .seconds(2), aliveTimeInterval: .seconds(5), aliveExpirationTimeout: .seconds(25),
        reconnectInterval: .seconds(25), maxConnectionAttempts: 120, msgExpirationFactor: 20, externalEndpoint: "",
        election: Election(startupGracePeriod: .seconds(15), membershipSampleInterval: .seconds(1),
                           leaderAliveThreshold: .seconds(10), leaderElectionDuration: .seconds(5)),
        pvtData: PrivateData(pullRetryThreshold: .seconds(60), transientstoreMaxBlockRetention: 20000,
                             pushAckTimeout: .seconds(3), btlPullMargin: 10, reconcileBatchSize: 10,
                             reconcileSleepInterval: .seconds(60), reconciliationEnabled: true,
                             skipPullingInvalidTransactionsDuringCommit: false,
                             implicitCollectionDisseminationPolicyRequiredPeerCount: 0,
                             implicitCollectionDisseminationPolicyMaxPeerCount: 1),
        state: State(enabled: false, checkInterval: .seconds(10), responseTimeout: .seconds(3), batchSize: 10,
                     blockBufferSize: 20, maxRetries: 3))

    /// fabnet's dev defaults: Fabric's, with the differences listed in `fabnetDifferences`.
    public static let fabnetDefaults: GossipSettings = {
        var settings = GossipSettings.fabric
        settings.bootstrap = []
        settings.membership = .swim
        settings.useLeaderElection = true
        settings.orgLeader = false
        settings.membershipTrackerInterval = .seconds(1)
        settings.maxPropagationBurstLatency = .milliseconds(1)
        settings.propagateTree = true
        settings.pullInterval = .seconds(1)
        settings.requestStateInfoInterval = .milliseconds(500)
        settings.publishStateInfoInterval = .milliseconds(500)
        settings.digestWaitTime = .milliseconds(100)
        settings.requestWaitTime = .milliseconds(300)
        settings.responseWaitTime = .milliseconds(400)
        settings.aliveTimeInterval = .milliseconds(500)
        settings.aliveExpirationTimeout = .milliseconds(2500)
        settings.reconnectInterval = .milliseconds(2500)
        settings.election = Election(startupGracePeriod: .milliseconds(500), membershipSampleInterval: .milliseconds(100),
                                     leaderAliveThreshold: .seconds(1), leaderElectionDuration: .milliseconds(200))
        settings.state.enabled = true
        settings.state.checkInterval = .seconds(1)
        settings.state.responseTimeout = .seconds(1)
        settings.state.batchSize = 100
        return settings
    }()

    /// Why each fabnet default differs from Fabric's (key → reason), for `--help` and the README.
    public static let fabnetDifferences: [String: String] = [
        "bootstrap": "fabnet up fills it with the org's other peers; a lone peer needs none",
        "membership": "liveness by SWIM probes: a peer's cost per interval stays flat as the network grows (Fabric's heartbeats cost N signature checks per peer)",
        "useLeaderElection": "gossip carries blocks in fabnet: one elected leader per org pulls from the orderer",
        "orgLeader": "off because useLeaderElection is on (both on is an error)",
        "membershipTrackerInterval": "report membership changes promptly on a dev cluster",
        "maxPropagationBurstLatency": "a block waits at most 1ms before it is pushed",
        "propagateTree": "each peer gets one copy of a block, in at most 2 hops, instead of ~3 copies by random push",
        "pullInterval": "a peer the push missed gets the block within a second, not four",
        "requestStateInfoInterval": "ledger heights spread within half a second (while nothing changes, pulls thin out to every 2 s)",
        "publishStateInfoInterval": "ledger heights spread within half a second",
        "digestWaitTime": "scaled with pullInterval (must stay below it)",
        "requestWaitTime": "scaled with pullInterval",
        "responseWaitTime": "scaled with pullInterval",
        "aliveTimeInterval": "membership converges in about a second on loopback",
        "aliveExpirationTimeout": "a stopped peer is seen dead in 2.5s (5 × aliveTimeInterval, as Fabric)",
        "reconnectInterval": "equals aliveExpirationTimeout, as Fabric",
        "election.startupGracePeriod": "first election within half a second of start",
        "election.membershipSampleInterval": "scaled with startupGracePeriod",
        "election.leaderAliveThreshold": "a dead leader is replaced within about a second",
        "election.leaderElectionDuration": "scaled with leaderAliveThreshold",
        "state.enabled": "peers that fall behind (restarts, fault tests) catch up by state transfer",
        "state.checkInterval": "a lagging peer notices within a second",
        "state.responseTimeout": "loopback answers in milliseconds",
        "state.batchSize": "a restarted peer catches up at over 10,000 small blocks/s (10 per round trip: about 8,000)",
    ]
}
