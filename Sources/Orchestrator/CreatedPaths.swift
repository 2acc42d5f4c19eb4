import Foundation

/// What `fabnet up` made on disk, recorded in `network.json` so that `fabnet down --clean`
/// removes that and nothing else.
///
/// Guarantees: a file or folder that existed before `up` (a user's own cryptogen YAML in the
/// `--crypto` folder, crypto material they brought, a `--state` folder they named) is never
/// listed, so never removed. Folders are removed only once empty: a file someone put into a
/// folder fabnet made keeps that folder. `trees` are folders wholly fabnet's (node homes with
/// the ledgers the nodes wrote, logs): removed with everything in them.
public struct CreatedPaths: Codable, Sendable, Equatable {
    public var files: [String] = []
    public var directories: [String] = []
    public var trees: [String] = []

    public init() {}

    /// Every file and folder at or below `root` (absolute paths; empty if it does not exist).
    public static func snapshot(of root: URL) -> (files: Set<String>, directories: Set<String>) {
        var files: Set<String> = [], directories: Set<String> = []
        var isDirectory: ObjCBool = false
        let rootPath = root.standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: rootPath, isDirectory: &isDirectory) else { return ([], []) }
        guard isDirectory.boolValue else { return ([rootPath], []) }
        directories.insert(rootPath)
        let enumerator = FileManager.default.enumerator(atPath: rootPath)
        while let relative = enumerator?.nextObject() as? String {
            let path = rootPath + "/" + relative
            var directory: ObjCBool = false
            FileManager.default.fileExists(atPath: path, isDirectory: &directory)
            if directory.boolValue { directories.insert(path) } else { files.insert(path) }
        }
        return (files, directories)
    }

    /// Adds what is in `after` and was not in `before`.
    public mutating func add(before: (files: Set<String>, directories: Set<String>), after: (files: Set<String>, directories: Set<String>)) {
        files = Array(Set(files).union(after.files.subtracting(before.files))).sorted()
        directories = Array(Set(directories).union(after.directories.subtracting(before.directories))).sorted()
    }

    /// Adds `tree` (a folder fabnet owns whole) unless it existed already.
    public mutating func addTree(_ tree: URL, existedBefore: Bool) {
        let path = tree.standardizedFileURL.path
        guard !existedBefore, !trees.contains(path) else { return }
        trees.append(path)
        trees.sort()
    }

    public mutating func formUnion(_ other: CreatedPaths) {
        files = Array(Set(files).union(other.files)).sorted()
        directories = Array(Set(directories).union(other.directories)).sorted()
        trees = Array(Set(trees).union(other.trees)).sorted()
    }

    /// What `remove()` did: paths removed, and folders kept because they hold files fabnet did
    /// not make.
    public struct Removal: Sendable {
        public var removed: [String] = []
        public var kept: [String] = []
    }

    /// Removes the trees, the files, then the folders that are empty, deepest first.
    public func remove() -> Removal {
        let fileManager = FileManager.default
        var result = Removal()
        for path in trees + files where fileManager.fileExists(atPath: path) {
            if (try? fileManager.removeItem(atPath: path)) != nil { result.removed.append(path) }
        }
        for path in directories.sorted(by: { $0.count > $1.count }) where fileManager.fileExists(atPath: path) {
            if (try? fileManager.contentsOfDirectory(atPath: path))?.isEmpty == true {
                if (try? fileManager.removeItem(atPath: path)) != nil { result.removed.append(path) }
            } else if !directories.contains(where: { $0.hasPrefix(path + "/") && fileManager.fileExists(atPath: $0) }) {
                result.kept.append(path)
            }
        }
        return result
    }
}
