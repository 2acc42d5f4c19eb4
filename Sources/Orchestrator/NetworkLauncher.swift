import FabnetConfig
import FabnetClient
import FabnetCrypto
import FabnetModel

import FabnetWire
import Foundation
import Ledger
import Synchronization
import OperationsEndpoint
import OrdererNode
import PeerNode
import SwiftProtobuf

/// `fabnet up` as a library: from a description to a ready network of local processes.
///
/// Phases, each timed: crypto (generate what is missing), ports (one block from `basePort`,
/// each checked free), homes (each node's configuration under the state folder, and a
/// connection profile per peer org under `profiles/`), spawn
/// (orderer and peers, the same executable), health (every `/healthz` OK), channels (created
/// on the orderer, joined by every peer of the member orgs), convergence (every org has exactly
/// one leader per channel, every peer sees every other peer it may see, and its gateway knows the
/// state of a peer of every member org it may see, so it can plan endorsements). No fixed sleeps: each
/// wait polls its condition until `timeout`.
public struct NetworkLauncher: Sendable {
    public struct Options: Sendable {
        public var stateDirectory: URL
        public var cryptoDirectory: URL
        /// The first port of the nodes' block; `nil`: the block recorded in the state folder,
        /// else `defaultBasePort`.
        public var basePort: Int?
        public var timeout: Double
        /// The `fabnet` executable to spawn nodes with.
        public var executable: String
        public var durability: String
        /// core.yaml text per peer (by name), written into its home: its `peer.gossip` settings.
        public var coreYAML: [String: String] = [:]
        /// How many leaders an org may have per channel for the network to be ready: one with
        /// leader election or one static leader; more when several peers are static leaders.
        public var leadersPerOrganization: ClosedRange<Int> = 1...1

        /// Without `--base-port`: gRPC on the description's own ports (7050, 7051, 9051 …), the
        /// framing and operations ports in a block from here (two per node).
        public static let defaultBasePort = 17050

        public init(stateDirectory: URL, cryptoDirectory: URL, basePort: Int?, timeout: Double, executable: String, durability: String = "fsync") {
            self.stateDirectory = stateDirectory
            self.cryptoDirectory = cryptoDirectory
            self.basePort = basePort
            self.timeout = timeout
            self.executable = executable
            self.durability = durability
        }
    }

    public let spec: NetworkSpec
    public let options: Options
    public let state: NetworkState
    /// Called with each phase's name when it starts (`nil`) and ends (its duration in seconds).
    let progress: @Sendable (String, Double?) -> Void

    public init(spec: NetworkSpec, options: Options, progress: @escaping @Sendable (String, Double?) -> Void = { _, _ in }) {
        self.spec = spec
        self.options = options
        state = NetworkState(directory: options.stateDirectory)
        self.progress = progress
    }

    var layout: CryptoLayout { CryptoLayout(root: options.cryptoDirectory) }

