import FabnetConfig
import FabnetClient
import FabnetCrypto
import FabnetTestKit
import FabnetWire
import FabricWire
import Foundation
import OperationsEndpoint
import OrdererNode
import Synchronization
import Testing
import Transport

/// A real orderer process on 127.0.0.1 with its crypto, home and channel made by the CLI.
final class OrdererUnderTest: @unchecked Sendable {
    let directory: URL
    let port: Int
    let grpcPort: Int
    let operationsPort: Int
    let spec: NetworkSpec
    let layout: CryptoLayout
    private(set) var process: ChildProcess?
    private(set) var starts = 0

    init(maxMessageCount: Int, batchTimeout: String) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("fabnet-orderer-process-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = try freePort()
        operationsPort = try freePort()
        grpcPort = try freePort()
        let text = DefaultNetwork.configtx
            .replacingOccurrences(of: "MaxMessageCount: 500", with: "MaxMessageCount: \(maxMessageCount)")
            .replacingOccurrences(of: "BatchTimeout: 250ms", with: "BatchTimeout: \(batchTimeout)")
        try text.write(to: directory.appendingPathComponent("net.yaml"), atomically: true, encoding: .utf8)
        for arguments in [["crypto", "generate", "-f", "net.yaml", "-o", "crypto"],
                          ["orderer", "init", "-f", "net.yaml", "--crypto", "crypto", "--home", "home",
                           "--port", String(port), "--ops-port", String(operationsPort), "--grpc-port", String(grpcPort)]] {
            let result = try await runFabnet(arguments, in: directory)
            guard result.status == 0 else { throw DeadlineExceeded(seconds: 0, what: "fabnet \(arguments): \(result.errors)") }
        }
        spec = try NetworkLoader.load(file: directory.appendingPathComponent("net.yaml")).spec
        layout = CryptoLayout(root: directory.appendingPathComponent("crypto"))
    }

    /// Starts the process and waits until it says it is ready; `joinedHome` passes the home as
    /// `--home=DIR`, a shape `fabnet` parses with ArgumentParser instead of its fast path.
    func start(joinedHome: Bool = false) async throws {
        starts += 1
        let home = directory.appendingPathComponent("home").path
        let process = try ChildProcess(executable: fabnetBinary.path, arguments: ["orderer", "start"] + (joinedHome ? ["--home=\(home)"] : ["--home", home]),
                                       logFile: directory.appendingPathComponent("orderer-\(starts).log"),
                                       environment: ["FABNET_NODE_EXECUTOR": "loops"])
        self.process = process
        try await eventually(seconds: 20, "orderer ready") { process.log.contains("ready: serving") || process.hasExited }
        guard !process.hasExited else {
            throw DeadlineExceeded(seconds: 0, what: "orderer start (wait status \(process.status.map(String.init) ?? "?")): \(process.log)")
        }
    }

    func cli(_ arguments: [String]) async throws -> CommandResult {
        try await runFabnet(arguments + ["-f", "net.yaml", "--crypto", "crypto", "--orderer", "127.0.0.1:\(port)"], in: directory)
    }

    func client(org: Int, user: Int) throws -> OrdererClient {
        let org = spec.organizations[org]
        let folder = layout.userDirectory(org.users[user], in: org)
        let credentials = try TransportCredentials.load(
            mspDirectory: folder.appendingPathComponent("msp"), tlsDirectory: folder.appendingPathComponent("tls"), mspID: org.mspID,
            organizations: spec.organizations.map { ($0.mspID, layout.organizationMSPDirectory($0)) })
        return OrdererClient(transport: Transport(credentials: credentials), port: port, serverHostname: spec.orderers[0].commonName)
    }

    /// Every log the process wrote, for failure messages.
    var logs: String {
        (1...max(starts, 1)).map(log(ofStart:)).joined(separator: "\n---\n")
    }

    /// The log of the `number`th start (from 1).
    func log(ofStart number: Int) -> String {
        (try? String(contentsOf: directory.appendingPathComponent("orderer-\(number).log"), encoding: .utf8)) ?? ""
    }

