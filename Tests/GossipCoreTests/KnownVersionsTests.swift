import FabnetModel
import GossipCore
import Testing

/// `KnownVersions`: sorted entries answer `knows` as the dictionary they replace did.
@Suite struct KnownVersionsTests {
    let a = PKIID([1, 0, 0, 0, 0, 0, 0, 0, 9]), b = PKIID([2]), c = PKIID([0, 5])

    func time(_ sequence: UInt64, incarnation: UInt64 = 1) -> PeerTime { PeerTime(incarnation: incarnation, sequence: sequence) }

    @Test func knowsWhatWasHeldAtTheSameTimeOrLater() {
        var known = KnownVersions(entries: [(KnownVersions.key(b), time(4)), (KnownVersions.key(a), time(2)), (KnownVersions.key(b), time(6))])
        #expect(known.count == 2, "a repeated key counts once")
        #expect(known.knows(b, at: time(6)), "of two entries with one key, the newer one counts")
        #expect(!known.knows(b, at: time(7)))
        #expect(known.knows(a, at: time(1)) && known.knows(a, at: time(2)) && !known.knows(a, at: time(1, incarnation: 2)))
        #expect(!known.knows(c, at: time(0)))
        known.insert(c, at: time(3))
        known.insert(a, at: time(5))
        #expect(known.knows(c, at: time(3)) && known.knows(a, at: time(5)))
        #expect(Array(known.sortedEntries.map(\.0)) == [KnownVersions.key(c), KnownVersions.key(a), KnownVersions.key(b)].sorted())
        #expect(KnownVersions(times: known.times) == known, "the dictionary form round-trips")
    }
}
