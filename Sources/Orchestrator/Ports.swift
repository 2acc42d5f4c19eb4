import Foundation
import Synchronization

/// Hands out blocks of TCP ports on 127.0.0.1 for test and benchmark networks, below Linux's
/// ephemeral range (32768 and up): a port from that range can be taken by any outgoing
/// connection while a node restarts, and the node could not bind it again.
///
/// Guarantees: within one allocator no two blocks overlap, single ports included (a single port
/// is a block of one). This is what one process needs when tests start networks and lone nodes
/// in parallel: a port that was free a moment ago but belongs to a block handed out for a node
/// not yet listening is never handed out again. (Before, `freePort()` drew from the same range
/// without looking at the blocks handed out, so a lone test orderer could take a port of a
/// starting network and one of the two exited during start with "address already in use".)
/// Pure: the draws come from the generator passed in and "is it free" is asked of `isFree`.
public struct PortBlockAllocator: Sendable {
    public static let range = 20_000...32_767
    public private(set) var handedOut: [Range<Int>] = []

    public init() {}

    /// The first of `bases` such that `count` consecutive ports from it lie in `range`, are
    /// free, and overlap no block handed out before; `nil` if none is.
    public mutating func claim(count: Int, bases: some Sequence<Int>, isFree: (Int) -> Bool) -> Int? {
        for base in bases where base >= Self.range.lowerBound && base + count - 1 <= Self.range.upperBound {
            let block = base..<(base + count)
            guard !handedOut.contains(where: { $0.overlaps(block) }), block.allSatisfy(isFree) else { continue }
            handedOut.append(block)
            return base
        }
        return nil
    }

    /// 200 random bases for blocks of `count` ports.
    public static func randomBases(count: Int, using generator: inout some RandomNumberGenerator) -> [Int] {
        let upper = max(range.lowerBound, range.upperBound + 1 - count)
        return (0..<200).map { _ in Int.random(in: range.lowerBound...upper, using: &generator) }
    }
}

/// The allocator of this process (tests and benchmarks share it).
private let processPorts = Mutex(PortBlockAllocator())

/// A TCP port on 127.0.0.1 that was free a moment ago and is handed out once in this process
/// (see `PortBlockAllocator`).
public func freePort() throws -> Int { try freePortBlock(count: 1) }

/// A base port such that `count` consecutive ports are free on 127.0.0.1, drawn at random from
/// `PortBlockAllocator.range`: parallel runs rarely collide, and within one process a block or
/// port is never handed out twice.
public func freePortBlock(count: Int) throws -> Int {
    var generator = SystemRandomNumberGenerator()
    let bases = PortBlockAllocator.randomBases(count: count, using: &generator)
    guard let base = processPorts.withLock({ $0.claim(count: count, bases: bases, isFree: isFree) }) else {
        throw OrchestratorError.state("no block of \(count) free ports found in \(PortBlockAllocator.range)")
    }
    return base
}

/// Whether a listener could bind 127.0.0.1:`port` right now (with SO_REUSEADDR, as fabnet's
/// listeners bind: connections of a stopped node lingering in TIME_WAIT do not count).
public func isFree(_ port: Int) -> Bool {
    guard (1...65_535).contains(port) else { return false }
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var reuse: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
}
