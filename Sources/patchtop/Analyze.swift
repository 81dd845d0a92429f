import ArgumentParser
import Foundation
import PatchTopModel
import PatchTopPlan
import PatchTopReports

/// `patchtop analyze MODEL`: the per-layer activation memory profile.
struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print every layer's activation sizes, live bytes and MACs, and the peak."
    )

    @Argument(help: "A TFLite flatbuffer (.tflite).")
    var model: String = defaultModelPath

    @OptionGroup var memory: MemoryFlags

    @OptionGroup var latency: LatencyFlags

    @Flag(help: "Print one JSON object instead of the table.")
    var json = false

    func run() throws {
        let loaded = try loadModel(model)
        let report = AnalysisReport(model: loaded, options: memory.options)
        let setup = try latency.resolve()
        // Layer by layer under the same memory options: what the export runs.
        let plan = try setup.map { _ in try PatchPlan(model: loaded, patches: 1, patchLayers: 0, options: memory.options) }
        if json {
            var object = AnalysisJSON(report)
            if let setup, let plan {
                object.latency = setup.json(plan, includeOps: true)
                object.instructions = object.latency?.instructions
            }
            try printJSON(object)
        } else {
            let predicted = setup.flatMap { setup in plan.map { [""] + setup.lines($0, perOp: true) } } ?? []
            print((report.lines() + TinyEngineLines.lines(model: loaded, patches: 1, patchLayers: 0) + predicted).joined(separator: "\n"))
        }
    }
}
