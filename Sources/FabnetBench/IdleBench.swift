import FabnetConfig
import FabnetModel
import Foundation
import Orchestrator

/// `fabnet bench idle`: what a network costs when nothing happens, as it grows: the CPU time of
/// all its nodes over a window that starts some seconds after ready, and the membership's health
/// meanwhile (members declared dead, leaders per org).
///
/// Guarantees: each size runs on a fresh network in its own temporary folder, stopped before the
/// next; CPU time is read from /proc (user + system, every node's process) at both ends of the
/// window; `declaredDead` sums `fabnet_membership_declared_dead_total` over all peers at the end
/// (0 in a healthy network); `leadersPerOrgAndChannel` lists how many peers lead each org's
/// channel (exactly one each when election works).
public enum IdleBench {
    public struct Parameters: Sendable {
        public var peers: Int
        public var orgs: Int
        public var membership: MembershipAlgorithm
        public var settle: Double
        public var seconds: Double
        public var timeout: Double
        public var executable: String

        public init(peers: Int, orgs: Int, membership: MembershipAlgorithm, settle: Double, seconds: Double, timeout: Double, executable: String) {
            self.peers = peers
            self.orgs = orgs
            self.membership = membership
            self.settle = settle
            self.seconds = seconds
            self.timeout = timeout
            self.executable = executable
        }
    }

    public struct Measurement: Sendable, Encodable {
        public let peers: Int
        public let orgs: Int
        public let membership: String
        public let readySeconds: Double
        /// CPU seconds all nodes used from their start until ready.
        public let cpuSecondsToReady: Double
        public let windowSeconds: Double
        /// CPU seconds of all nodes in the window.
        public let cpuSeconds: Double
        /// `cpuSeconds / windowSeconds`: cores kept busy.
        public var cores: Double { cpuSeconds / max(windowSeconds, 1e-9) }
        /// CPU milliseconds per peer per second.
        public var perPeerMillisecondsPerSecond: Double { cpuSeconds * 1000 / max(windowSeconds, 1e-9) / Double(max(peers, 1)) }
        public let declaredDead: Int
        /// "Org1MSP/mychannel" → peers leading it.
        public let leadersPerOrgAndChannel: [String: Int]

        enum CodingKeys: String, CodingKey {
            case peers, orgs, membership, readySeconds, cpuSecondsToReady, windowSeconds, cpuSeconds, cores, perPeerMillisecondsPerSecond, declaredDead, leadersPerOrgAndChannel
        }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(peers, forKey: .peers)
            try container.encode(orgs, forKey: .orgs)
            try container.encode(membership, forKey: .membership)
            try container.encode(readySeconds, forKey: .readySeconds)
            try container.encode(cpuSecondsToReady, forKey: .cpuSecondsToReady)
            try container.encode(windowSeconds, forKey: .windowSeconds)
            try container.encode(cpuSeconds, forKey: .cpuSeconds)
            try container.encode(cores, forKey: .cores)
            try container.encode(perPeerMillisecondsPerSecond, forKey: .perPeerMillisecondsPerSecond)
            try container.encode(declaredDead, forKey: .declaredDead)
            try container.encode(leadersPerOrgAndChannel, forKey: .leadersPerOrgAndChannel)
        }
    }

    /// The default network with `orgs` peer orgs and `peers` peers spread evenly over them.
    public static func spec(peers: Int, orgs: Int) throws -> NetworkSpec {
        let spec = try NetworkLoader.load(file: nil, cryptoConfigFiles: [], discoverCryptoConfig: false).spec.withPeerOrganizations(orgs)
        var sized = spec.withPeers(perOrganization: max(1, peers / max(orgs, 1)))
        // Peers that do not divide evenly go to the first orgs.
        let extra = peers - sized.peers.count
        if extra > 0 {
            let bigger = spec.withPeers(perOrganization: peers / orgs + 1)
            var added = 0
            for index in sized.organizations.indices where !sized.organizations[index].peers.isEmpty && added < extra {
                sized.organizations[index].peers = bigger.organizations[index].peers
                added += 1
            }
        }
        return sized
    }

    public static func run(_ parameters: Parameters, progress: @Sendable (String) -> Void) async throws -> Measurement {
        let spec = try spec(peers: parameters.peers, orgs: parameters.orgs)
        progress("\(spec.peers.count) peers in \(parameters.orgs) orgs (\(parameters.membership.rawValue)): starting …")
        let started = ContinuousClock.now
        let network = try await BenchNetwork.start(spec, name: "idle-\(spec.peers.count)", timeout: parameters.timeout,
                                                   executable: parameters.executable) { options in
            guard parameters.membership != GossipSettings.fabnetDefaults.membership else { return }
            var settings = GossipSettings.fabnetDefaults
            settings.membership = parameters.membership
            for peer in spec.peers { options.coreYAML[peer.commonName] = GossipSettingsYAML.render(settings) }
        }
        defer { network.stop() }
        let ready = (ContinuousClock.now - started).seconds
        let startupCPU = cpuSeconds(of: network.manifest.nodes.compactMap(\.pid))
        progress("ready in \(String(format: "%.1f", ready)) s; settling \(Int(parameters.settle)) s …")
        try await Task.sleep(for: .seconds(parameters.settle))  // a measurement window, not synchronisation
        let pids = network.manifest.nodes.compactMap(\.pid)
        let before = cpuSeconds(of: pids), windowStart = ContinuousClock.now
        progress("measuring CPU for \(Int(parameters.seconds)) s …")
        try await Task.sleep(for: .seconds(parameters.seconds))  // the measurement window itself
        let after = cpuSeconds(of: pids), window = (ContinuousClock.now - windowStart).seconds
        var dead = 0
        var leaders: [String: Int] = [:]
        for peer in network.clients.peers {
            guard let metrics = try? await MetricsText.fetch(port: peer.operationsPort) else { continue }
            dead += Int(metrics["fabnet_membership_declared_dead_total"])
            for channel in spec.channels where channel.memberOrgs.contains(peer.mspID) {
                leaders["\(peer.mspID)/\(channel.name)", default: 0] += Int(metrics[#"fabnet_gossip_leader{channel="\#(channel.name)"}"#])
            }
        }
        return Measurement(peers: spec.peers.count, orgs: parameters.orgs, membership: parameters.membership.rawValue, readySeconds: ready,
                           cpuSecondsToReady: startupCPU, windowSeconds: window, cpuSeconds: after - before, declaredDead: dead, leadersPerOrgAndChannel: leaders)
    }

    /// User + system CPU seconds of the processes `pids` (0 for one that is gone).
    static func cpuSeconds(of pids: [Int32]) -> Double {
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        return pids.reduce(0.0) { total, pid in total + Double(ProcessStatus(pid: pid)?.cpuTicks ?? 0) / ticksPerSecond }
    }
}
