import FabnetModel
@testable import GossipCore
import Testing

/// `ChannelMACResolver`: a sender's MAC names one of this peer's channels, or none.
@Suite struct ChannelMACResolverTests {
    let alice = PKIID([1, 2, 3]), bob = PKIID([4, 5, 6])

    @Test func resolvesEachSendersMACsOfOurChannelsOnly() {
        var resolver = ChannelMACResolver(channels: ["beta", "alpha"])
        #expect(resolver.channel(for: ChannelMAC(pkiID: alice, channel: "alpha"), sender: alice) == "alpha")
        #expect(resolver.channel(for: ChannelMAC(pkiID: alice, channel: "beta"), sender: alice) == "beta")
        // Remembered per sender: asked again, the same answer.
        #expect(resolver.channel(for: ChannelMAC(pkiID: alice, channel: "beta"), sender: alice) == "beta")
        #expect(resolver.channel(for: ChannelMAC(pkiID: alice, channel: "gamma"), sender: alice) == nil, "a channel this peer is not in")
        #expect(resolver.channel(for: ChannelMAC(pkiID: bob, channel: "alpha"), sender: alice) == nil, "another sender's MAC")
        #expect(resolver.channel(for: ChannelMAC(bytes: [1, 2, 3]), sender: alice) == nil, "a MAC shorter than SHA-256's")
        let alpha = ChannelMAC(pkiID: alice, channel: "alpha").bytes
        #expect(resolver.channel(for: ChannelMAC(bytes: Array(alpha.prefix(8))), sender: alice) == nil, "the prefix alone")
        // The same first 8 bytes, another tail: the prefix tells one sender's channels apart.
        #expect(resolver.channel(for: ChannelMAC(bytes: Array(alpha.prefix(8)) + Array(repeating: 0, count: 24)), sender: alice) == "alpha")
    }
}
