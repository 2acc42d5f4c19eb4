import ArgumentParser
import FabnetConfig
import Foundation
import Orchestrator

/// An error as scripts read it under `--json`: `{"error": {"message": …, "fix": …}}` on
/// standard output, with the exit code the plain form would have.
///
/// Guarantees: `message` is never empty; `fix` always says what to try next. fabnet's errors
/// name their fix in the sentence after the problem ("…; run `fabnet down` first"), so the
/// fix is that sentence when it opens with an instruction; otherwise it points at the
/// command's help.
struct ErrorReport: Encodable, Equatable {
    /// The object under `error`: both keys always present.
    struct Body: Encodable, Equatable {
        let message: String
        let fix: String
    }

    let error: Body

    init(message: String, fix: String) {
        error = Body(message: message, fix: fix)
    }

    /// Whether this invocation asked for JSON (`--json` anywhere before a `--`).
    static var isRequested: Bool { requested(in: Array(CommandLine.arguments.dropFirst())) }

    static func requested(in arguments: [String]) -> Bool {
        arguments.prefix { $0 != "--" }.contains("--json")
    }

    /// The report of `error`, with `help` naming the command whose help to read.
    init(_ error: any Error, text: String, help: String) {
        if let exit = error as? NodeExitError {
            self.init(message: Self.firstLine(of: exit.description), fix: exit.exit.fix)
            return
        }
        if let config = error as? ConfigLoadError {
            // Every error of the description, each with its hint: messages and fixes apart.
            let errors = config.errors
            self.init(message: errors.map { issue in
                          var copy = issue.description
                          if let hint = issue.hint { copy = copy.replacingOccurrences(of: "\n    fix: \(hint)", with: "") }
                          return copy
                      }.joined(separator: "\n"),
                      fix: errors.compactMap(\.hint).joined(separator: "\n").nonEmpty ?? "correct the description (`fabnet config validate` lists every problem)")
            return
        }
        let (message, fix) = Self.split(text)
        self.init(message: message, fix: fix ?? "see `\(help) --help` for the usage and examples")
    }

    /// Words a fabnet error's fix sentence starts with.
    static let instructions: Set<String> = [
        "run", "use", "start", "stop", "set", "give", "pass", "add", "check", "remove", "move", "try", "see", "make",
        "wait", "fix", "edit", "install", "rename", "choose", "name", "free", "delete", "kill", "join", "create",
        "generate", "deploy", "pick", "restart", "call", "define", "drop", "ask", "list", "read", "upgrade", "write",
        "restore", "fabnet",
    ]

    /// `text` as (problem, fix): split before the last clause ("; …", ". …", " — …", " (…)",
    /// ": fabnet …") that opens with an instruction (a leading "fix:" dropped); no fix when none does.
    static func split(_ text: String) -> (message: String, fix: String?) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let separators = ["; ", ". ", " — ", " (", ": fabnet ", "\nfix: ", "\n"]
        var best: (message: String, fix: String)?
        for separator in separators {
            var searchEnd = trimmed.endIndex
            while let range = trimmed.range(of: separator, options: .backwards, range: trimmed.startIndex..<searchEnd) {
                searchEnd = range.lowerBound
                var fix = String(trimmed[range.upperBound...]).trimmingCharacters(in: .whitespacesAndNewlines)
                if separator == " (", fix.hasSuffix(")") { fix.removeLast() }
                if separator == ": fabnet " { fix = "fabnet " + fix }
                if fix.lowercased().hasPrefix("fix: ") { fix = String(fix.dropFirst(5)) }
                let message = String(trimmed[..<range.lowerBound]).trimmingCharacters(in: .whitespacesAndNewlines)
                let firstWord = fix.prefix { $0.isLetter }.lowercased()
                guard !message.isEmpty, instructions.contains(firstWord) else { continue }
                if best == nil || message.count < best!.message.count { best = (message, fix) }
                break
            }
        }
        guard let best else { return (trimmed.isEmpty ? "unknown error" : trimmed, nil) }
        return best
    }

    static func firstLine(of text: String) -> String {
        String(text.split(separator: "\n", maxSplits: 1).first ?? "").trimmingCharacters(in: .whitespaces)
    }

    /// Prints the report as one JSON object on standard output.
    func print() {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(self)) ?? Data(#"{"error":{"fix":"","message":"unknown error"}}"#.utf8)
        Swift.print(String(decoding: data, as: UTF8.self))
        fflush(nil)
    }
}

extension String {
    /// Nil when empty.
    var nonEmpty: String? { isEmpty ? nil : self }
}
