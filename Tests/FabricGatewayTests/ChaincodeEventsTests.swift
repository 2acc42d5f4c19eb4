@testable import FabricGateway
import FabricPolicy
import FabricWire
import Foundation
import GRPCCore
import Orchestrator
import Testing

/// ChaincodeEvents as Fabric's gateway serves it: which events count (pure), where the stream
/// starts and resumes, and who may read it (over a real gRPC endpoint on a fake peer).
@Suite struct ChaincodeEventsTests {
    static func request(start: Orderer_SeekPosition? = nil, after: String = "", chaincode: String = "basic",
                        signature: String = "good") throws -> Gateway_SignedChaincodeEventsRequest {
        let request = Gateway_ChaincodeEventsRequest.with {
            $0.channelID = "mychannel"
            $0.chaincodeID = chaincode
            $0.identity = Data("client".utf8)
            if let start { $0.startPosition = start }
            $0.afterTransactionID = after
        }
        return try .with { $0.request = try request.serializedBytes(); $0.signature = Data(signature.utf8) }
    }

    static func specified(_ number: UInt64) -> Orderer_SeekPosition { .with { $0.specified.number = number } }

    @Test func onlyValidTransactionsOfTheChaincodeCountAndAResumeSkipsUpToItsTransaction() throws {
        let block = try blockWithEvents(number: 4, [("basic", "first", .valid), ("basic", "conflicted", .mvccReadConflict),
                                                   ("other", "elsewhere", .valid), ("basic", nil, .valid), ("basic", "last", .valid)])
        let events = ChaincodeEventScan.events(in: block, chaincode: "basic")
        #expect(events.map(\.eventName) == ["first", "last"])
        #expect(events.allSatisfy { $0.chaincodeID == "basic" && !$0.txID.isEmpty })
        let resumed = ChaincodeEventScan.events(in: block, chaincode: "basic", after: events[0].txID)
        #expect(resumed.map(\.eventName) == ["last"])
        #expect(ChaincodeEventScan.events(in: block, chaincode: "basic", after: "not-in-this-block").count == 2)
        var unflagged = block
        unflagged.metadata = Common_BlockMetadata()
        #expect(ChaincodeEventScan.events(in: unflagged, chaincode: "basic").isEmpty, "no flags, nothing is known valid")
    }

    @Test func theStreamStartsWhereAskedAndFollowsNewBlocks() async throws {
        let backend = FakeBackend(endorsers: [])
        await backend.chain.append(try blockWithEvents(number: 0, [("basic", "zero", .valid)]))
        await backend.chain.append(try blockWithEvents(number: 1, [("other", "not ours", .valid)]))
        let request = try Self.request(start: Self.specified(0))
        let received = try await withGateway(backend) { gateway in
            try await gateway.chaincodeEvents(request) { response in
                var seen: [(UInt64, [String])] = []
                for try await message in response.messages {
                    seen.append((message.blockNumber, message.events.map(\.eventName)))
                    if seen.count == 1 {
                        // Block 1 holds nothing of ours; block 2 is committed while the stream waits.
                        await backend.chain.append(try blockWithEvents(number: 2, [("basic", "two", .valid)]))
                    }
                    if seen.count == 2 { break }
                }
                return seen
            }
        }
        #expect(received.map(\.0) == [0, 2])
        #expect(received.map(\.1) == [["zero"], ["two"]])
    }

    @Test func theDefaultStartIsTheNextCommitAndAResumeSkipsTheHandledTransaction() async throws {
        let backend = FakeBackend(endorsers: [])
        let old = try blockWithEvents(number: 0, [("basic", "a", .valid), ("basic", "b", .valid)])
        await backend.chain.append(old)
        let handled = ChaincodeEventScan.events(in: old, chaincode: "basic")[0].txID
        let resumed = try await withGateway(backend) { gateway in
            try await gateway.chaincodeEvents(try Self.request(start: Self.specified(0), after: handled)) { response in
                for try await message in response.messages { return message.events.map(\.eventName) }
                return []
            }
        }
        #expect(resumed == ["b"])
        let next = try await withGateway(backend) { gateway in
            try await gateway.chaincodeEvents(try Self.request()) { response in
                var messages = response.messages.makeAsyncIterator()
                // Block 1 is committed once the call waits for the next commit (it chose its start).
                try await eventually(seconds: 20, "the call to wait for the next block") { await backend.chain.waiting == 1 }
                await backend.chain.append(try blockWithEvents(number: 1, [("basic", "new", .valid)]))
                return try await messages.next().map { ($0.blockNumber, $0.events.map(\.eventName)) }
            }
        }
        #expect(next?.0 == 1 && next?.1 == ["new"], "block 0 was committed before the call: not sent")

        // Resuming after a committed transaction starts at its block, whatever the start position
        // (here none: the next commit would skip block 0's "b").
        let fromItsBlock = try await withGateway(backend) { gateway in
            try await gateway.chaincodeEvents(try Self.request(after: handled)) { response in
                for try await message in response.messages { return (message.blockNumber, message.events.map(\.eventName)) }
                return (UInt64.max, [])
            }
        }
        #expect(fromItsBlock.0 == 0 && fromItsBlock.1 == ["b"])
    }

    @Test func aResumeAfterAnInvalidTransactionSkipsItToo() throws {
        let block = try blockWithEvents(number: 3, [("basic", "before", .valid), ("basic", "conflicted", .mvccReadConflict),
                                                   ("basic", "after", .valid)])
        let invalid = ChaincodeEventScan.events(in: try blockWithEvents(number: 3, [("basic", "x", .valid), ("basic", "y", .valid), ("basic", "z", .valid)]),
                                                chaincode: "basic")[1].txID
        #expect(ChaincodeEventScan.events(in: block, chaincode: "basic", after: invalid).map(\.eventName) == ["after"])
    }

    @Test func refusalsCarryFabricsCodes() async throws {
        func failure(_ backend: FakeBackend, _ request: Gateway_SignedChaincodeEventsRequest) async throws -> RPCError {
            try await withGateway(backend) { gateway in
                try await rpcError {
                    try await gateway.chaincodeEvents(request) { response in for try await _ in response.messages {} }
                }
            }
        }
        let backend = FakeBackend(endorsers: [])
        let oldest = try await failure(backend, try Self.request(start: .with { $0.oldest = Orderer_SeekOldest() }))
        #expect(oldest.code == .invalidArgument && oldest.message.hasPrefix("invalid start position type: oldest"))
        let forged = try await failure(backend, try Self.request(signature: "forged"))
        #expect(forged.code == .permissionDenied)
        let orderer = FakeBackend(endorsers: [], commitStatusSigner: PolicySigner(mspID: "OrdererMSP", roles: [.member, .orderer]))
        let notReader = try await failure(orderer, try Self.request())
        #expect(notReader.code == .permissionDenied && notReader.message.contains("may not read the events of channel 'mychannel'"))
        let noChaincode = try await failure(backend, try Self.request(chaincode: ""))
        #expect(noChaincode.code == .invalidArgument && noChaincode.message == "no chaincode ID provided")
    }
}
