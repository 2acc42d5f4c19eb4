import Crypto
import FabnetModel

/// How a channel is named on the wire: SHA-256 of the sender's PKI-ID followed by the channel
/// name. A peer that knows the channel can recognise it (it computes the same digest for the
/// sender); one that does not learns nothing, not even whether two senders share a channel.
public struct ChannelMAC: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// The MAC `pkiID` uses for `channel`.
    public init(pkiID: PKIID, channel: String) {
        var hasher = SHA256()
        hasher.update(data: pkiID.bytes)
        hasher.update(data: Array(channel.utf8))
        bytes = Array(hasher.finalize())
    }

    public func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    public var description: String { bytes.prefix(6).map { String($0, radix: 16) }.joined() }
}

/// Resolves channel MACs back to the channels this peer is in, remembering the digests it
/// computed in a small cache of 256 senders per channel (a sender's slot chosen by its PKI-ID;
/// a newcomer to a slot replaces the one before): its memory does not grow with the network,
/// where remembering every sender took about 80 bytes per peer pair in a big simulation, and a
/// miss costs one SHA-256 of some 40 bytes. The MAC hides nothing from whoever knows a
/// channel's name (it is an unkeyed digest of public values); what keeps channels apart is the
/// signer and org checks every channel message passes. Eight bytes of the MAC only need to tell
/// one sender's channels apart (two collide with a chance of 2⁻⁶⁴); a MAC of another length
/// than SHA-256's 32 bytes resolves to nothing.
struct ChannelMACResolver: Sendable {
    static let slots = 256

    let channels: [String]
    /// For each of `channels` (same order), `slots` remembered (sender, MAC prefix) pairs.
    private var cache: [[(sender: PKIID, prefix: UInt64)?]]

    init(channels: [String]) {
        self.channels = channels.sorted()
        cache = Array(repeating: [], count: channels.count)
    }

    /// The channel `sender` means by `mac`, if this peer is in it.
    mutating func channel(for mac: ChannelMAC, sender: PKIID) -> String? {
        guard mac.bytes.count == 32, let prefix = Self.prefix(mac.bytes) else { return nil }
        let slot = sender._rawHashValue(seed: 0) & (Self.slots - 1)
        for index in channels.indices {
            let expected: UInt64
            if cache[index].isEmpty { cache[index] = Array(repeating: nil, count: Self.slots) }
            if let remembered = cache[index][slot], remembered.sender == sender {
                expected = remembered.prefix
            } else {
                expected = Self.prefix(ChannelMAC(pkiID: sender, channel: channels[index]).bytes)!
                cache[index][slot] = (sender, expected)
            }
            if expected == prefix { return channels[index] }
        }
        return nil
    }
    /// The first 8 bytes of a MAC as a number (nil for a shorter one, which matches nothing).
    static func prefix(_ bytes: [UInt8]) -> UInt64? {
        guard bytes.count >= 8 else { return nil }
        var value: UInt64 = 0
        for byte in bytes.prefix(8) { value = value << 8 | UInt64(byte) }
        return value
    }
}
