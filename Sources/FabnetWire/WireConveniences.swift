/// Small initializers for wire messages that are built in many places.
extension WireEndpoint {
    /// A host and port as the wire carries them.
    public init(host: String, port: Int) {
        self.init()
        self.host = host
        self.port = UInt32(truncatingIfNeeded: port)
    }
}
