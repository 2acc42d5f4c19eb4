import FabnetModel
import Testing
@testable import PeerNode

/// The connection table's decisions, without sockets: events in, actions out, time passed in.
@Suite struct ConnectionTableTests {
    let peer1 = Endpoint(host: "peer1.org1.example.com", port: 7053)!
    let peer0org2 = Endpoint(host: "peer0.org2.example.com", port: 9051)!
    let id1 = PKIID([1])
    let id2 = PKIID([2])

    /// Fails `connection` to `endpoint` until the table gives up; the retry delays it asked for.
    func failUntilGivenUp(_ table: inout ConnectionTable, _ connection: ConnectionTable.ConnectionID, to endpoint: Endpoint,
                          at now: Duration) -> (delays: [Duration], last: ConnectionTable.DialFailureAction) {
        var delays: [Duration] = []
        while true {
            let action = table.dialFailed(connection, to: endpoint, reason: "connection refused", cancelled: false, now: now)
            guard case .retry(let delay) = action else { return (delays, action) }
            delays.append(delay)
        }
    }

    @Test func aSendToANewEndpointDialsAndLaterSendsQueueOnThatConnection() {
        var table = ConnectionTable()
        let first = table.send(to: peer1, expecting: id1, now: .zero)
        guard case .dial(let id) = first else { Issue.record("expected a dial, got \(first)"); return }
        #expect(table.connections[peer1] == ConnectionTable.Connection(id: id, expecting: id1, phase: .dialing(attempt: 1)))
        #expect(table.send(to: peer1, expecting: id1, now: .milliseconds(1)) == .enqueue(id))
        #expect(table.send(to: peer0org2, expecting: nil, now: .milliseconds(1)) == .dial(id + 1), "each endpoint has its own connection")
    }

    @Test func aFailingDialIsRetriedAfter50_100_200_400msThenTheEndpointCountsAsFailed() {
        var table = ConnectionTable()
        guard case .dial(let id) = table.send(to: peer1, expecting: nil, now: .zero) else { Issue.record("no dial"); return }
        let (delays, last) = failUntilGivenUp(&table, id, to: peer1, at: .seconds(1))
        #expect(delays == [.milliseconds(50), .milliseconds(100), .milliseconds(200), .milliseconds(400)])
        #expect(last == .giveUp(log: "cannot reach peer1.org1.example.com:7053: connection refused (said again at most every 5 s while it lasts)"))
        #expect(table.connections[peer1] == nil)
        #expect(table.failedAt[peer1] == .seconds(1))
    }

    @Test func sendsToARecentlyFailedEndpointAreDroppedAndCountedUntilRetryAfter() {
        var table = ConnectionTable(retryAfter: .milliseconds(500))
        guard case .dial(let id) = table.send(to: peer1, expecting: nil, now: .zero) else { Issue.record("no dial"); return }
        _ = failUntilGivenUp(&table, id, to: peer1, at: .seconds(1))
        #expect(table.send(to: peer1, expecting: nil, now: .seconds(1)) == .drop)
        #expect(table.send(to: peer1, expecting: nil, now: .seconds(1) + .milliseconds(499)) == .drop)
        #expect(table.droppedRecentlyFailed == 2)
        #expect(table.send(to: peer0org2, expecting: nil, now: .seconds(1)) == .dial(id + 1), "another endpoint is not held back")
        #expect(table.send(to: peer1, expecting: nil, now: .seconds(1) + .milliseconds(500)) == .dial(id + 2), "after retryAfter it is dialled again")
        #expect(table.droppedRecentlyFailed == 2)
    }

    @Test func aDialThatIsStillFailingLogsOnlyEveryFiveSeconds() {
        var table = ConnectionTable()
        var lines: [String?] = []
        for second in [0, 1, 2, 6] {
            let now = Duration.seconds(second)
            guard case .dial(let id) = table.send(to: peer1, expecting: nil, now: now) else { Issue.record("no dial at \(second) s"); return }
            guard case .giveUp(let line) = failUntilGivenUp(&table, id, to: peer1, at: now).last else { Issue.record("no give-up"); return }
            lines.append(line)
        }
        #expect(lines[0]?.hasPrefix("cannot reach peer1.org1.example.com:7053") == true)
        #expect(lines[1] == nil && lines[2] == nil)
        #expect(lines[3] == "still cannot reach peer1.org1.example.com:7053: connection refused (3 failed attempts since the last line)")
        guard case .dial(let id) = table.send(to: peer1, expecting: nil, now: .seconds(7)) else { Issue.record("no dial"); return }
        #expect(table.connected(id, to: peer1, proved: id1, now: .seconds(7)) == .exchange(log: "reached peer1.org1.example.com:7053 again"))
    }

