import Foundation

/// Fabric's `/healthz` body: `{"status":"OK","time":"…"}`, or with 503
/// `{"status":"Service Unavailable","time":"…","failed_checks":[{"component":…,"reason":…}]}`.
///
/// Guarantees: `time` is RFC 3339 in UTC with fractional seconds, as Go writes a `time.Time`;
/// `failed_checks` is left out when nothing failed, as Fabric's `omitempty` does.
struct HealthBody: Encodable {
    /// One failed check: which part of the node and why.
    struct FailedCheck: Encodable {
        let component: String
        let reason: String
    }

    let status: String
    let time: String
    let failedChecks: [FailedCheck]?

    enum CodingKeys: String, CodingKey {
        case status, time
        case failedChecks = "failed_checks"
    }

    /// One format style for every call (a formatter per call cost a `/healthz` poll dearly).
    static let timeFormat = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
}

extension OperationsResponse {
    /// `/healthz`: 200 when `failedChecks` is empty, else 503 naming them.
    public static func health(failedChecks: [(component: String, reason: String)], now: Date = Date()) -> OperationsResponse {
        let time = HealthBody.timeFormat.format(now)
        guard !failedChecks.isEmpty else { return json(HealthBody(status: "OK", time: time, failedChecks: nil)) }
        let checks = failedChecks.map { HealthBody.FailedCheck(component: $0.component, reason: $0.reason) }
        return json(HealthBody(status: "Service Unavailable", time: time, failedChecks: checks), status: .serviceUnavailable)
    }
}
