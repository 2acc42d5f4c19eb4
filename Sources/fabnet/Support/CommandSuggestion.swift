import ArgumentParser

/// "Did you mean" for a misspelt subcommand, and the command path an invocation names.
///
/// Guarantees: a suggestion names only real subcommands of the level where the unknown word
/// stands, at most two edits away (or starting with the word), closest first.
enum CommandSuggestion {
    /// The subcommands below the command `arguments` name so far, with that command's path.
    static func walk(_ arguments: [String]) -> (path: [String], type: ParsableCommand.Type, next: String?) {
        var path = ["fabnet"]
        var type: ParsableCommand.Type = Fabnet.self
        for argument in arguments {
            guard !argument.hasPrefix("-") else { return (path, type, nil) }
            guard let sub = type.configuration.subcommands.first(where: { names(of: $0).contains(argument) }) else {
                return (path, type, argument)
            }
            path.append(argument)
            type = sub
        }
        return (path, type, nil)
    }

    /// `fabnet channel create`: the deepest command `arguments` name.
    static func commandPath(_ arguments: [String]) -> String {
        walk(arguments).path.joined(separator: " ")
    }

    /// "`fabnet` has no command `stauts`" when `arguments` name an unknown subcommand.
    static func unknownCommand(in arguments: [String]) -> String? {
        let (path, type, word) = walk(arguments)
        guard let word, !type.configuration.subcommands.isEmpty else { return nil }
        return "`\(path.joined(separator: " "))` has no command `\(word)`"
    }

    /// "did you mean …" when `arguments` name an unknown subcommand where one is expected.
    static func forUnknown(in arguments: [String]) -> String? {
        let (path, type, word) = walk(arguments)
        guard let word, !type.configuration.subcommands.isEmpty else { return nil }
        let candidates = type.configuration.subcommands.flatMap { names(of: $0) }
        let close = candidates
            .map { (name: $0, distance: distance(word.lowercased(), $0)) }
            .filter { $0.distance <= 2 || $0.name.hasPrefix(word.lowercased()) }
            .sorted { ($0.distance, $0.name) < ($1.distance, $1.name) }
        guard !close.isEmpty else {
            return "`\(path.joined(separator: " ")) --help` lists the commands"
        }
        let suggestions = close.prefix(3).map { "`\(path.joined(separator: " ")) \($0.name)`" }
        return "did you mean \(suggestions.joined(separator: " or "))?"
    }

    static func names(of command: ParsableCommand.Type) -> [String] {
        [command._commandName] + command.configuration.aliases
    }

    /// Levenshtein distance (words are short).
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
