@testable import FabricServices
import FabricWire
import Foundation
import Testing

/// SeekRequest takes a Deliver envelope apart and answers BAD_REQUEST for what Fabric refuses.
struct SeekRequestTests {
    @Test func parsesAWellFormedSeek() throws {
        let hash = Data(repeating: 7, count: 32)
        let request = try SeekRequest(parsing: try seekEnvelope(seekInfo(from: .oldestBlock, to: .block(2)), tlsCertHash: hash))
        #expect(request.channelID == "mychannel")
        #expect(request.tlsCertificateHash == hash)
        #expect(request.creator == Data("creator".utf8))
        #expect(request.seekInfo.stop == .block(2))
    }

    func rejection(_ envelope: Common_Envelope) -> DeliverRejection? {
        do {
            _ = try SeekRequest(parsing: envelope)
            return nil
        } catch {
            return error
        }
    }

    @Test func refusesWhatFabricRefuses() throws {
        let info = seekInfo(from: .oldestBlock, to: .newestBlock)
        let cases: [(Common_Envelope, String)] = [
            (Common_Envelope.with { $0.payload = Data([0xFF, 0xFF]) }, "payload"),
            (try seekEnvelope(info, type: .endorserTransaction), "DELIVER_SEEK_INFO"),
            (try seekEnvelope(info, channel: ""), "names no channel"),
            (try seekEnvelope(info, timestamp: Date().addingTimeInterval(-3600)), "timestamp"),
            (try seekEnvelope(Orderer_SeekInfo.with { $0.start = .oldestBlock }), "stop"),
        ]
        for (envelope, words) in cases {
            let refused = rejection(envelope)
            #expect(refused?.status == .badRequest, "\(words)")
            #expect(refused?.reason.contains(words) == true, "\(refused?.reason ?? "accepted") should mention \(words)")
        }
    }

    @Test func timeWindowCanBeSkipped() throws {
        let old = try seekEnvelope(seekInfo(from: .oldestBlock, to: .newestBlock), timestamp: Date(timeIntervalSince1970: 0))
        #expect(throws: Never.self) { try SeekRequest(parsing: old, timeWindow: nil) }
    }
}
