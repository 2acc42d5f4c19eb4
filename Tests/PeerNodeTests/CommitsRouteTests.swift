import Foundation
import OperationsEndpoint
import Testing
@testable import PeerNode

/// `GET /commits/<channel>?from=N` over a peer's `CommitRecords`.
@Suite struct CommitsRouteTests {
    struct Body: Decodable { let channel: String; let blocks: [[Int64]] }

    static func records(channel: String = "mychannel", blocks: Int = 6) -> CommitRecords {
        var records = CommitRecords()
        for number in 0..<blocks {
            records.record(channel: channel, number: UInt64(number), cut: Date(timeIntervalSince1970: Double(number)),
                           committed: Date(timeIntervalSince1970: Double(number) + 0.5))
        }
        return records
    }

    func answer(_ uri: String, records: CommitRecords = records(), channels: [String] = ["mychannel"]) throws -> OperationsResponse {
        CommitsRoute.respond(to: try OperationsRequest(method: .GET, uri: uri), records: records, channels: channels)
    }

    func body(_ response: OperationsResponse) throws -> Body {
        try JSONDecoder().decode(Body.self, from: Data(response.body.utf8))
    }

    @Test func onlyBlocksFromNOnAreListed() throws {
        let response = try answer("/commits/mychannel?from=3")
        #expect(response.status == .ok)
        let body = try body(response)
        #expect(body.channel == "mychannel")
        #expect(body.blocks == [[3, 3_000_000_000, 3_500_000_000], [4, 4_000_000_000, 4_500_000_000], [5, 5_000_000_000, 5_500_000_000]])
    }

    @Test func withoutFromEveryBlockIsListed() throws {
        #expect(try body(try answer("/commits/mychannel")).blocks.map { $0[0] } == [0, 1, 2, 3, 4, 5])
        #expect(try body(try answer("/commits/mychannel?from=6")).blocks.isEmpty)
    }

    @Test func aFromThatIsNotANumberIs400SayingWhatToSend() throws {
        for from in ["abc", "-1", "3.5", ""] {
            let response = try answer("/commits/mychannel?from=\(from)")
            #expect(response.status == .badRequest)
            #expect(response.body.contains("is not a block number: send a whole number of 0 or more, e.g. /commits/mychannel?from=5"), "\(response.body)")
        }
    }

    @Test func aChannelNotJoinedIs404NamingTheJoinedOnes() throws {
        let response = try answer("/commits/other?from=1")
        #expect(response.status == .notFound)
        #expect(response.body.contains("this peer has not joined channel 'other' (joined: mychannel)"))
    }

    @Test func theChannelNameIsEscaped() throws {
        let name = #"we"ird\"#
        let response = try answer("/commits/we%22ird%5C?from=4", records: Self.records(channel: name), channels: [name])
        let body = try body(response)
        #expect(body.channel == name)
        #expect(body.blocks.map { $0[0] } == [4, 5])
    }
}
