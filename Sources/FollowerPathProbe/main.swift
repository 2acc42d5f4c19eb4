import Foundation
import PeerNode

// `followerpath-probe [BLOCKS] [PUSHING] [TRANSACTIONS]`: `fabnet bench followerpath` with a synchronous
// main, for callgrind. valgrind 3.19 (Debian 12's) dies in libdispatch's `dispatch_main`, which
// every async main (the `fabnet` CLI's) ends in; a program whose main waits on a semaphore while
// the work runs on the concurrency runtime's threads runs under it. Not shipped; a dev tool:
//   swift build -c release --product followerpath-probe
//   valgrind --tool=callgrind .build/release/followerpath-probe 300 300   # then 300 0: the difference is the path
let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let blocks = arguments.first ?? 300
let pushing = arguments.dropFirst().first ?? blocks
let transactions = arguments.dropFirst(2).first ?? 4
let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fabnet-followerpath-probe-\(getpid())")
let done = DispatchSemaphore(value: 0)
nonisolated(unsafe) var outcome: Result<FollowerPathBench.Result, any Error>?
Task.detached {
    do {
        outcome = .success(try await FollowerPathBench.run(blocks: blocks, pushing: pushing, transactions: transactions, directory: folder))
    } catch {
        outcome = .failure(error)
    }
    done.signal()
}
done.wait()
try? FileManager.default.removeItem(at: folder)
switch outcome {
case .success(let result)?:
    print("committed \(result.committed) blocks (\(result.frameBytes) frame bytes); path CPU \(String(format: "%.3f", result.pathCPUSeconds)) s")
case .failure(let error)?:
    FileHandle.standardError.write(Data("followerpath-probe: \(error)\n".utf8))
    exit(1)
case nil:
    exit(2)
}
