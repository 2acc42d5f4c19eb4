import FabnetConfig
import FabnetCrypto
import Foundation
import Yams

/// The connection profiles of a network's state folder: `<state>/profiles/connection-<org>.json`
/// and `.yaml` for every org that runs peers (see `ConnectionProfile`, `ProfileNaming`).
///
/// Guarantees: `write` replaces only these files (each written whole, atomically) and touches
/// nothing else in the folder; what it made that did not exist before is added to `created`, so
/// `fabnet down --clean` removes it, while a file of the user's in `profiles/` keeps the folder.
/// The JSON and the YAML file of an org hold the same content.
public struct ConnectionProfiles: Sendable {
    public let state: NetworkState

    public init(state: NetworkState) { self.state = state }

    public var directory: URL { state.directory.appendingPathComponent("profiles") }

    /// `<state>/profiles/connection-<stem>.<ext>` (`ext`: `json` or `yaml`).
    public func file(stem: String, extension ext: String) -> URL {
        directory.appendingPathComponent("connection-\(stem).\(ext)")
    }

    /// Writes both files of every peer org; returns the files written.
    @discardableResult
    public func write(spec: NetworkSpec, manifest: NetworkState.Manifest, layout: CryptoLayout, created: inout CreatedPaths?) throws -> [URL] {
        let fileManager = FileManager.default
        var record = created ?? CreatedPaths()
        let before = CreatedPaths.snapshot(of: directory)
        try fileManager.createDirectory(at: directory, withIntermediateDirectories: true)
        let naming = ProfileNaming(spec: spec)
        var written: [URL] = []
        for org in spec.organizations where !org.peers.isEmpty {
            let profile = try ConnectionProfile.make(for: org, in: spec, manifest: manifest, layout: layout)
            let stem = naming.fileStem(of: org)
            let json = file(stem: stem, extension: "json"), yaml = file(stem: stem, extension: "yaml")
            try Self.json(profile).write(to: json, options: .atomic)
            try Self.yaml(profile).write(to: yaml, atomically: true, encoding: .utf8)
            written += [json, yaml]
        }
        let after = CreatedPaths.snapshot(of: directory)
        // Only the folder and the files written here: never a file the user put beside them.
        let ours = Set(written.map(\.standardizedFileURL.path))
        record.add(before: before, after: (after.files.intersection(ours), after.directories.intersection([directory.standardizedFileURL.path])))
        created = record
        return written
    }

    /// Pretty JSON with sorted keys and unescaped slashes (the PEM and URLs read as written).
    public static func json(_ profile: ConnectionProfile) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(profile) + Data("\n".utf8)
    }

    /// YAML with sorted keys; the PEM as a literal block.
    public static func yaml(_ profile: ConnectionProfile) throws -> String {
        let encoder = YAMLEncoder()
        encoder.options.sortKeys = true
        encoder.options.newLineScalarStyle = .literal
        encoder.options.explicitStart = true
        return try encoder.encode(profile)
    }
}
