/// What a node of the network does. The raw value is the NodeOU a certificate carries.
public enum NodeRole: String, Hashable, Sendable, Codable, CaseIterable {
    case peer
    case orderer
}

/// What a user identity may do. The raw value is the NodeOU its enrollment certificate carries.
public enum UserRole: String, Hashable, Sendable, Codable, CaseIterable {
    case admin
    case client
}
