import Foundation
import FuzzTargets

// libFuzzer's entry: `make fuzz` builds this target alone (FABNET_FUZZ=1, instrumented with
// -sanitize=fuzzer,address; libFuzzer supplies main) and picks the target with
// FABNET_FUZZ_TARGET. Not part of the normal build: Package.swift adds it only under FABNET_FUZZ.

/// The target this process fuzzes, named by FABNET_FUZZ_TARGET.
let selectedTarget: @Sendable ([UInt8]) -> Void = {
    let name = ProcessInfo.processInfo.environment["FABNET_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTargets.named(name) else {
        fatalError("FABNET_FUZZ_TARGET=\(name) names no target; the targets: \(FuzzTargets.all.map(\.name).joined(separator: ", "))")
    }
    return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    selectedTarget(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}
