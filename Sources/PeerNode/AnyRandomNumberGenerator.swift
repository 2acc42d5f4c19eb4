/// Any random generator as a concrete one, so the service can hand its injected generator
/// (`PeerSeams.random`) to the core's `inout some RandomNumberGenerator` parameters.
///
/// Guarantees: draws exactly what the wrapped generator draws, in the same order (a seeded one
/// stays reproducible).
struct AnyRandomNumberGenerator: RandomNumberGenerator, Sendable {
    private var base: any RandomNumberGenerator & Sendable

    init(_ base: any RandomNumberGenerator & Sendable) { self.base = base }

    mutating func next() -> UInt64 { base.next() }
}
