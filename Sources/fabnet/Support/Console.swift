import ArgumentParser
import Foundation

/// Output helpers: standard error for diagnostics, plain padded tables, and turning known errors
/// into a message plus exit code instead of a crash.
enum Console {
    /// Whether standard error is a terminal (progress lines are only drawn there).
    static var errorIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }

    /// A progress line on a terminal: rewritten in place; `done` ends it with a newline.
    static func progress(_ text: String, done: Bool = false) {
        guard errorIsTerminal else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K\(text)\(done ? "\n" : "")".utf8))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Left-aligned columns separated by two spaces; the first row is the header.
    static func table(_ rows: [[String]]) -> String {
        guard let width = rows.map(\.count).max() else { return "" }
        var widths = Array(repeating: 0, count: width)
        for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    /// Pretty, key-sorted JSON.
    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Async form of `reportingErrors`.
    static func reportingErrors<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as ExitCode {
            throw error
        } catch let error as CustomStringConvertible & Error {
            report(error)
            throw ExitCode.failure
        }
    }

    /// A known error: its text on standard error, or under `--json` an `ErrorReport` on
    /// standard output.
    static func report(_ error: CustomStringConvertible & Error) {
        guard ErrorReport.isRequested else { return Console.error(error.description) }
        ErrorReport(error, text: error.description, help: CommandSuggestion.commandPath(Array(CommandLine.arguments.dropFirst()))).print()
    }

    /// Runs `body`; a known error is printed (without a stack trace) and becomes exit code 1.
    static func reportingErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ExitCode {
            throw error
        } catch let error as CustomStringConvertible & Error {
            report(error)
            throw ExitCode.failure
        }
    }
}
