import Foundation
import NIOHTTP1

/// `/logspec` as Fabric serves it: GET answers `{"spec":"…"}`; PUT takes `{"spec":"…"}` and
/// answers 204, or 400 `{"error":"…"}` (Fabric's logspec error body, lower case unlike the
/// other routes' `{"Error":…}`) saying what is wrong and what to send.
///
/// Guarantees: a refused spec leaves the logger's current spec in force (`NodeLogger.setSpec`).
enum LogSpecRoutes {
    /// The body GET answers and PUT takes.
    struct SpecBody: Codable {
        let spec: String
    }

    /// Fabric's `httpadmin` error body for `/logspec`.
    struct ErrorBody: Encodable {
        let error: String
    }

    static func refuse(_ message: String) -> OperationsResponse { .json(ErrorBody(error: message), status: .badRequest) }

    static func add(to router: inout OperationsRouter, logger: NodeLogger) {
        router.on(.GET, "/logspec") { _ in .json(SpecBody(spec: logger.spec)) }
        router.on(.PUT, "/logspec") { request in
            let spec: String
            do {
                spec = try JSONDecoder().decode(SpecBody.self, from: Data(request.body.utf8)).spec
            } catch {
                return refuse(#"PUT /logspec takes JSON {"spec":"<spec>"}, e.g. {"spec":"gossip=debug:info"} (Fabric's logspec body); the body sent is not that"#)
            }
            do {
                try logger.setSpec(spec)
                return OperationsResponse(status: .noContent, contentType: "application/json", body: "")
            } catch {
                return refuse("\(error); the spec in force is still \(logger.spec)")
            }
        }
    }
}
