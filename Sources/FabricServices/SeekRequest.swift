import FabricWire
import Foundation
import SwiftProtobuf

/// A Deliver seek envelope taken apart: `Envelope → Payload → Header → ChannelHeader +
/// SignatureHeader`, and the payload's data as a `SeekInfo`.
///
/// Guarantees: a value exists only when every layer decoded, the channel header's type is
/// `DELIVER_SEEK_INFO` (5), it names a channel, carries a timestamp, and the `SeekInfo` has both a
/// start and a stop. Anything else is a ``DeliverRejection`` with status `BAD_REQUEST`, as Fabric
/// answers. Signatures, the creator's identity and the channel's Readers policy are *not* checked
/// here: that is the backend's job, with ``envelope`` and ``signatureHeader`` to do it.
public struct SeekRequest: Sendable, Equatable {
    /// The envelope as received (the backend verifies its signature over `payload`).
    public let envelope: Common_Envelope
    public let channelHeader: Common_ChannelHeader
    public let signatureHeader: Common_SignatureHeader
    public let seekInfo: Orderer_SeekInfo

    public var channelID: String { channelHeader.channelID }
    /// The serialized identity that signed the request (`SignatureHeader.creator`).
    public var creator: Data { signatureHeader.creator }
    /// What the client claims is SHA-256 of its TLS certificate (empty when it sent none).
    public var tlsCertificateHash: Data { channelHeader.tlsCertHash }

    /// Decodes `envelope`. `now` and `timeWindow` bound the channel header's timestamp the way
    /// Fabric's `General.Authentication.TimeWindow` does (15 minutes by default); pass
    /// `timeWindow: nil` to skip that check.
    public init(parsing envelope: Common_Envelope, now: Date = Date(),
                timeWindow: TimeInterval? = 15 * 60) throws(DeliverRejection) {
        func reject(_ reason: String) -> DeliverRejection { DeliverRejection(.badRequest, reason) }
        let payload: Common_Payload
        do { payload = try Common_Payload(serializedBytes: envelope.payload) } catch {
            throw reject("the seek envelope's payload is not a common.Payload (\(error))")
        }
        guard payload.hasHeader else { throw reject("the seek envelope's payload has no header") }
        let channelHeader: Common_ChannelHeader
        do { channelHeader = try Common_ChannelHeader(serializedBytes: payload.header.channelHeader) } catch {
            throw reject("the seek envelope's channel header does not decode (\(error))")
        }
        guard channelHeader.type == Int32(Common_HeaderType.deliverSeekInfo.rawValue) else {
            throw reject("the seek envelope's channel header has type \(channelHeader.type); a Deliver request has DELIVER_SEEK_INFO (5)")
        }
        guard !channelHeader.channelID.isEmpty else { throw reject("the seek envelope names no channel (channel_id is empty)") }
        guard channelHeader.hasTimestamp else {
            throw reject("the seek envelope's channel header has no timestamp; Fabric requires one")
        }
        if let timeWindow {
            let sent = channelHeader.timestamp.date
            guard abs(sent.timeIntervalSince(now)) <= timeWindow else {
                throw reject("the seek envelope's timestamp \(sent) is more than \(Int(timeWindow)) s from this server's time \(now); check the client's clock")
            }
        }
        let signatureHeader: Common_SignatureHeader
        do { signatureHeader = try Common_SignatureHeader(serializedBytes: payload.header.signatureHeader) } catch {
            throw reject("the seek envelope's signature header does not decode (\(error))")
        }
        let seekInfo: Orderer_SeekInfo
        do { seekInfo = try Orderer_SeekInfo(serializedBytes: payload.data) } catch {
            throw reject("the seek envelope's data is not an orderer.SeekInfo (\(error))")
        }
        guard seekInfo.hasStart, seekInfo.hasStop else {
            throw reject("the SeekInfo lacks a \(seekInfo.hasStart ? "stop" : "start") position")
        }
        self.envelope = envelope
        self.channelHeader = channelHeader
        self.signatureHeader = signatureHeader
        self.seekInfo = seekInfo
    }
}

extension SeekRequest {
    /// Fabric's binding check, for a client that presented a TLS certificate: a seek that names
    /// a certificate hash must name that one (BAD_REQUEST otherwise); a seek naming none passes,
    /// as the certificate is optional here (`clientAuthRequired: false`).
    public func checkBinding(_ caller: DeliveryCaller) throws(DeliverRejection) {
        if let presented = caller.clientCertificateHash, !tlsCertificateHash.isEmpty, presented != tlsCertificateHash {
            throw DeliverRejection(.badRequest, "the seek's tls_cert_hash is not the hash of the TLS certificate this client presented")
        }
    }
}

