@testable import FabricServices
import FabricWire
import Foundation
import Testing

/// SeekPlan resolves positions with Fabric's rules (common/deliver) against a ledger of height 5.
struct SeekPlanTests {
    let height: UInt64 = 5

    func plan(_ start: Orderer_SeekPosition, _ stop: Orderer_SeekPosition,
              _ behavior: Orderer_SeekInfo.SeekBehavior = .blockUntilReady) throws -> SeekPlan {
        try SeekPlan(seekInfo(from: start, to: stop, behavior), height: height)
    }

    @Test func startPositions() throws {
        #expect(try plan(.oldestBlock, .block(4)).first == 0)
        #expect(try plan(.newestBlock, .block(4)).first == 4)
        #expect(try plan(.block(2), .block(4)).first == 2)
        #expect(try plan(.nextCommitBlock, .block(9)).first == 5)
    }

    @Test func stopPositions() throws {
        #expect(try plan(.block(2), .oldestBlock).last == 2)
        #expect(try plan(.oldestBlock, .newestBlock).last == 4)
        #expect(try plan(.newestBlock, .newestBlock).last == 4)
        #expect(try plan(.block(1), .block(3)).last == 3)
        #expect(try plan(.block(1), .nextCommitBlock).last == nil)
        #expect(try plan(.oldestBlock, .nextCommitBlock).last == 0)
        // A Newest stop below a later start is never met in Fabric: the stream follows the chain.
        #expect(try plan(.block(7), .newestBlock).last == nil)
    }

    @Test func startAfterStopIsABadRequest() throws {
        #expect(throws: DeliverRejection.self) { try plan(.block(3), .block(2)) }
        do {
            _ = try plan(.block(3), .block(2))
        } catch {
            let rejection = error as? DeliverRejection
            #expect(rejection?.status == .badRequest)
            #expect(rejection?.reason.contains("starts at block 3") == true)
        }
    }

    @Test func missingPositionsAreBadRequests() throws {
        var info = Orderer_SeekInfo()
        info.start = .oldestBlock
        #expect(throws: DeliverRejection(.badRequest, "the SeekInfo lacks a stop position")) {
            try SeekPlan(info, height: 5)
        }
        info.stop = Orderer_SeekPosition()
        #expect(throws: DeliverRejection.self) { try SeekPlan(info, height: 5) }
    }

    @Test func stepsFollowBehavior() throws {
        let waiting = try plan(.block(3), .block(6))
        #expect(waiting.step(next: 3, height: height) == .send(3))
        #expect(waiting.step(next: 5, height: height) == .wait(for: 5))
        #expect(waiting.step(next: 7, height: height) == .done)
        let failing = try plan(.block(3), .block(6), .failIfNotReady)
        #expect(failing.step(next: 4, height: height) == .send(4))
        #expect(failing.step(next: 5, height: height) == .notFound(5))
    }

    @Test func emptyLedgerNewestIsBlockZero() throws {
        let plan = try SeekPlan(seekInfo(from: .newestBlock, to: .newestBlock, .failIfNotReady), height: 0)
        #expect(plan.first == 0 && plan.last == 0)
        #expect(plan.step(next: 0, height: 0) == .notFound(0))
    }

    @Test func headerWithSigDropsDataExceptFromConfigBlocks() throws {
        var info = seekInfo(from: .oldestBlock, to: .newestBlock)
        info.contentType = .headerWithSig
        let plan = try SeekPlan(info, height: height)
        let block = Common_Block.with { $0.header.number = 3; $0.data.data = [Data("tx".utf8)]; $0.metadata.metadata = [Data("sig".utf8)] }
        let shaped = plan.shaped(block)
        #expect(!shaped.hasData && shaped.header == block.header && shaped.metadata == block.metadata)

        let configHeader: Data = try Common_ChannelHeader.with { $0.type = Int32(Common_HeaderType.config.rawValue) }.serializedBytes()
        let configPayload: Data = try Common_Payload.with { $0.header.channelHeader = configHeader }.serializedBytes()
        let config = try Common_Block.with {
            $0.data.data = [try Common_Envelope.with { $0.payload = configPayload }.serializedBytes()]
        }
        #expect(plan.shaped(config) == config)
    }

    @Test func walkSendsTheRangeThenSuccessOrNotFound() async throws {
        let ledger = FixedLedger(count: 5)
        var sent: [UInt64] = []
        let status = try await plan(.block(1), .block(3)).deliver(from: ledger) { sent.append($0.header.number) }
        #expect(sent == [1, 2, 3] && status == .success)
        sent = []
        let missing = try await plan(.block(3), .block(8), .failIfNotReady).deliver(from: ledger) { sent.append($0.header.number) }
        #expect(sent == [3, 4] && missing == .notFound)
    }
}
