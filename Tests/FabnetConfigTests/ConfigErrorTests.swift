import Foundation
import Testing
@testable import FabnetConfig

/// Every kind of bad input gets an error that names the place (file:line), the key, and a fix,
/// and never a crash.
@Suite struct ConfigErrorTests {
    /// One broken description: the edit that breaks `minimalNetwork`, what the error must say,
    /// and a text on the line it must point at.
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let replace: String
        let with: String
        let message: String
        let lineMarker: String?

        var yaml: String {
            precondition(minimalNetwork.contains(replace), "\(name): '\(replace)' not in the minimal network")
            return minimalNetwork.replacingOccurrences(of: replace, with: with)
        }

        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "YAML syntax error", replace: "    ID: Org1MSP\n", with: "    ID: Org1MSP\n   Bad: indent\n",
             message: "YAML syntax error", lineMarker: "Bad: indent"),
        Case(name: "unknown alias", replace: "        - *Org1", with: "        - *Org9",
             message: "unknown alias", lineMarker: "*Org9"),
        Case(name: "missing Name", replace: "    Name: Org1MSP\n", with: "",
             message: "required key 'Name' is missing", lineMarker: "&Org1"),
        Case(name: "missing ID", replace: "    ID: Org1MSP\n", with: "",
             message: "required key 'ID' is missing", lineMarker: "&Org1"),
        Case(name: "duplicate MSP ID", replace: "    ID: Org1MSP\n", with: "    ID: OrdererMSP\n",
             message: "duplicate MSP ID 'OrdererMSP'", lineMarker: "&Org1"),
        Case(name: "duplicate anchor host:port",
             replace: "        Port: 7051\nOrderer", with: "        Port: 7051\n      - Host: peer0.org1.example.com\n        Port: 7051\nOrderer",
             message: "duplicate host:port peer0.org1.example.com:7051", lineMarker: nil),
        Case(name: "two nodes on one port", replace: "      Port: 7051\n", with: "      Port: 7049\n",
             message: "duplicate port 7050", lineMarker: "Port: 7049"),
        Case(name: "anchor peer not a peer of its org", replace: "      - Host: peer0.org1.example.com", with: "      - Host: peer5.org1.example.com",
             message: "anchor peer peer5.org1.example.com:7051 is not a peer of Org1MSP", lineMarker: "peer5.org1"),
        Case(name: "port out of range", replace: "        Port: 7051", with: "        Port: 70510",
             message: "port 70510 is out of range", lineMarker: "Port: 70510"),
        Case(name: "profile naming an unknown org", replace: "        - *Org1", with: "        - Org9MSP",
             message: "names organization 'Org9MSP', which is not defined under Organizations", lineMarker: "- Org9MSP"),
        Case(name: "unparseable size", replace: "AbsoluteMaxBytes: 10 MB", with: "AbsoluteMaxBytes: 10 XB",
             message: "cannot read '10 XB' as a size", lineMarker: "10 XB"),
        Case(name: "unparseable duration", replace: "BatchTimeout: 1s", with: "BatchTimeout: soon",
             message: "cannot read 'soon' as a positive duration", lineMarker: "BatchTimeout"),
        Case(name: "zero count", replace: "      Count: 2", with: "      Count: 0",
             message: "must be at least 1, found 0", lineMarker: "Count: 0"),
        Case(name: "negative count", replace: "    Domain: org1.example.com\n", with: "    Domain: org1.example.com\n    Users: -1\n",
             message: "must be at least 0, found -1", lineMarker: "Users: -1"),
        Case(name: "MaxMessageCount 0", replace: "MaxMessageCount: 10", with: "MaxMessageCount: 0",
             message: "must be at least 1, found 0: the orderer could never cut a block", lineMarker: "MaxMessageCount: 0"),
        Case(name: "PreferredMaxBytes above AbsoluteMaxBytes", replace: "PreferredMaxBytes: 2 MB", with: "PreferredMaxBytes: 20 MB",
             message: "PreferredMaxBytes (20 MB) is above AbsoluteMaxBytes (10 MB)", lineMarker: "PreferredMaxBytes"),
        Case(name: "channel names an unknown profile", replace: "Profiles:", with: "Channels:\n  - Name: ch\n    Profile: Nope\nProfiles:",
             message: "names profile 'Nope', which is not under Profiles", lineMarker: "- Name: ch"),
        Case(name: "invalid channel name", replace: "Profiles:", with: "Channels:\n  - Name: My_Channel\n    Profile: Chan\nProfiles:",
             message: "'My_Channel' is not a valid channel name", lineMarker: "My_Channel"),
        Case(name: "no orderer", replace: "    OrdererEndpoints:\n      - orderer.example.com:7050\n", with: "",
             message: "has no orderer node", lineMarker: "&Orderer"),
    ]

    @Test(arguments: cases)
    func errorNamesThePlaceAndTheKey(_ testCase: Case) throws {
        let found = issues(of: testCase.yaml)
        let error = try #require(found.first { $0.severity == .error && $0.message.contains(testCase.message) },
                                 "no error containing '\(testCase.message)' among: \(found.map(\.description))")
        #expect(error.location?.file == "net.yaml")
        if let marker = testCase.lineMarker {
            #expect(error.location?.line == line(of: marker, in: testCase.yaml), "\(error)")
        }
        #expect(error.location?.column != nil)
        #expect(error.hint != nil || error.key != nil)
    }

    @Test func everyErrorIsReportedNotOnlyTheFirst() {
        let yaml = minimalNetwork
            .replacingOccurrences(of: "MaxMessageCount: 10", with: "MaxMessageCount: 0")
            .replacingOccurrences(of: "BatchTimeout: 1s", with: "BatchTimeout: soon")
            .replacingOccurrences(of: "        Port: 7051", with: "        Port: 0")
        let errors = issues(of: yaml).filter { $0.severity == .error }
        #expect(errors.count >= 3, "\(errors)")
    }

    @Test func aliasedSectionReportsItsProblemOnce() {
        // The Orderer section is merged into the profile; its bad value is reported once.
        let yaml = minimalNetwork.replacingOccurrences(of: "BatchTimeout: 1s", with: "BatchTimeout: soon")
        #expect(issues(of: yaml).filter { $0.message.contains("soon") }.count == 1)
    }

    @Test func missingFileIsAClearError() throws {
        let error = try #require(throws: ConfigLoadError.self) {
            try NetworkLoader.load(file: URL(fileURLWithPath: "/nonexistent/configtx.yaml"))
        }
        #expect(error.errors.first?.message == "file not found")
        #expect(error.description.contains("/nonexistent/configtx.yaml"))
    }

    @Test func emptyFileIsAClearError() {
        #expect(issues(of: "").contains { $0.message == "the file is empty" })
    }

    @Test func unknownKeyIsAWarningWithASuggestion() throws {
        let yaml = minimalNetwork.replacingOccurrences(of: "    AnchorPeers:", with: "    AnchorPeer:\n      - Host: x\n    AnchorPeers:")
        let warning = try #require(issues(of: yaml).first { $0.message.contains("unknown key 'AnchorPeer'") })
        #expect(warning.severity == .warning)
        #expect(warning.hint == "did you mean 'AnchorPeers'?")
    }

    @Test func messageFormatIsFileLineColumnThenKey() throws {
        let yaml = minimalNetwork.replacingOccurrences(of: "MaxMessageCount: 10", with: "MaxMessageCount: 0")
        let error = try #require(issues(of: yaml).first { $0.severity == .error })
        let expectedLine = try #require(line(of: "MaxMessageCount: 0", in: yaml))
        #expect(error.description.hasPrefix("net.yaml:\(expectedLine):"))
        #expect(error.description.contains("error: Orderer.BatchSize.MaxMessageCount: "))
        #expect(error.description.contains("fix: "))
    }
}
