/// Why a request to a node did not get its answers.
public enum ClientError: Error, CustomStringConvertible, Equatable {
    /// The node closed the connection before every answer came: what was answered, of how many.
    case closedEarly(String)

    public var description: String {
        switch self {
        case .closedEarly(let reason): reason
        }
    }
}
