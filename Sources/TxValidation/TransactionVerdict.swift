import FabricWire

/// How one transaction was judged: Fabric's validation code and, unless VALID, what was wrong
/// in words a log line or a client can show.
///
/// Guarantees: `reason` is empty exactly when `code` is VALID.
public struct TransactionVerdict: Sendable, Hashable, CustomStringConvertible {
    public let code: Protos_TxValidationCode
    public let reason: String

    public static let valid = TransactionVerdict(.valid, "")

    public init(_ code: Protos_TxValidationCode, _ reason: String) {
        self.code = code
        self.reason = code == .valid ? "" : reason
    }

    init(_ problem: EnvelopeView.Problem) {
        self.init(problem.code, problem.reason)
    }

    public var isValid: Bool { code == .valid }
    public var description: String { isValid ? "VALID" : "\(code): \(reason)" }
}
