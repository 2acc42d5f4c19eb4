/// The creator's signed form of a value the core relays (an alive message, a state info): opaque
/// bytes to the core, made by the shell where it verified the signature, and carried inside the
/// value so that whoever relays it sends the creator's own signature. The core's tables own it:
/// it lives exactly as long as the value it came with (replaced by a newer one, dropped when
/// membership purges the member).
///
/// Guarantees: never part of a value's equality or hash (the same content may be signed more
/// than once, and ECDSA signatures differ every time); empty where no signature exists (the
/// simulator, and a peer's own values, which its shell signs when it sends them).
public struct SignedForm: Sendable {
    public let bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// No signed form (the simulator's values, a peer's own before its shell signs them).
    public static let unsigned = SignedForm([])

    public var isEmpty: Bool { bytes.isEmpty }
}
