import OperationsEndpoint
import Testing

@Suite struct NodeMetricsTests {
    @Test func instrumentsWithOneNameAndLabelsShareASeriesAndNodesKeepTheirOwn() {
        let first = NodeMetrics(), second = NodeMetrics()
        first.counter("fabnet_blocks_received_total", [("via", "push")]).increment(by: 2)
        first.counter("fabnet_blocks_received_total", [("via", "push")]).increment()
        first.gauge("ledger_blockchain_height", [("channel", "mychannel")]).record(7)
        let text = first.exposition()
        #expect(text.contains(#"fabnet_blocks_received_total{via="push"} 3"#), "\(text)")
        #expect(text.contains(#"ledger_blockchain_height{channel="mychannel"} 7"#), "\(text)")
        #expect(!second.exposition().contains("fabnet_blocks_received_total"))
    }

    @Test func aTimerIsAHistogramInSeconds() {
        let metrics = NodeMetrics()
        metrics.timer("fabnet_ledger_commit_seconds").recordMilliseconds(3)
        let text = metrics.exposition()
        #expect(text.contains("fabnet_ledger_commit_seconds_count 1"), "\(text)")
        #expect(text.contains("fabnet_ledger_commit_seconds_sum 0.003"), "\(text)")
    }
}