    /// Starts the network; on failure stops whatever it started and rethrows.
    public func up() async throws -> NetworkState.Manifest {
        let existing = try state.load()
        if let existing {
            let running = existing.nodes.filter(state.isRunning)
            if !running.isEmpty {
                throw OrchestratorError.state("a network is already running from \(state.directory.path) (\(running.map(\.name).joined(separator: ", "))); run `fabnet down` first, or use another --state folder and --base-port")
            }
            if (existing.format ?? 1) < NetworkState.Manifest.currentFormat {
                throw OrchestratorError.state("\(state.directory.path) holds state from an older fabnet (its ledgers keep fabnet's own blocks, not Fabric's): fabnet down --clean, then fabnet up")
            }
            if existing.descriptionDigest != Self.digest(of: spec) {
                throw OrchestratorError.state("the description changed since \(state.directory.path) was made: \(Self.changes(from: existing, to: spec)); its ledgers and node homes belong to the old one. Run `fabnet down --clean` to start afresh, or use another --state folder")
            }
            if let requested = options.basePort, requested != existing.basePort {
                throw OrchestratorError.basePortDiffers(recorded: existing.basePort, requested: requested, state: state.directory.path)
            }
        }
        let basePort = existing?.basePort ?? options.basePort ?? Options.defaultBasePort
        let describedGRPCPorts = existing.map { $0.describedGRPCPorts ?? false } ?? (options.basePort == nil)
        let portCount = describedGRPCPorts ? 2 * (1 + spec.peers.count) : Self.portCount(peers: spec.peers.count)
        guard basePort >= 1, basePort + portCount - 1 <= 65_535 else {
            throw OrchestratorError.basePortOutOfRange(basePort: basePort, ports: portCount)
        }
        var manifest = try phase("crypto") { () -> NetworkState.Manifest in
            let before = CreatedPaths.snapshot(of: options.cryptoDirectory)
            _ = try CryptoMaterialGenerator(output: options.cryptoDirectory).generate(spec)
            var manifest = try plan(basePort: basePort, describedGRPCPorts: describedGRPCPorts, existing: existing)
            var created = existing?.created ?? CreatedPaths()
            created.add(before: before, after: CreatedPaths.snapshot(of: options.cryptoDirectory))
            manifest.created = created
            return manifest
        }
        try phase("ports") { try checkPorts(manifest) }
        try phase("homes") {
            try writeHomes(manifest, created: &manifest.created)
            try ConnectionProfiles(state: state).write(spec: spec, manifest: manifest, layout: layout, created: &manifest.created)
        }
        try state.save(manifest)
        do {
            let order = ElectionOrder(spec: spec, layout: layout)
            manifest = try await phase("spawn") { try await spawn(manifest, in: order, restart: existing != nil) }
            let clients = NodeClients(spec: spec, layout: layout, manifest: manifest)
            try await phase("health") { try await waitHealthy(manifest) }
            try await phase("channels") { try await createChannels(clients, in: order) }
            try await phase("convergence") { try await waitConverged(clients) }
            if !spec.chaincodes.isEmpty { try await phase("chaincodes") { try await deployChaincodes(clients) } }
            return manifest
        } catch {
            NetworkStopper(state: state).stop(manifest, timeout: 5)
            throw error
        }
    }

    func phase<T>(_ name: String, _ body: () throws -> T) throws -> T {
        progress(name, nil)
        let start = ContinuousClock.now
        let result = try body()
        progress(name, (ContinuousClock.now - start).seconds)
        return result
    }

    func phase<T>(_ name: String, _ body: () async throws -> T) async throws -> T {
        progress(name, nil)
        let start = ContinuousClock.now
        let result = try await body()
        progress(name, (ContinuousClock.now - start).seconds)
        return result
    }

