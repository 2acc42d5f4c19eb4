import Foundation
import NIOHTTP1

/// A response of the operations endpoint: status, content type, extra headers and body.
///
/// Guarantees: the JSON bodies made here come from `JSONEncoder` (every string escaped, keys
/// sorted so the text is the same each time); errors have Fabric's shape `{"Error":"…"}`.
public struct OperationsResponse: Sendable {
    public var status: HTTPResponseStatus
    public var contentType: String
    public var headers: [(name: String, value: String)]
    public var body: String

    public init(status: HTTPResponseStatus = .ok, contentType: String = "application/json",
                headers: [(name: String, value: String)] = [], body: String) {
        self.status = status
        self.contentType = contentType
        self.headers = headers
        self.body = body
    }

    /// `value` as a JSON body.
    public static func json(_ value: some Encodable, status: HTTPResponseStatus = .ok) -> OperationsResponse {
        do {
            return OperationsResponse(status: status, body: String(decoding: try JSONText.encoder.encode(value), as: UTF8.self))
        } catch {
            return OperationsResponse(status: .internalServerError,
                                      body: #"{"Error":"the answer could not be encoded as JSON; please report this as a fabnet bug"}"#)
        }
    }

    /// Fabric's error body `{"Error":"<message>"}`; say in `message` what went wrong and what to send.
    public static func error(_ status: HTTPResponseStatus, _ message: String,
                             headers: [(name: String, value: String)] = []) -> OperationsResponse {
        var response = json(ErrorBody(message: message), status: status)
        response.headers = headers
        return response
    }

    public static let notFound = error(.notFound, "not found")

    /// Fabric's error shape: the key is `Error`, capitalised.
    struct ErrorBody: Encodable {
        let message: String

        enum CodingKeys: String, CodingKey { case message = "Error" }
    }
}

/// JSON text from Foundation's encoder, shared by the endpoint's bodies.
public enum JSONText {
    /// Sorted keys: Go (Fabric) writes struct fields in their declared order and Foundation in
    /// no fixed order; sorting makes the bodies reproducible. Slashes are left as they are.
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// `text` as a JSON string literal, quotes included, escaped by `JSONEncoder` (for bodies
    /// assembled by hand for speed, such as `/commits`).
    public static func quoted(_ text: String) -> String {
        // Encoding a String cannot fail; the fallback keeps the JSON valid if it ever did.
        (try? encoder.encode(text)).map { String(decoding: $0, as: UTF8.self) } ?? #""""#
    }
}