    @Test func peerIsBackDropsAStillDialingConnectionAndForgetsTheFailure() {
        var table = ConnectionTable()
        // peer1 failed; a dial to its other endpoint is backing off.
        guard case .dial(let failed) = table.send(to: peer1, expecting: id1, now: .zero) else { Issue.record("no dial"); return }
        _ = failUntilGivenUp(&table, failed, to: peer1, at: .zero)
        let other = Endpoint(host: "127.0.0.1", port: 7053)!
        guard case .dial(let dialing) = table.send(to: other, expecting: id1, now: .zero) else { Issue.record("no dial"); return }
        #expect(table.dialFailed(dialing, to: other, reason: "refused", cancelled: false, now: .zero) == .retry(after: .milliseconds(50)))
        // An open connection to another peer is untouched.
        guard case .dial(let open) = table.send(to: peer0org2, expecting: id2, now: .zero) else { Issue.record("no dial"); return }
        #expect(table.connected(open, to: peer0org2, proved: id2, now: .zero) == .exchange(log: nil))

        #expect(table.peerIsBack(id1) == [dialing])
        #expect(table.connections[other] == nil, "the stale dial is dropped with its queue")
        #expect(table.failedAt[peer1] == nil, "the failure is forgotten")
        #expect(table.send(to: peer1, expecting: id1, now: .milliseconds(1)) == .dial(open + 1), "the next send dials at once")
        #expect(table.connections[peer0org2]?.phase == .open)
        // The cancelled dial's task reports back: nothing changes.
        #expect(table.dialFailed(dialing, to: other, reason: "cancelled", cancelled: true, now: .milliseconds(2)) == .stop)
        #expect(table.peerIsBack(id2) == [], "an open connection is not stale")
    }

    @Test func anOldConnectionsCloseDoesNotTearDownItsReplacement() {
        var table = ConnectionTable()
        guard case .dial(let old) = table.send(to: peer1, expecting: id1, now: .zero) else { Issue.record("no dial"); return }
        #expect(table.peerIsBack(id1) == [old])
        guard case .dial(let new) = table.send(to: peer1, expecting: id1, now: .zero) else { Issue.record("no dial"); return }
        // The old dial completes late, then its connection ends with an error.
        #expect(table.connected(old, to: peer1, proved: id1, now: .zero) == .abandon)
        #expect(table.closed(old, to: peer1, failure: "reset by peer", now: .zero) == .ignore)
        #expect(table.dialFailed(old, to: peer1, reason: "refused", cancelled: false, now: .zero) == .stop)
        #expect(table.connections[peer1] == ConnectionTable.Connection(id: new, expecting: id1, phase: .dialing(attempt: 1)))
        #expect(table.failedAt[peer1] == nil)
        #expect(table.send(to: peer1, expecting: id1, now: .zero) == .enqueue(new))
    }

    @Test func anOpenConnectionThatEndsWithAnErrorCountsAsAFailureAndACleanEndDoesNot() {
        var table = ConnectionTable()
        guard case .dial(let id) = table.send(to: peer1, expecting: nil, now: .zero) else { Issue.record("no dial"); return }
        #expect(table.connected(id, to: peer1, proved: id1, now: .zero) == .exchange(log: nil))
        #expect(table.closed(id, to: peer1, failure: "reset by peer", now: .seconds(2)) == .close(log: "connection to peer1.org1.example.com:7053 ended: reset by peer"))
        #expect(table.failedAt[peer1] == .seconds(2))
        #expect(table.send(to: peer1, expecting: nil, now: .seconds(2)) == .drop)

        guard case .dial(let next) = table.send(to: peer1, expecting: nil, now: .seconds(3)) else { Issue.record("no dial"); return }
        #expect(table.connected(next, to: peer1, proved: id1, now: .seconds(3)) == .exchange(log: nil))
        #expect(table.closed(next, to: peer1, failure: nil, now: .seconds(4)) == .close(log: nil))
        #expect(table.failedAt[peer1] == nil)
        #expect(table.send(to: peer1, expecting: nil, now: .seconds(4)) == .dial(next + 1))
    }

