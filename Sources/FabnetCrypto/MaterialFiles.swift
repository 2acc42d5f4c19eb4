import Foundation

/// Writes generated material: parent folders 0755, private keys 0600 (created with that mode, so
/// they are never readable by others even for a moment), other files 0644. Writes only when the
/// content differs, so a second run leaves files (and their times) alone.
struct MaterialFiles {
    static let keyMode: mode_t = 0o600
    static let publicMode: mode_t = 0o644

    /// Writes `text` to `url` unless it already holds exactly that. Returns whether it wrote.
    @discardableResult
    static func write(_ text: String, to url: URL, mode: mode_t = publicMode) throws -> Bool {
        if let existing = try? String(contentsOf: url, encoding: .utf8), existing == text {
            if mode == keyMode { chmod(url.path, mode) }
            return false
        }
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        // A file that exists is replaced by a new one (renamed over it), never rewritten in
        // place: node homes hold hard links to the material, and must keep what they had.
        let replacing = FileManager.default.fileExists(atPath: url.path)
        let path = replacing ? url.path + ".new" : url.path
        try writeFile(text, at: path, mode: mode)
        if replacing, rename(path, url.path) != 0 { throw CryptoGenerationError.io(path: url.path, operation: "replace", errno: errno) }
        return true
    }

    private static func writeFile(_ text: String, at path: String, mode: mode_t) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode)
        guard descriptor >= 0 else { throw CryptoGenerationError.io(path: path, operation: "create", errno: errno) }
        defer { close(descriptor) }
        guard fchmod(descriptor, mode) == 0 else { throw CryptoGenerationError.io(path: path, operation: "chmod", errno: errno) }
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            guard written > 0 else { throw CryptoGenerationError.io(path: path, operation: "write", errno: errno) }
            offset += written
        }
    }

    /// Creates an (empty) folder such as `admincerts/`.
    static func makeDirectory(_ url: URL) throws {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    static func read(_ url: URL) -> String? { try? String(contentsOf: url, encoding: .utf8) }

    static func exists(_ url: URL) -> Bool { FileManager.default.fileExists(atPath: url.path) }
}

/// Why crypto generation stopped: what went wrong, where, and what to do.
public enum CryptoGenerationError: Error, CustomStringConvertible, Sendable {
    case io(path: String, operation: String, errno: Int32)
    case inconsistentAuthority(path: String, problem: String)
    case openSSL(OpenSSLError, context: String)

    public var description: String {
        switch self {
        case let .io(path, operation, code):
            return "cannot \(operation) \(path): \(String(cString: strerror(code)))\n    fix: check that the output folder is writable"
        case let .inconsistentAuthority(path, problem):
            return "\(path): \(problem)\n    fix: restore the CA's files, or run with --force to make new material for the org (its old identities stop being trusted)"
        case let .openSSL(error, context):
            return "\(context): \(error)"
        }
    }
}