    static func digest(of spec: NetworkSpec) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var copy = spec
        copy.source = ""
        return HexDigest.sha256((try? encoder.encode(copy)) ?? Data())
    }

    /// What differs between the network `manifest` was made from and `spec`, in words.
    static func changes(from manifest: NetworkState.Manifest, to spec: NetworkSpec) -> String {
        var changes: [String] = []
        func list(_ verb: String, _ kind: String, _ names: Set<String>) {
            if !names.isEmpty { changes.append("\(kind) \(verb): \(names.sorted().joined(separator: ", "))") }
        }
        let oldNodes = Set(manifest.nodes.map(\.name)), newNodes = Set(spec.nodes.map(\.commonName))
        let oldChannels = Set(manifest.channels), newChannels = Set(spec.channels.map(\.name))
        list("added", "nodes", newNodes.subtracting(oldNodes))
        list("removed", "nodes", oldNodes.subtracting(newNodes))
        list("added", "channels", newChannels.subtracting(oldChannels))
        list("removed", "channels", oldChannels.subtracting(newChannels))
        return changes.isEmpty ? "the same nodes and channels, other settings (orgs, anchor peers, policies, batch sizes)" : changes.joined(separator: "; ")
    }

    /// The ports a network of `peers` peers and one orderer takes from `--base-port`: three per
    /// node (fabnet's framing, gRPC, operations).
    public static func portCount(peers: Int) -> Int { 3 * (1 + peers) }

    /// Ports. With `--base-port` B each node takes three in order, orderer first: framing (`port`),
    /// gRPC (`grpcPort`), operations (`operationsPort`). Without it, gRPC listens on the node's
    /// port in the description (test-network's 7050, 7051, 9051, so an application written for
    /// fabric-samples reaches the right service) and framing and operations take two ports each
    /// from `defaultBasePort`. A network made before keeps the ports it recorded.
    func plan(basePort: Int, describedGRPCPorts: Bool, existing: NetworkState.Manifest?) throws -> NetworkState.Manifest {
        guard let orderer = spec.orderers.first else { throw OrchestratorError.state("the description has no orderer") }
        var nodes: [NetworkState.Node] = []
        for (index, node) in ([orderer] + spec.peers).enumerated() {
            let (port, grpcPort, operationsPort) = describedGRPCPorts
                ? (basePort + 2 * index, node.port, basePort + 2 * index + 1)
                : (basePort + 3 * index, basePort + 3 * index + 1, basePort + 3 * index + 2)
            nodes.append(NetworkState.Node(name: node.commonName, role: node.role == .orderer ? "orderer" : "peer", mspID: node.mspID,
                                           host: node.commonName, port: port, grpcPort: grpcPort, operationsPort: operationsPort))
        }
        if let existing {
            let recorded = Dictionary(existing.nodes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
            for index in nodes.indices {
                guard let old = recorded[nodes[index].name] else { continue }
                nodes[index].port = old.port
                nodes[index].grpcPort = old.grpcPort
                nodes[index].operationsPort = old.operationsPort
            }
        }
        // A description file by its absolute path, so later commands find it from anywhere.
        let source = FileManager.default.fileExists(atPath: spec.source) ? URL(fileURLWithPath: spec.source).path : spec.source
        return NetworkState.Manifest(format: NetworkState.Manifest.currentFormat, source: source, descriptionDigest: Self.digest(of: spec),
                                     cryptoDirectory: options.cryptoDirectory.path, basePort: basePort, describedGRPCPorts: describedGRPCPorts,
                                     channels: spec.channels.map(\.name), nodes: nodes)
    }

    func checkPorts(_ manifest: NetworkState.Manifest) throws {
        for node in manifest.nodes {
            for port in [node.port, node.grpcPort, node.operationsPort].compactMap({ $0 }) where !isFree(port) {
                throw OrchestratorError.portInUse(port: port, node: node.name, basePort: manifest.basePort)
            }
        }
    }

    /// Writes each node's home; records in `created` the state folder's parts it made.
    func writeHomes(_ manifest: NetworkState.Manifest, created: inout CreatedPaths?) throws {
        let fileManager = FileManager.default
        var record = created ?? CreatedPaths()
        if !fileManager.fileExists(atPath: state.directory.path) { record.directories.append(state.directory.standardizedFileURL.path) }
        let sharedOrganizations = state.directory.appendingPathComponent("orgs")
        for part in [state.directory.appendingPathComponent("logs"), state.directory.appendingPathComponent("nodes"), sharedOrganizations,
                     state.manifestFile] {
            record.addTree(part, existedBefore: fileManager.fileExists(atPath: part.path))
        }
        created = record
        try fileManager.createDirectory(at: state.directory.appendingPathComponent("logs"), withIntermediateDirectories: true)
        let byName = Dictionary(manifest.nodes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        guard let ordererNode = manifest.nodes.first(where: { $0.role == "orderer" }), let ordererSpec = spec.orderers.first else { return }
        try OrdererHome.create(at: state.home(of: ordererNode.name), spec: spec, layout: layout, node: ordererSpec,
                               port: ordererNode.port, grpcPort: ordererNode.grpcPort, operationsPort: ordererNode.operationsPort,
                               durability: options.durability)
        // Anchor peers as the description names them (host and port), mapped to the ports given here.
        var anchors: [String: [String]] = [:]
        for org in spec.organizations where !org.peers.isEmpty {
            var endpoints: [String] = []
            for anchor in org.anchorPeers {
                let named = spec.peers.filter { $0.commonName == anchor.host || $0.hostname == anchor.host }
                guard let peer = named.first(where: { $0.port == anchor.port }) ?? named.first, let node = byName[peer.commonName] else { continue }
                endpoints.append("\(node.host):\(node.port)")
            }
            anchors[org.mspID] = endpoints
        }
        let ordererOrgs = spec.organizations.filter { !$0.orderers.isEmpty }.map(\.mspID)
        var homes: [(configuration: PeerHome.Configuration, peer: NodeSpec, org: OrganizationSpec)] = []
        for org in spec.organizations where !org.peers.isEmpty {
            let endpoints = org.peers.compactMap { byName[$0.commonName] }.map { "\($0.host):\($0.port)" }
            var channels: [String: [String]] = [:]
            for channel in spec.channels where channel.memberOrgs.contains(org.mspID) { channels[channel.name] = channel.memberOrgs }
            for (index, peer) in org.peers.enumerated() {
                guard let node = byName[peer.commonName] else { continue }
                // peer0 bootstraps from peer1, the others from peer0 (own org only, as Fabric requires).
                let bootstrap = endpoints.count < 2 ? [] : [index == 0 ? endpoints[1] : endpoints[0]]
                let configuration = PeerHome.Configuration(
                    mspID: org.mspID, name: peer.commonName, listenHost: "127.0.0.1", port: node.port, grpcPort: node.grpcPort,
                    operationsPort: node.operationsPort,
                    endpoint: "\(node.host):\(node.port)", externalEndpoint: true, bootstrap: bootstrap, anchors: anchors,
                    organizations: spec.organizations.map(\.mspID), ordererOrganizations: ordererOrgs,
                    orderer: "\(ordererNode.host):\(ordererNode.port)", channels: channels, durability: options.durability,
                    maximumFrameSize: 100 << 20)
                homes.append((configuration, peer, org))
            }
        }
        // Each home is its own folder: written on all cores at once (mostly file creation).
        let (state, layout, coreYAMLs, planned) = (state, layout, options.coreYAML, homes)
        let organizationMSPs = spec.organizations.map { ($0.mspID, layout.organizationMSPDirectory($0)) }
        // One snapshot of the orgs' verifying MSPs that every peer home links to.
        try NodeHomeFiles.installOrganizations(organizationMSPs, into: sharedOrganizations)
        let failures = Mutex([String: any Error]())
        DispatchQueue.concurrentPerform(iterations: planned.count) { index in
            let (configuration, peer, org) = planned[index]
            do {
                try PeerHome.create(at: state.home(of: peer.commonName), configuration: configuration,
                                    nodeDirectory: layout.nodeDirectory(peer, in: org), organizationMSPs: organizationMSPs,
                                    sharedOrganizations: sharedOrganizations)
                if let coreYAML = coreYAMLs[peer.commonName] {
                    try coreYAML.write(to: state.home(of: peer.commonName).appendingPathComponent("core.yaml"), atomically: true, encoding: .utf8)
                }
            } catch {
                failures.withLock { $0[peer.commonName] = error }
            }
        }
        // The first failure in the description's order, as a serial loop would have thrown it.
        if let first = homes.lazy.compactMap({ home in failures.withLock { $0[home.peer.commonName] } }).first { throw first }
    }

    /// How often the manifest is saved while nodes start: a `down` after an interrupted `up`
    /// finds every node saved by then. Saving after each start (a new file renamed over the old)
    /// cost 60 ms each on a file system busy with 100 nodes starting.
    static let spawnSaveInterval = Duration.milliseconds(200)

    /// The pause between two node starts in a network of `nodes`: none up to 20, else
    /// `FABNET_SPAWN_INTERVAL_MS` or 10 ms. Peers that start one after another join a membership
    /// that has settled; 100 started at once all learned each other in random order (rings
    /// reshuffled, views pulled again and again) and took 45 % more CPU to be ready. 10 ms made
    /// starts about 1 s faster than 40 ms (9.6–10.4 s against 10.5–11.4, alternated), as peers
    /// join channels only once all are up (restarted ones hold theirs, see `spawn`).
    static func spawnInterval(nodes: Int) -> Duration {
        guard nodes > 20 else { return .zero }
        let milliseconds = ProcessInfo.processInfo.environment["FABNET_SPAWN_INTERVAL_MS"].flatMap(Int.init) ?? 10
        return .milliseconds(max(0, milliseconds))
    }

    /// Starts every node in order (the orderer first, then the peers in `ElectionOrder`),
    /// `spawnInterval` apart; the manifest, with the pids, is saved after each start (paced
    /// networks: every `spawnSaveInterval`), and at the end. In a `restart` the peers hold the
    /// channels they joined before (`peer start --hold-channels`) until `createChannels` joins
    /// them again, in election order, or until `up`'s timeout passes; a 100-peer restart whose
    /// peers resumed their channels as they came up elected 33–68 leaders for a moment and was
    /// ready in 15 s, against 10 s for a new network.
    func spawn(_ manifest: NetworkState.Manifest, in election: ElectionOrder, restart: Bool) async throws -> NetworkState.Manifest {
        var manifest = manifest
        let pause = Self.spawnInterval(nodes: manifest.nodes.count)
        var saved = ContinuousClock.now
        let positions = Dictionary(manifest.nodes.indices.map { (manifest.nodes[$0].name, $0) }, uniquingKeysWith: { first, _ in first })
        let order = election.sorted(manifest.nodes).compactMap { positions[$0.name] }
        let executor = NodeExecutorChoice.environment(nodes: manifest.nodes.count)
        for (position, index) in order.enumerated() {
            let node = manifest.nodes[index]
            if position > 0, pause > .zero { try await Task.sleep(for: pause) }  // pacing, not a wait for a condition
            do {
                let hold = restart && node.role == "peer" ? ["--hold-channels", String(options.timeout)] : []
                let process = try ChildProcess(executable: options.executable, arguments: [node.role, "start", "--home", state.home(of: node.name).path] + hold,
                                               logFile: state.logFile(of: node.name), newProcessGroup: true, truncateLog: false,
                                               environment: executor)
                process.detach()
                manifest.nodes[index].record(process.pid)
            } catch {
                try? state.save(manifest)
                throw error
            }
            // Small networks (no pause) are saved after every start, big ones every 200 ms.
            if pause == .zero || ContinuousClock.now - saved >= Self.spawnSaveInterval {
                try state.save(manifest, compact: true)
                saved = ContinuousClock.now
            }
        }
        try state.save(manifest)
        return manifest
    }

    /// What `fabnet wait --ready` waits for in a network already started: every node healthy,
    /// then converged as `up` requires (one leader per org and channel, full views, gateways
    /// that know every member org), all within one `timeout`. A node that is down fails at once
    /// (`NodeExitError`), naming it.
    public func waitReady(_ manifest: NetworkState.Manifest) async throws {
        let deadline = ContinuousClock.now + .seconds(options.timeout)
        try await waitHealthy(manifest, until: deadline)
        try await waitConverged(NodeClients(spec: spec, layout: layout, manifest: manifest), until: deadline)
    }

    func waitHealthy(_ manifest: NetworkState.Manifest, until end: ContinuousClock.Instant? = nil) async throws {
        let deadline = end ?? ContinuousClock.now + .seconds(options.timeout)
        var pending = manifest.nodes
        while !pending.isEmpty {
            for node in pending where !state.isRunning(node) {
                throw NodeExitError(exit: NodeExit.of(node, state: state))
            }
            // All at once: one by one, a sweep of 100 busy nodes could take 100 probe timeouts.
            let healthy = await withTaskGroup(of: String?.self) { group in
                for node in pending {
                    group.addTask {
                        (try? await HTTPProbe.get(port: node.operationsPort, path: "/healthz", timeout: 1))?.status == 200 ? node.name : nil
                    }
                }
                var names = Set<String>()
                for await name in group { if let name { names.insert(name) } }
                return names
            }
            pending.removeAll { healthy.contains($0.name) }
            if pending.isEmpty { break }
            guard ContinuousClock.now < deadline else {
                throw OrchestratorError.timeout("not healthy within \(options.timeout) s: \(pending.map(\.name).joined(separator: ", ")) (see \(state.directory.path)/logs/)")
            }
            // A poll interval, not a wait for a condition: 20 ms, 1 ms more per node still
            // pending (100 starting nodes polled every 20 ms was 5,000 requests a second).
            try await Task.sleep(for: .milliseconds(20 + pending.count))
        }
    }

    /// Peers joining a channel at once (see `createChannels`).
    static let concurrentJoins = 16

    /// Creates each channel on the orderer (as the orderer org's admin), fetches its block 0 and
    /// has every peer of the member orgs join it (as its org's admin, in `ElectionOrder`); a peer
    /// that joined before a restart holds the channel until this join resumes it.
    func createChannels(_ clients: NodeClients, in order: ElectionOrder) async throws {
        guard let ordererNode = clients.orderer else { return }
        let ordererClient = try clients.client(of: ordererNode)
        // Every request is tried again until this phase's timeout: on a starved machine a
        // 100-peer start ran out of a fixed number of tries.
        let deadline = ContinuousClock.now + .seconds(options.timeout)
        for channel in spec.channels {
            var join = WireJoinChannel()
            join.genesisBlock = try ChannelGenesis.block(of: channel, in: spec, layout: layout, creator: ordererClient.signer).serializedBytes()
            let created = try await retryingUnsent("\(ordererNode.name) creating \(channel.name)", until: deadline) {
                try await ordererClient.admin(.joinChannel(join))
            }
            guard created.status == .success else { throw OrchestratorError.state("the orderer refused channel \(channel.name): \(created.info)") }
            let (blocks, _, info) = try await retryingUnsent("\(ordererNode.name) delivering block 0 of \(channel.name)", until: deadline) {
                try await ordererClient.blocks(channel: channel.name, start: .number(0), stop: .number(0))
            }
            guard let genesis = blocks.first else { throw OrchestratorError.state("block 0 of \(channel.name) not delivered: \(info)") }
            var peerJoin = WireJoinChannel()
            peerJoin.genesisBlock = try genesis.serializedBytes()
            let command = WireAdminRequest.OneOf_Command.joinChannel(peerJoin)
            let channelName = channel.name
            // At most `concurrentJoins` at a time: 100 joins at once (each a TLS handshake, a
            // signed request and a new ledger) starved the peers on 2 cores. Joining again is a
            // no-op on the peer, so a join that failed for any reason is simply sent again.
            let members = order.sorted(clients.peers).filter { channel.memberOrgs.contains($0.mspID) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, peer) in members.enumerated() {
                    if index >= Self.concurrentJoins { try await group.next() }
                    let client = try clients.client(of: peer)
                    group.addTask {
                        let response = try await retryingIdempotent("\(peer.name) joining \(channelName)", until: deadline) {
                            try await client.admin(command)
                        }
                        guard response.status == .success else { throw OrchestratorError.state("\(peer.name) refused to join \(channelName): \(response.info)") }
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    /// Defines the description's `Chaincodes` on their channels (again only when their version or
    /// policy changed since the state folder's last `up`) and tells every peer where they listen.
    func deployChaincodes(_ clients: NodeClients) async throws {
        let deployment = ChaincodeDeployment(clients: clients, state: state)
        for chaincode in spec.chaincodes {
            let tls = try chaincode.tlsRootCert.map { path -> Data in
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw OrchestratorError.state("chaincode \(chaincode.name): TLSRootCert \(path) cannot be read")
                }
                return data
            }
            for name in chaincode.channels {
                guard let channel = spec.channels.first(where: { $0.name == name }) else { continue }
                _ = try await deployment.deploy(name: chaincode.name, address: chaincode.address, channel: channel,
                                                version: chaincode.version ?? "1.0", policy: chaincode.policy, id: chaincode.id,
                                                tlsRootPEM: tls, timeout: options.timeout, onlyIfChanged: true)
            }
        }
    }

    /// Waits until every org has exactly one leader per channel (or as many as
    /// `leadersPerOrganization` allows) and every peer's membership
    /// holds every other peer of the orgs it shares a channel with.
    ///
    /// Each poll asks only the peers whose own conditions (`peerProblem`) did not hold yet, at
    /// most `concurrentStatusRequests` at once; once every peer's held, one poll asks all of
    /// them again and counts the leaders from those answers. At 100 peers one sequential sweep
    /// took 2.5 s on a busy machine, longer than the condition itself took to hold.
    func waitConverged(_ clients: NodeClients, until end: ContinuousClock.Instant? = nil) async throws {
        let deadline = end ?? ContinuousClock.now + .seconds(options.timeout)
        var satisfied = Set<String>()
        var latest: [String: WireAdminResponse] = [:]
        while true {
            // A node that died cannot converge: say so at once, not at the timeout.
            for node in clients.manifest.nodes where !state.isRunning(node) {
                throw NodeExitError(exit: NodeExit.of(node, state: state))
            }
            let asked = Self.sweep(of: clients.peers, satisfied: satisfied)
            let statuses = await Self.statuses(of: asked, clients, until: deadline)
            var problem: String?
            for peer in asked {
                if let status = statuses[peer.name] { latest[peer.name] = status }
                let found = statuses[peer.name].map { peerProblem(peer, $0, clients) } ?? "\(peer.name) does not answer"
                if let found {
                    problem = problem ?? found
                    satisfied.remove(peer.name)
                } else {
                    satisfied.insert(peer.name)
                }
            }
            if Self.converged(clients.peers, satisfied: &satisfied, latest: latest, problem: &problem, leaderProblem: leaderProblem) { return }
            guard ContinuousClock.now < deadline else {
                throw OrchestratorError.timeout("not converged within \(options.timeout) s: \(problem ?? "")")
            }
            try await Task.sleep(for: .milliseconds(20))  // a poll interval, not a wait for a condition
        }
    }

    /// The peers the next convergence sweep asks: those not converged at their latest status
    /// (every peer at first, and again after the leaders disagreed). Once every peer has
    /// converged, the leaders are judged on each peer's latest status, not on one more sweep of
    /// them all: a sweep of 100 busy peers took about 1 s, and statuses are gathered over a
    /// sweep's length anyway, so one sweep was never a snapshot either.
    static func sweep(of peers: [NetworkState.Node], satisfied: Set<String>) -> [NetworkState.Node] {
        let pending = peers.filter { !satisfied.contains($0.name) }
        return pending.isEmpty ? peers : pending
    }

    /// Whether the wait is over after a sweep: every peer converged at its latest status, and
    /// `leaderProblem` finds nothing wrong with the leaders those statuses report. When the
    /// leaders disagree, `problem` says how and `satisfied` is emptied, so the next sweep asks
    /// every peer again.
    static func converged(_ peers: [NetworkState.Node], satisfied: inout Set<String>, latest: [String: WireAdminResponse],
                          problem: inout String?,
                          leaderProblem: ([(NetworkState.Node, WireAdminResponse)]) -> String?) -> Bool {
        guard peers.allSatisfy({ satisfied.contains($0.name) }) else { return false }
        problem = leaderProblem(peers.compactMap { peer in latest[peer.name].map { (peer, $0) } })
        if problem == nil { return true }
        satisfied.removeAll()
        return false
    }

    /// Status requests in flight at once while waiting for convergence (each is an HTTP
    /// request to a peer that is busy starting).
    static let concurrentStatusRequests = 4

    /// The statuses of `peers` (by name; a peer that did not answer is absent), at most
    /// `concurrentStatusRequests` requests at a time; none is sent after `deadline`.
    static func statuses(of peers: [NetworkState.Node], _ clients: NodeClients,
                         until deadline: ContinuousClock.Instant) async -> [String: WireAdminResponse] {
        await withTaskGroup(of: (String, WireAdminResponse?).self) { group in
            var statuses: [String: WireAdminResponse] = [:]
            func collect(_ answer: (String, WireAdminResponse?)) { if let status = answer.1 { statuses[answer.0] = status } }
            for (index, peer) in peers.enumerated() {
                if index >= concurrentStatusRequests, let answer = await group.next() { collect(answer) }
                guard ContinuousClock.now < deadline else { break }
                group.addTask {
                    do {
                        if let status = try await operationsStatus(of: peer) { return (peer.name, status) }
                        // A peer of an older fabnet has no /status: asked as its org's admin instead.
                        return (peer.name, try await clients.status(of: peer))
                    } catch {
                        return (peer.name, nil)
                    }
                }
            }
            for await answer in group { collect(answer) }
            return statuses
        }
    }

    /// A peer's status from its operations endpoint (`/status`, plain HTTP on 127.0.0.1): the
    /// same answer as the admin command `peerStatus`, without a mutual-TLS connection and a
    /// signed request per poll; nil when the peer does not serve `/status` (an older fabnet).
    static func operationsStatus(of peer: NetworkState.Node) async throws -> WireAdminResponse? {
        let response = try await HTTPProbe.get(port: peer.operationsPort, path: "/status", timeout: 2)
        if response.status == 404 { return nil }
        guard response.status == 200 else {
            throw OrchestratorError.state("\(peer.name) answered /status with HTTP \(response.status): \(response.body)")
        }
        var options = JSONDecodingOptions()
        options.ignoreUnknownFields = true
        return try WireAdminResponse(jsonString: response.body, options: options)
    }

    /// Whether any member org of `channel` names an anchor peer.
    func hasAnchorPeers(_ channel: ChannelSpec) -> Bool {
        channel.memberOrgs.contains { spec.organization(mspID: $0)?.anchorPeers.isEmpty == false }
    }

    /// What keeps `peer` from being ready, from its `status`: a channel not joined, a peer it
    /// may see but does not, or a member org its gateway knows no peer of; nil when none.
    func peerProblem(_ peer: NetworkState.Node, _ status: WireAdminResponse, _ clients: NodeClients) -> String? {
        let expectedChannels = spec.channels.filter { $0.memberOrgs.contains(peer.mspID) }.map(\.name)
        let joined = Set(status.peerChannels.map(\.name))
        if let missing = expectedChannels.first(where: { !joined.contains($0) }) { return "\(peer.name) has not joined \(missing)" }
        // Fabric's rule: peers find other orgs' peers only through anchor peers. In a
        // channel without any, each org sees only itself (and `up` is ready so).
        let partners = Set([peer.mspID]).union(spec.channels
            .filter { $0.memberOrgs.contains(peer.mspID) && hasAnchorPeers($0) }.flatMap(\.memberOrgs))
        let visible = Set(status.members.filter(\.alive).map(\.endpoint))
        for other in clients.peers where other.name != peer.name && partners.contains(other.mspID) {
            if !visible.contains("\(other.host):\(other.port)") { return "\(peer.name) does not see \(other.name) yet" }
        }
        // The Gateway endorses with peers whose state of the channel it knows: every member
        // org it may see must have one, or a first cross-org Endorse after `up` would fail.
        for channel in status.peerChannels {
            guard let channelSpec = spec.channels.first(where: { $0.name == channel.name }), hasAnchorPeers(channelSpec) else { continue }
            let known = Set(channel.gatewayOrgs)
            if let missing = channelSpec.memberOrgs.first(where: { spec.organization(mspID: $0)?.peers.isEmpty == false && !known.contains($0) }) {
                return "\(peer.name)'s gateway knows no peer of \(missing) on \(channel.name) yet"
            }
        }
        return nil
    }

    /// An org with a number of leaders in a channel that `leadersPerOrganization` does not
    /// allow, from the statuses of every peer; nil when every org's count is allowed.
    func leaderProblem(_ statuses: [(NetworkState.Node, WireAdminResponse)]) -> String? {
        var leaders: [String: Int] = [:]  // "channel/org" → leaders
        for (peer, status) in statuses {
            for channel in status.peerChannels where channel.leader { leaders["\(channel.name)/\(peer.mspID)", default: 0] += 1 }
        }
        for channel in spec.channels {
            for org in channel.memberOrgs where spec.organization(mspID: org)?.peers.isEmpty == false {
                let count = leaders["\(channel.name)/\(org)", default: 0]
                if !options.leadersPerOrganization.contains(count) { return "\(org) has \(count) leaders in \(channel.name)" }
            }
        }
        return nil
    }
}
