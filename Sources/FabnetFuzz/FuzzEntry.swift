import CFuzzerDriver
import Foundation
import FuzzTargets

// libFuzzer's driver over FuzzTargets: `make fuzz` builds this target alone (FABNET_FUZZ=1,
// instrumented with -sanitize=fuzzer,address) and picks the target with FABNET_FUZZ_TARGET. Not
// part of the normal build: Package.swift adds it only under FABNET_FUZZ.

/// The target this process fuzzes, named by FABNET_FUZZ_TARGET.
let selectedTarget: @Sendable ([UInt8]) async -> Bool = {
    let name = ProcessInfo.processInfo.environment["FABNET_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTargets.named(name) else {
        fatalError("FABNET_FUZZ_TARGET=\(name) names no target; the targets: \(FuzzTargets.all.map(\.name).joined(separator: ", "))")
    }
    return target
}()

/// One input, run on the concurrency pool while libFuzzer's thread (the main thread, outside
/// the pool) waits; 0: libFuzzer keeps going.
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let done = DispatchSemaphore(value: 0)
    Task {
        _ = await selectedTarget(bytes)
        done.signal()
    }
    done.wait()
    return 0
}

/// The process's entry: hands over to libFuzzer (SwiftPM renames an executable's main, so
/// libFuzzer's own main cannot be the entry point) and removes the targets' scratch folder.
@main
struct FabnetFuzz {
    static func main() {
        _ = selectedTarget
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOneInput(data, size) }
        FuzzTargets.removeScratch()
        exit(status)
    }
}