    func remove() {
        process?.killAndReap()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Counts acknowledgements across client tasks.
actor Acknowledgements {
    private(set) var ids: Set<String> = []
    /// Ids sent again after a dropped connection (Fabric's orderer orders a resent envelope again).
    private(set) var resent: Set<String> = []
    func add(_ new: [String]) { ids.formUnion(new) }
    func resend(_ again: [String]) { resent.formUnion(again) }
    var count: Int { ids.count }
}

@Suite(.serialized) struct OrdererProcessTests {
    /// Sends `envelopes` in chunks; on a dropped connection waits for the orderer and resends
    /// the chunk (as a Fabric client would; what was already stored is ordered again, and peers
    /// flag the second copy DUPLICATE_TXID).
    func submit(_ envelopes: [(WireEnvelope, String)], with client: OrdererClient, acknowledgements: Acknowledgements) async throws {
        var index = 0
        while index < envelopes.count {
            let chunk = Array(envelopes[index..<min(index + 25, envelopes.count)])
            do {
                let responses = try await client.broadcast(chunk.map(\.0))
                var taken: [String] = []
                for (response, (_, id)) in zip(responses, chunk) {
                    if response.status == .success {
                        taken.append(id)
                    } else {
                        Issue.record("refused \(id): \(response.info)")
                    }
                }
                await acknowledgements.add(taken)
                index += chunk.count
            } catch {
                // The orderer is down: wait until it answers again (any answer will do).
                await acknowledgements.resend(chunk.map(\.1))
                try await eventually(seconds: 30, "orderer back") { (try? await client.admin(.listChannels(.init()))) != nil }
            }
        }
    }

    /// Every transaction id in blocks 1… in order, and each block's transaction count.
    static func chain(of reader: OrdererClient) async throws -> (transactions: [String], blockSizes: [Int]) {
        let fetched = try await reader.blocks(channel: "mychannel", start: .first, stop: .last)
        guard fetched.status == .success else { return ([], []) }
        var transactions: [String] = []
        for block in fetched.blocks.dropFirst() {
            transactions += block.transactionIDs
        }
        return (transactions, fetched.blocks.dropFirst().map(\.data.data.count))
    }

    @Test func concurrentClientsAndAKillNineLoseNothingAndOrderOnlyResentCopiesTwice() async throws {
        let orderer = try await OrdererUnderTest(maxMessageCount: 50, batchTimeout: "50ms")
        defer { orderer.remove() }
        try await orderer.start()
        let created = try await orderer.cli(["channel", "create", "mychannel"])
        #expect(created.status == 0, "\(created.errors)\n\(orderer.logs)")

        let clients = [try orderer.client(org: 1, user: 1), try orderer.client(org: 2, user: 1)]
        let batches = try clients.map { client in
            try (0..<500).map { index in
                try TransactionBuilder.make(channel: "mychannel", writes: [("key-\(index)", Data("value".utf8))], creator: client.signer)
            }
        }
        let acknowledgements = Acknowledgements()
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (client, batch) in zip(clients, batches) {
                    group.addTask { try await self.submit(batch.map { ($0.envelope, $0.txID) }, with: client, acknowledgements: acknowledgements) }
                }
                group.addTask {
                    // Mid-stream: once 300 are acknowledged, kill -9 and restart.
                    try await eventually(seconds: 60, "300 acknowledgements") { await acknowledgements.count >= 300 }
                    orderer.process?.kill(SIGKILL)
                    try await eventually("orderer gone") { orderer.process?.hasExited ?? true }
                    try await orderer.start(joinedHome: true)
                }
                try await group.waitForAll()
            }
        } catch {
            Issue.record("\(error)\n--- orderer logs ---\n\(orderer.logs)")
            return
        }
        #expect(await acknowledgements.count == 1000)
        #expect(orderer.starts == 2, "the orderer was killed and restarted mid-stream")
        #expect(orderer.logs.contains("resumed at height"))
        #expect(orderer.log(ofStart: 1).contains("Swift concurrency runs on NIO's"), "a node's jobs and timers run on its event loops")
        #expect(orderer.log(ofStart: 2).contains("Swift concurrency runs on NIO's"), "so they do when `--home=DIR` is parsed by ArgumentParser")

        // Everything acknowledged is in the chain, in blocks within the limits; a transaction is
        // there twice only if its client sent it twice (the orderer's own replay adds no copy).
        let reader = clients[0]
        let everyID = Set(batches.flatMap { $0.map(\.txID) })
        try await eventually(seconds: 30, "all 1000 transactions in blocks") {
            Set(try await Self.chain(of: reader).transactions) == everyID
        }
        let (transactions, blockSizes) = try await Self.chain(of: reader)
        #expect(blockSizes.allSatisfy { (1...50).contains($0) }, "\(blockSizes)")
        #expect(Set(transactions) == everyID)
        let resent = await acknowledgements.resent
        let copies = Dictionary(transactions.map { ($0, 1) }, uniquingKeysWith: +)
        for (id, count) in copies where count > 1 {
            #expect(resent.contains(id) && count == 2, "\(id) is in the chain \(count) times, sent again: \(resent.contains(id))")
        }

        // SIGTERM: a graceful stop with exit code 0.
        let process = try #require(orderer.process)
        process.kill(SIGTERM)
        try await eventually("orderer stopped") { process.hasExited }
        #expect(process.exitCode == 0, "\(process.log)")
        #expect(process.log.contains("got signal SIGTERM, stopping"), "it ran until the signal, not until some timeout")
    }

