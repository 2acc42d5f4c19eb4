@testable import ChaincodeRuntime
import FabricWire
import Foundation
import Testing

/// The client against Hyperledger's own Python shim and contract API (fabric-chaincode-python),
/// running Tests/fabric/chaincode/asset_transfer.py. Runs only where `make fabric-venv` made
/// `.venv-fabric`.
@Suite(.enabled(if: ChaincodeProcess.available, "needs `make fabric-venv`"), .timeLimit(.minutes(3)))
struct PythonShimTests {
    func client(port: Int) -> ChaincodeClient {
        ChaincodeClient(name: "basic", endpoint: ChaincodeEndpoint(host: "127.0.0.1", port: port),
                        options: .init(registrationTimeout: .seconds(5), initialBackoff: .milliseconds(100),
                                       maximumBackoff: .milliseconds(500), rangeBatchSize: 2))
    }

    func call(_ client: ChaincodeClient, _ txID: String, _ args: [String], _ state: InMemoryCommittedState,
              timeout: Duration = .seconds(30)) async throws -> ChaincodeInvocation {
        try await client.invoke(channel: "mychannel", txID: txID,
                                signedProposal: try signedProposal(channel: "mychannel", txID: txID, chaincode: "basic", args: args),
                                input: input(args), state: state, timeout: timeout)
    }

    /// The contract's asset, as JSON.
    struct Asset: Codable, Equatable {
        var ID: String
        var Color: String
        var Size: Int
        var Owner: String
        var AppraisedValue: Int
    }

    func asset(_ data: Data) throws -> Asset { try JSONDecoder().decode(Asset.self, from: data) }

    @Test func theAssetTransferContractCreatesReadsAndListsAssets() async throws {
        try await withChaincodeProcess { chaincode in
            let client = self.client(port: chaincode.port)
            try await withRunning(client) {
                try await client.waitUntilReady(timeout: .seconds(60))
                var state = InMemoryCommittedState()

                let created = try await self.call(client, "tx-create-1", ["CreateAsset", "asset1", "blue", "5", "Tom", "300"], state)
                #expect(created.response.status == 200, "\(created.response.message)")
                var set = try created.readWriteSet.set("basic")
                #expect(set.reads.map(\.key) == ["asset1"])
                #expect(!set.reads[0].hasVersion, "asset1 was absent")
                let write = try #require(set.writes.first)
                #expect(set.writes.count == 1 && write.key == "asset1" && !write.isDelete)
                #expect(try self.asset(write.value) == Asset(ID: "asset1", Color: "blue", Size: 5, Owner: "Tom", AppraisedValue: 300))
                state.set(namespace: "basic", key: "asset1", value: write.value, block: 1, transaction: 0)

                let read = try await self.call(client, "tx-read-1", ["ReadAsset", "asset1"], state)
                #expect(read.response.status == 200, "\(read.response.message)")
                #expect(try self.asset(read.response.payload) == Asset(ID: "asset1", Color: "blue", Size: 5, Owner: "Tom", AppraisedValue: 300))
                set = try read.readWriteSet.set("basic")
                #expect(set.reads.map(\.key) == ["asset1"] && set.reads[0].version == version(1, 0))
                #expect(set.writes.isEmpty)

                let again = try await self.call(client, "tx-create-again", ["CreateAsset", "asset1", "red", "1", "Ann", "1"], state)
                #expect(again.response.status == 500)
                #expect(again.response.message.contains("already exists"), "\(again.response.message)")

                for number in 2...5 {
                    let invocation = try await self.call(client, "tx-create-\(number)",
                                                         ["CreateAsset", "asset\(number)", "green", "\(number)", "Max", "\(number * 100)"], state)
                    let value = try #require(try invocation.readWriteSet.set("basic").writes.first).value
                    state.set(namespace: "basic", key: "asset\(number)", value: value, block: UInt64(number), transaction: 0)
                }

                // Five assets in pages of two: GET_STATE_BY_RANGE, QUERY_STATE_NEXT twice, QUERY_STATE_CLOSE.
                let all = try await self.call(client, "tx-all", ["GetAllAssets"], state)
                #expect(all.response.status == 200, "\(all.response.message)")
                let listed = try JSONDecoder().decode([Asset].self, from: all.response.payload)
                #expect(listed.map(\.ID) == ["asset1", "asset2", "asset3", "asset4", "asset5"])
                #expect(listed[2] == Asset(ID: "asset3", Color: "green", Size: 3, Owner: "Max", AppraisedValue: 300))
                set = try all.readWriteSet.set("basic")
                #expect(set.reads.isEmpty && set.writes.isEmpty)
                let range = try #require(set.rangeQueriesInfo.first)
                #expect(set.rangeQueriesInfo.count == 1)
                #expect(range.startKey == "" && range.endKey == "" && range.itrExhausted)
                #expect(range.rawReads.kvReads.map(\.key) == ["asset1", "asset2", "asset3", "asset4", "asset5"])
                #expect(range.rawReads.kvReads.map(\.version.blockNum) == [1, 2, 3, 4, 5])

                // Calls made together: the client takes them in turn (maxConcurrentCalls is 1, as this
                // shim loses messages when two transactions write to the stream at once).
                let snapshot = state
                async let first = self.call(client, "tx-par-1", ["ReadAsset", "asset2"], snapshot)
                async let second = self.call(client, "tx-par-2", ["ReadAsset", "asset3"], snapshot)
                let both = try await [first, second]
                #expect(both.map(\.response.status) == [200, 200])
                #expect(try both.map { try self.asset($0.response.payload).ID } == ["asset2", "asset3"])

                let transferred = try await self.call(client, "tx-transfer", ["TransferAsset", "asset1", "Max"], state)
                #expect(transferred.response.payload == bytes("Tom"))
                let deleted = try await self.call(client, "tx-delete", ["DeleteAsset", "asset2"], state)
                #expect(deleted.response.status == 200)
                #expect(try deleted.readWriteSet.set("basic").writes.map(\.isDelete) == [true])
            }
        }
    }

    @Test func aStoppedChaincodeGivesAClearErrorWithinTheTimeout() async throws {
        try await withChaincodeProcess { chaincode in
            let client = self.client(port: chaincode.port)
            try await withRunning(client) {
                try await client.waitUntilReady(timeout: .seconds(60))
                let state = InMemoryCommittedState()
                _ = try await self.call(client, "tx-before", ["AssetExists", "asset1"], state)
                await chaincode.stop()
                let started = ContinuousClock.now
                let error = await #expect(throws: ChaincodeError.self) {
                    try await self.call(client, "tx-after", ["AssetExists", "asset1"], state, timeout: .seconds(30))
                }
                #expect(ContinuousClock.now - started < .seconds(10), "fails fast, not at the call's 30 s timeout")
                #expect(error?.description.contains("127.0.0.1:\(chaincode.port)") == true, "\(String(describing: error))")
            }
        }
    }
}
