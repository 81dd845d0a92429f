import Foundation
import PatchTopModel
import PatchTopPlan
@testable import PatchTopRuntime
import XCTest

/// Halo caches: the stage computes each cached position once, the output
/// stays byte-identical to layer by layer, and the arena the run touches
/// is the plan's peak, caches included.
final class HaloCacheTests: XCTestCase {
    private func seededInput(for model: Model, seed: UInt64) -> [Int8] {
        var state = seed
        let tensor = model.tensors[model.callerInputs[0]]
        let next = { () -> Int8 in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int8(truncatingIfNeeded: state >> 56)
        }
        guard tensor.type == .float32 else { return (0..<tensor.byteCount).map { _ in next() } }
        return (0..<tensor.elementCount).flatMap { _ -> [Int8] in
            withUnsafeBytes(of: (Float(next()) / 64).bitPattern.littleEndian) { $0.map { Int8(bitPattern: $0) } }
        }
    }

    /// Every valid n, thinned to `count` spread over the range.
    private func layerChoices(_ model: Model, patches: Int, count: Int) -> [Int] {
        let valid = (1...max(1, model.operators.count)).filter {
            (try? PatchPlan(model: model, patches: patches, patchLayers: $0)) != nil
        }
        guard valid.count > count else { return valid }
        return (0..<count).map { valid[$0 * (valid.count - 1) / (count - 1)] }
    }

    private func assertCachedRuns(_ name: String, patches: [Int], layers: Int, options: [MemoryOptions],
                                  file: StaticString = #filePath, line: UInt = #line) throws {
        let model = try TFLiteReader.load(path: TestFiles.sample(name))
        let prepared = try PreparedModel(model: model)
        let input = seededInput(for: model, seed: 11)
        let reference = try XCTUnwrap(try ArenaProgram(prepared: prepared).run(input: input))
        var cachedPlans = 0
        for memory in options {
            for p in patches {
                for n in layerChoices(model, patches: p, count: layers) {
                    let plain = try PatchPlan(model: model, patches: p, patchLayers: n, options: memory)
                    for caching in [HaloCaching.all, .auto(budget: nil), .only(.row), .only(.column)] {
                        let plan = try PatchPlan(model: model, patches: p, patchLayers: n, options: memory, haloCaching: caching)
                        let label = "\(name) p=\(p) n=\(n) \(caching.name) \(memory.summary)"
                        let run = try XCTUnwrap(try ArenaProgram(prepared: prepared, plan: plan).run(input: input))
                        XCTAssertTrue(run.outputs == reference.outputs, "\(label): output differs from layer by layer", file: file, line: line)
                        XCTAssertEqual(run.measuredArenaBytes, plan.peakBytes, "\(label): measured arena", file: file, line: line)
                        XCTAssertEqual(run.plannedArenaBytes, plan.peakBytes, "\(label): layout", file: file, line: line)
                        XCTAssertLessThanOrEqual(plan.macs, plain.macs, label, file: file, line: line)
                        if case .auto = caching {
                            XCTAssertLessThanOrEqual(plan.peakBytes, max(plain.peakBytes * 5 / 4, plain.peakBytes), label, file: file, line: line)
                        }
                        if !plan.caches.isEmpty { cachedPlans += 1 }
                    }
                }
            }
        }
        XCTAssertGreaterThan(cachedPlans, 3, "\(name): too few plans used a cache", file: file, line: line)
    }

    func testMobileNetV2() throws {
        try assertCachedRuns("mbv2-w0.35-r144", patches: [2, 3, 4], layers: 5,
                             options: [.tfliteMicro, MemoryOptions(inplaceDepthwise: true, streamInput: true)])
    }

    func testMCUNetWithLargeKernels() throws {
        try assertCachedRuns("mcunet-kmix-r112", patches: [2, 4, 5], layers: 5,
                             options: [MemoryOptions(streamInput: true), MemoryOptions(inplaceDepthwise: true, streamInput: true, fuseResidual: true)])
    }

    func testEveryOtherSampleModel() throws {
        for name in ["mbv1-w0.25-r96-g", "mbv3s-r96", "tiny-allops", "tiny-moreops", "tiny-float-io",
                     "resnet8-r32", "dscnn-kws"] {
            try assertCachedRuns(name, patches: [2, 3], layers: 4, options: [.tfliteMicro, MemoryOptions(streamInput: true)])
        }
    }

    /// With every stage tensor cached both ways, no position of any stage
    /// op is computed twice: the MAC overhead is zero.
    func testAllCachesComputeEachPositionOnce() throws {
        for name in ["mbv2-w0.35-r144", "mcunet-kmix-r112", "mbv1-w0.25-r96-g", "mbv3s-r96"] {
            let model = try TFLiteReader.load(path: TestFiles.sample(name))
            for p in [2, 3, 4] {
                for n in layerChoices(model, patches: p, count: 4) {
                    let plan = try PatchPlan(model: model, patches: p, patchLayers: n, haloCaching: .all)
                    for op in model.operators[0..<n] where !plan.caches.filter({ $0.tensor == op.output }).isEmpty {
                        let shape = model.tensors[op.output].shape
                        var count = [Int](repeating: 0, count: shape[1] * shape[2])
                        for regions in plan.computedRegions {
                            for row in regions[op.index].rows { for col in regions[op.index].cols { count[row * shape[2] + col] += 1 } }
                        }
                        XCTAssertLessThanOrEqual(count.max() ?? 0, 1, "\(name) p=\(p) n=\(n) op \(op.index) computes a position twice")
                    }
                    XCTAssertLessThanOrEqual(plan.macOverhead, 1e-12, "\(name) p=\(p) n=\(n)")
                    XCTAssertEqual(plan.cacheMacsSaved, plan.macsWithoutCaches - plan.macs)
                }
            }
        }
    }

    /// `auto` keeps to an explicit budget, and with a budget too small for
    /// any cache it is the plain plan.
    func testAutoKeepsToItsBudget() throws {
        let model = try TFLiteReader.load(path: TestFiles.sample("mbv2-w1.0-r224"))
        let options = MemoryOptions(inplaceDepthwise: true, streamInput: true)
        let plain = try PatchPlan(model: model, patches: 4, patchLayers: 13, options: options)
        var previous = plain.macs
        for extra in [0, 10, 25, 50] {
            let budget = plain.peakBytes + plain.peakBytes * extra / 100
            let plan = try PatchPlan(model: model, patches: 4, patchLayers: 13, options: options, haloCaching: .auto(budget: budget))
            XCTAssertLessThanOrEqual(plan.peakBytes, budget, "+\(extra)%")
            XCTAssertLessThanOrEqual(plan.macs, previous, "+\(extra)%: a larger budget never costs MACs")
            previous = plan.macs
        }
        XCTAssertLessThan(previous, plain.macs, "+50% memory buys some recompute back")
        let tight = try PatchPlan(model: model, patches: 4, patchLayers: 13, options: options, haloCaching: .auto(budget: plain.peakBytes - 1))
        XCTAssertEqual(tight.macs, plain.macs)
        XCTAssertEqual(tight.caches, [])
    }
}
