import Foundation
import FuzzTargets

// libFuzzer's driver over FuzzTargets: `make fuzz` builds this target alone (FABNET_FUZZ=1,
// instrumented with -sanitize=fuzzer,address) and picks the target with FABNET_FUZZ_TARGET. Not
// part of the normal build: Package.swift adds it only under FABNET_FUZZ. It has a main of its
// own that hands over to libFuzzer (LLVMFuzzerRunDriver), since SwiftPM renames an executable's
// main and so libFuzzer's own main could not be the entry point.

/// The target this process fuzzes, named by FABNET_FUZZ_TARGET.
let selectedTarget: @Sendable ([UInt8]) -> Void = {
    let name = ProcessInfo.processInfo.environment["FABNET_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTargets.named(name) else {
        fatalError("FABNET_FUZZ_TARGET=\(name) names no target; the targets: \(FuzzTargets.all.map(\.name).joined(separator: ", "))")
    }
    return target
}()

@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// One input: runs the selected target on it (0: libFuzzer keeps going).
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    selectedTarget(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}

@main
struct FabnetFuzz {
    static func main() {
        _ = selectedTarget
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(runFuzzerDriver(&argc, &argv, fuzzOneInput))
    }
}
