import Logging

/// swift-log's handler for a node's loggers: asks the node's `NodeLogger` for the module's level
/// at every call (so `/logspec` changes apply at once), and writes each line through the sink.
///
/// Guarantees: a `logLevel` set on one logger applies to that logger only and overrides the spec
/// for it (swift-log's value semantics); metadata is written after the message as `key=value`.
struct NodeLogHandler: LogHandler {
    let module: String
    let node: NodeLogger
    let sink: any LogSink
    var metadata: Logger.Metadata = [:]
    private var override: Logger.Level?

    init(module: String, node: NodeLogger, sink: any LogSink) {
        self.module = module
        self.node = node
        self.sink = sink
    }

    var logLevel: Logger.Level {
        get { override ?? node.level(for: module) }
        set { override = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var text = event.message.description
        if !metadata.isEmpty || event.metadata?.isEmpty == false {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            text += " " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
        sink.write(NodeLogLine.format(node: node.name, level: event.level, module: module, message: text))
    }
}
