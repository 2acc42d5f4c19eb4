import FabricWire
import GRPCCore
import GRPCProtobuf
import SwiftProtobuf

/// A Gateway call's failure as the client receives it: a gRPC status code, a message and, like
/// Fabric's gateway (`newRpcError` in its apiutils), one `gateway.ErrorDetail{address, msp_id,
/// message}` per endorser or orderer that failed, packed as `google.rpc.Status` details in the
/// `grpc-status-details-bin` trailer, where fabric-gateway's clients read them.
///
/// Guarantees: `rpcError` carries `code` and `message` unchanged; the trailer is present exactly
/// when `details` is not empty, and unpacks (``details(of:)``) to the same details in order.
public struct GatewayFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: RPCError.Code
    public var message: String
    public var details: [Gateway_ErrorDetail]

    public init(_ code: RPCError.Code, _ message: String, details: [Gateway_ErrorDetail] = []) {
        self.code = code
        self.message = message
        self.details = details
    }

    public var description: String {
        guard !details.isEmpty else { return "\(code): \(message)" }
        let each = details.map { "\($0.mspID) at \($0.address): \($0.message)" }
        return "\(code): \(message) [\(each.joined(separator: "; "))]"
    }

    /// The error a handler throws.
    public var rpcError: RPCError {
        guard !details.isEmpty else { return RPCError(code: code, message: message) }
        let packed: [ErrorDetails] = details.compactMap { detail in
            guard let any = try? Google_Protobuf_Any(message: detail) else { return nil }
            return ErrorDetails.any(any)
        }
        return RPCError(GoogleRPCStatus(code: code, message: message, details: packed))
    }

    /// The `gateway.ErrorDetail`s in an error's status details (empty when there are none).
    public static func details(of error: RPCError) -> [Gateway_ErrorDetail] {
        guard let status = try? error.unpackGoogleRPCStatus() else { return [] }
        return status.details.compactMap { detail in
            detail.any.flatMap { try? Gateway_ErrorDetail(unpackingAny: $0) }
        }
    }

    /// One detail naming the node that failed and how.
    public static func detail(address: String, mspID: String, _ message: String) -> Gateway_ErrorDetail {
        var detail = Gateway_ErrorDetail()
        detail.address = address
        detail.mspID = mspID
        detail.message = message
        return detail
    }
}