    @Test func cliSubmitsFetchesAndTheOperationsEndpointAnswers() async throws {
        let orderer = try await OrdererUnderTest(maxMessageCount: 10, batchTimeout: "50ms")
        defer { orderer.remove() }
        try await orderer.start()
        #expect(try await orderer.cli(["channel", "create", "mychannel"]).status == 0)
        let put = try await orderer.cli(["tx", "put", "greeting", "hello", "--channel", "mychannel", "--wait"])
        #expect(put.status == 0, "\(put.errors)")
        #expect(put.output.contains("block 1"))
        let fetched = try await orderer.cli(["block", "fetch", "newest", "--channel", "mychannel"])
        #expect(fetched.output.contains("block 1 of mychannel"))
        #expect(fetched.output.contains("signed by      OrdererMSP"))
        let json = try await orderer.cli(["block", "fetch", "0", "--channel", "mychannel", "--json"])
        #expect(json.output.contains("\"header\""))
        let stranger = try await orderer.cli(["tx", "put", "k", "v", "--channel", "mychannel", "--as", "Org1MSP/Admin", "--wait", "--timeout", "5"])
        #expect(stranger.status == 0, "admins are writers too: \(stranger.errors)")
        // Only the orderer org's admin may make the orderer join a channel.
        let notAdmin = try await orderer.cli(["channel", "create", "third", "--as", "Org1MSP/Admin"])
        #expect(notAdmin.status == 1)
        #expect(notAdmin.errors.contains("only an admin (NodeOU admin) of OrdererMSP"), "\(notAdmin.errors)")
        // Several channels at once.
        #expect(try await orderer.cli(["channel", "create", "second"]).status == 0)
        #expect(try await orderer.cli(["tx", "put", "k", "v", "--channel", "second", "--wait"]).output.contains("block 1"))
        #expect(try await orderer.cli(["block", "fetch", "oldest", "--channel", "second"]).output.contains("block 0 of second"))
        let noChannel = try await orderer.cli(["tx", "put", "k", "v", "--channel", "nochannel"])
        #expect(noChannel.status == 1)
        #expect(noChannel.errors.contains("nochannel"))

        let health = try await HTTPProbe.get(port: orderer.operationsPort, path: "/healthz")
        #expect(health.status == 200)
        #expect(health.body.contains(#""status":"OK""#))
        let metrics = try await HTTPProbe.get(port: orderer.operationsPort, path: "/metrics").body
        #expect(metrics.contains(#"fabnet_ledger_height{channel="mychannel"} 3"#), "\(metrics)")
        #expect(metrics.contains(#"fabnet_ledger_height{channel="second"} 2"#), "\(metrics)")
        #expect(try await HTTPProbe.get(port: orderer.operationsPort, path: "/version").body.contains("Version"))
        #expect(try await HTTPProbe.get(port: orderer.operationsPort, path: "/nope").status == 404)
    }

    /// A node stopped while a client keeps a connection open (a peer's deliver stream waiting
    /// for the next block) still exits: the listener gives open connections its grace, then
    /// cancels their handlers. (It waited for them forever once, so `fabnet stop` needed SIGKILL.)
    @Test func aSIGTERMWhileADeliverStreamWaitsStillStopsTheOrderer() async throws {
        let orderer = try await OrdererUnderTest(maxMessageCount: 10, batchTimeout: "50ms")
        defer { orderer.remove() }
        try await orderer.start()
        #expect(try await orderer.cli(["channel", "create", "mychannel"]).status == 0)
        let client = try orderer.client(org: 1, user: 1)
        let delivered = Mutex(0)
        let waiting = Task {
            try await client.blocks(channel: "mychannel", start: .number(0), stop: .number(UInt64.max),
                                    failIfNotReady: false, collect: false) { _ in
                delivered.withLock { $0 += 1 }
                return true
            }
        }
        defer { waiting.cancel() }
        let process = try #require(orderer.process)
        // Block 0 came: the stream is open and now waits for block 1.
        try await eventually("block 0 on the deliver stream") { delivered.withLock { $0 } >= 1 }
        process.kill(SIGTERM)
        try await eventually(seconds: 30, "orderer stopped with a deliver stream open") { process.hasExited }
        #expect(process.exitCode == 0, "\(process.log)")
        #expect(process.log.contains("stopped"), "\(process.log)")
    }

    /// `fabnet bench catchup --blocks 50000` hung: the client sent every envelope before reading
    /// an answer, both sides' buffers filled with answers and neither read. 400 refusals for a
    /// channel the orderer does not have (cheap to make and to answer), each about 120 KB as it
    /// names the 60 KB channel name, are 48 MB of answers to 24 MB of envelopes, far more than
    /// the sockets buffer: they must all come back over one connection.
    @Test func broadcastsWhoseAnswersOutgrowTheBuffersAllGetTheirAnswer() async throws {
        let orderer = try await OrdererUnderTest(maxMessageCount: 10, batchTimeout: "50ms")
        defer { orderer.remove() }
        try await orderer.start()
        let client = try orderer.client(org: 1, user: 1)
        let channel = "nochannel-" + String(repeating: "x", count: 60_000)
        let envelope = try TransactionBuilder.make(channel: channel, writes: [("k", Data("v".utf8))], creator: client.signer).envelope
        let responses = try await withDeadline(seconds: 120) {
            try await client.broadcast(Array(repeating: envelope, count: 400))
        }
        #expect(responses.count == 400)
        #expect(responses.first?.info.contains(channel) == true, "each answer names the channel (that makes it large)")
        #expect(responses.allSatisfy { $0.status == .notFound })
    }
}
