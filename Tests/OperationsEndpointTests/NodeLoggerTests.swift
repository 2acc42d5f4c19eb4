import Logging
import OperationsEndpoint
import Synchronization
import Testing

/// Lines a test's node logged.
final class Lines: Sendable {
    private let storage = Mutex<[String]>([])
    var all: [String] { storage.withLock { $0 } }
    var sink: ClosureSink { ClosureSink { line in self.storage.withLock { $0.append(line) } } }
}

@Suite struct NodeLoggerTests {
    @Test func aLineCarriesTimeWithMillisecondsNodeLevelAndModule() throws {
        let lines = Lines()
        let node = NodeLogger(name: "peer0.org1.example.com", sink: lines.sink)
        node.logger("gossip").warning("peer1 is dead")
        let line = try #require(lines.all.first)
        let pattern = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z peer0\.org1\.example\.com WARN \[gossip\] peer1 is dead$/
        #expect(line.wholeMatch(of: pattern) != nil, "\(line)")
    }

    @Test func everyLevelIsNamedOnItsLine() {
        let lines = Lines()
        let node = NodeLogger(name: "n", spec: "debug", sink: lines.sink)
        let logger = node.logger("ledger")
        logger.debug("a")
        logger.info("b")
        logger.error("c")
        #expect(lines.all.map { $0.split(separator: " ")[2] } == ["DEBU", "INFO", "ERRO"])
    }

    @Test func moduleOverridesAndTheDefaultDecideWhatIsWritten() throws {
        let lines = Lines()
        let node = NodeLogger(name: "n", spec: "gossip,deliver=debug:ledger=error:warning", sink: lines.sink)
        node.logger("gossip").debug("g")
        node.logger("deliver").debug("d")
        node.logger("ledger").warning("l-warning")
        node.logger("ledger").error("l-error")
        node.logger("comm").info("c-info")
        node.logger("comm").warning("c-warning")
        #expect(lines.all.map { String($0.split(separator: " ").last!) } == ["g", "d", "l-error", "c-warning"])
    }

    @Test func aNewSpecAppliesToLoggersMadeBefore() throws {
        let lines = Lines()
        let node = NodeLogger(name: "n", sink: lines.sink)
        let logger = node.logger("gossip")
        logger.debug("hidden")
        try node.setSpec("gossip=debug")
        logger.debug("shown")
        #expect(lines.all.count == 1)
        #expect(node.spec == "gossip=debug")
    }

    @Test func aMalformedSpecIsRefusedAndTheOldOneStays() throws {
        let node = NodeLogger(name: "n", spec: "warning", sink: Lines().sink)
        #expect(throws: LogSpecError.self) { try node.setSpec("gossip=loud") }
        #expect(node.spec == "warning")
        #expect(NodeLogger.initialSpec(environment: ["FABRIC_LOGGING_SPEC": "gossip=debug:info"]) == "gossip=debug:info")
        #expect(NodeLogger.initialSpec(environment: [:]) == "info")
    }

    @Test func aMultiLineMessageStaysOneLine() throws {
        let lines = Lines()
        NodeLogger(name: "n", sink: lines.sink).logger("peer").info("first\nsecond")
        #expect(try #require(lines.all.first).hasSuffix("first\\nsecond"))
    }

    @Test func metadataFollowsTheMessageSortedByKey() throws {
        let lines = Lines()
        var logger = NodeLogger(name: "n", sink: lines.sink).logger("comm")
        logger[metadataKey: "peer"] = "peer1"
        logger.info("dial failed", metadata: ["attempt": "2"])
        #expect(try #require(lines.all.first).hasSuffix("[comm] dial failed attempt=2 peer=peer1"))
    }
}