    @Test func aRemoteThatProvesAnotherIdentityIsRefusedAndCountsAsFailed() {
        var table = ConnectionTable()
        guard case .dial(let id) = table.send(to: peer1, expecting: id1, now: .zero) else { Issue.record("no dial"); return }
        let action = table.connected(id, to: peer1, proved: id2, now: .seconds(1))
        #expect(action == .refuse(reason: "peer1.org1.example.com:7053 proved to be \(id2), not \(id1)"))
        #expect(table.connections[peer1] == nil)
        #expect(table.failedAt[peer1] == .seconds(1))
        #expect(table.closed(id, to: peer1, failure: "refused", now: .seconds(1)) == .ignore, "the refusal already closed it")
    }

    @Test func aCancelledDialEndsQuietlyWithoutCountingAFailure() {
        var table = ConnectionTable()
        guard case .dial(let id) = table.send(to: peer1, expecting: nil, now: .zero) else { Issue.record("no dial"); return }
        #expect(table.dialFailed(id, to: peer1, reason: "cancelled", cancelled: true, now: .zero) == .stop)
        #expect(table.connections[peer1] == nil)
        #expect(table.failedAt[peer1] == nil)
    }

    @Test func closeAllReturnsEveryConnectionAndEmptiesTheTable() {
        var table = ConnectionTable()
        guard case .dial(let a) = table.send(to: peer1, expecting: nil, now: .zero),
              case .dial(let b) = table.send(to: peer0org2, expecting: nil, now: .zero) else { Issue.record("no dial"); return }
        _ = table.connected(b, to: peer0org2, proved: id2, now: .zero)
        #expect(table.closeAll() == [a, b])
        #expect(table.connections.isEmpty)
        #expect(table.closed(b, to: peer0org2, failure: nil, now: .zero) == .ignore)
        #expect(table.closeAll() == [])
    }

    @Test func aConnectionThePeerOpenedCarriesSendsToItWhileThisSideHasNoneOfItsOwn() {
        var table = ConnectionTable()
        let (accepted, replaced) = table.accept(from: id1)
        #expect(replaced == nil)
        #expect(table.send(to: peer1, expecting: id1, now: .zero) == .enqueue(accepted), "an answer goes back on the peer's connection")
        #expect(table.connections[peer1] == nil, "nothing dialled")
        guard case .dial = table.send(to: peer1, expecting: nil, now: .zero) else {
            Issue.record("a send without a known PKI-ID cannot use it"); return
        }
        // With a connection of its own to the endpoint, that one carries the sends.
        var other = ConnectionTable()
        guard case .dial(let own) = other.send(to: peer0org2, expecting: id2, now: .zero) else { Issue.record("no dial"); return }
        let (returning, _) = other.accept(from: id2)
        #expect(other.send(to: peer0org2, expecting: id2, now: .zero) == .enqueue(own))
        #expect(returning != own)
    }

    @Test func aNewerConnectionOfThePeerReplacesTheOlderAndAnEndedOneCarriesNothing() {
        var table = ConnectionTable()
        let (first, _) = table.accept(from: id1)
        let (second, replaced) = table.accept(from: id1)
        #expect(replaced == first && second != first)
        table.acceptedEnded(first, from: id1)
        #expect(table.send(to: peer1, expecting: id1, now: .zero) == .enqueue(second), "the older one's end changes nothing")
        table.acceptedEnded(second, from: id1)
        guard case .dial = table.send(to: peer1, expecting: id1, now: .zero) else { Issue.record("not dialled after the end"); return }
        // A recently failed endpoint is still reached back on a connection the peer opened.
        var failing = ConnectionTable()
        guard case .dial(let dial) = failing.send(to: peer0org2, expecting: id2, now: .zero) else { Issue.record("no dial"); return }
        _ = failUntilGivenUp(&failing, dial, to: peer0org2, at: .seconds(1))
        #expect(failing.send(to: peer0org2, expecting: id2, now: .seconds(1)) == .drop)
        let (back, _) = failing.accept(from: id2)
        #expect(failing.send(to: peer0org2, expecting: id2, now: .seconds(1)) == .enqueue(back))
        #expect(failing.closeAll() == [back])
        #expect(failing.accepted.isEmpty)
    }
}
