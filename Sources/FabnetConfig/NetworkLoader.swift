import Foundation

/// A resolved network and the warnings met on the way.
public struct LoadedNetwork: Sendable {
    public let spec: NetworkSpec
    public let warnings: [ConfigIssue]
}

/// The entry point for reading a network description: a configtx.yaml (Fabric's own, or fabnet's
/// single-file form), plus any cryptogen crypto-config.yaml files, into one validated `NetworkSpec`.
///
/// Guarantees: either a valid spec, or a `ConfigLoadError` listing every problem found (each
/// with file, line and column where known, the key, and a fix). It never traps on bad input.
public enum NetworkLoader {
    /// The name used in messages for the embedded default network.
    public static let embeddedName = "embedded default (configtx/configtx.yaml)"

    /// Loads a description. `file == nil` means the embedded default network, read as if it were
    /// `configtx/configtx.yaml` under `workingDirectory`. crypto-config files are those given plus,
    /// when `discoverCryptoConfig` is set, `crypto-config*.yaml` beside the configtx file.
    public static func load(
        file: URL?, cryptoConfigFiles: [URL] = [], discoverCryptoConfig: Bool = true,
        workingDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    ) throws -> LoadedNetwork {
        let diagnostics = Diagnostics()
        let spec = resolve(file: file, cryptoConfigFiles: cryptoConfigFiles, discoverCryptoConfig: discoverCryptoConfig,
                           workingDirectory: workingDirectory, diagnostics: diagnostics)
        try diagnostics.throwIfErrors()
        guard let spec else { throw ConfigLoadError(issues: diagnostics.issues) }
        return LoadedNetwork(spec: spec, warnings: diagnostics.issues)
    }

    /// Loads a description from text (tests, and the embedded default). `file` names it in messages
    /// and `directory` is where its relative paths point.
    public static func load(text: String, file: String, directory: URL, cryptoConfigs: [(text: String, file: String)] = []) throws -> LoadedNetwork {
        let diagnostics = Diagnostics()
        var spec: NetworkSpec?
        do {
            let root = try YAMLLoader.parse(text, file: file)
            var crypto: [CryptoConfigDocument] = []
            for config in cryptoConfigs {
                crypto.append(CryptoConfigParser(diagnostics: diagnostics).parse(try YAMLLoader.parse(config.text, file: config.file)))
            }
            let document = ConfigTxParser(diagnostics: diagnostics, baseDirectory: directory).parse(root)
            spec = NetworkResolver(diagnostics: diagnostics).resolve(document, cryptoConfigs: crypto, source: file)
        } catch let error as ConfigLoadError {
            diagnostics.append(contentsOf: error.issues)
        }
        try diagnostics.throwIfErrors()
        guard let spec else { throw ConfigLoadError(issues: diagnostics.issues) }
        return LoadedNetwork(spec: spec, warnings: diagnostics.issues)
    }

    static func resolve(
        file: URL?, cryptoConfigFiles: [URL], discoverCryptoConfig: Bool, workingDirectory: URL, diagnostics: Diagnostics
    ) -> NetworkSpec? {
        do {
            let root: YAMLNode
            let directory: URL
            let source: String
            if let file {
                root = try YAMLLoader.load(file: file, displayName: file.relativePath)
                directory = file.deletingLastPathComponent()
                source = file.relativePath
            } else {
                root = try YAMLLoader.parse(DefaultNetwork.configtx, file: embeddedName)
                directory = workingDirectory.appendingPathComponent("configtx")
                source = embeddedName
            }
            var cryptoFiles = cryptoConfigFiles
            if discoverCryptoConfig, file != nil {
                cryptoFiles += discoveredCryptoConfigs(in: directory).filter { found in
                    !cryptoConfigFiles.contains { $0.standardizedFileURL == found.standardizedFileURL }
                }
            }
            var crypto: [CryptoConfigDocument] = []
            for url in cryptoFiles {
                let node = try YAMLLoader.load(file: url, displayName: url.relativePath)
                crypto.append(CryptoConfigParser(diagnostics: diagnostics).parse(node))
            }
            let document = ConfigTxParser(diagnostics: diagnostics, baseDirectory: directory).parse(root)
            return NetworkResolver(diagnostics: diagnostics).resolve(document, cryptoConfigs: crypto, source: source)
        } catch let error as ConfigLoadError {
            diagnostics.append(contentsOf: error.issues)
            return nil
        } catch {
            diagnostics.error("\(error)", at: nil, key: nil)
            return nil
        }
    }

    /// `crypto-config.yaml` and `crypto-config-*.yaml` in a folder, sorted by name.
    static func discoveredCryptoConfigs(in directory: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names
            .filter { $0.hasPrefix("crypto-config") && ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) }
            .sorted()
            .map { directory.appendingPathComponent($0) }
    }
}
