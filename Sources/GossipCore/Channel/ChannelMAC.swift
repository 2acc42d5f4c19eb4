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
/// computed (one per sender and channel).
struct ChannelMACResolver: Sendable {
    let channels: [String]
    /// Per sender, its MAC for each of `channels` (same order): one lookup and a few byte
    /// comparisons per message.
    private var known: [PKIID: [ChannelMAC]] = [:]

    init(channels: [String]) { self.channels = channels.sorted() }

    /// The channel `sender` means by `mac`, if this peer is in it.
    mutating func channel(for mac: ChannelMAC, sender: PKIID) -> String? {
        let macs: [ChannelMAC]
        if let table = known[sender] {
            macs = table
        } else {
            macs = channels.map { ChannelMAC(pkiID: sender, channel: $0) }
            known[sender] = macs
        }
        guard let index = macs.firstIndex(of: mac) else { return nil }
        return channels[index]
    }
}
