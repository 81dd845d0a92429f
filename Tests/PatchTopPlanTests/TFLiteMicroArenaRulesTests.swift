import PatchTopModel
@testable import PatchTopPlan
import XCTest

/// TFLite Micro's allocation rules as PatchTop replays them, on hand-made
/// cases: the greedy planner's order and gaps, the arena's alignment and
/// checks, the planner's lifetimes, and the cases with no figure.
final class TFLiteMicroArenaRulesTests: XCTestCase {
    typealias Buffer = TFLiteMicroGreedyPlanner.Buffer

    // MARK: Greedy planner

    func testLargestFirstAndTheLastAddedOfEqualSizesFirst() {
        // A (16, steps 1–2), B (32, 2–3), C (16, 3): B at 0, C (added after
        // A) placed before A, after B; A overlaps B but not C, so also at 32.
        let plan = TFLiteMicroGreedyPlanner(buffers: [
            Buffer(size: 16, firstUsed: 1, lastUsed: 2),
            Buffer(size: 32, firstUsed: 2, lastUsed: 3),
            Buffer(size: 16, firstUsed: 3, lastUsed: 3),
        ])
        XCTAssertEqual(plan.offsets, [32, 0, 32])
        XCTAssertEqual(plan.headBytes, 48)
    }

    func testEqualSizesOverlappingInTimeGoLastAddedAtZero() {
        let plan = TFLiteMicroGreedyPlanner(buffers: [
            Buffer(size: 16, firstUsed: 0, lastUsed: 1),
            Buffer(size: 16, firstUsed: 1, lastUsed: 2),
        ])
        XCTAssertEqual(plan.offsets, [16, 0])
    }

    func testASmallBufferFillsAGapBelowALargerOneAndLifetimesAreInclusive() {
        // A 64 [0,1] at 0; B 48 [1,3] overlaps A at step 1 → 64; C 32 [2,2]
        // overlaps only B, fits the 64-byte gap below it → 0; D 16 [0,0]
        // overlaps only A → after A at 64 (B is not live at step 0).
        let plan = TFLiteMicroGreedyPlanner(buffers: [
            Buffer(size: 64, firstUsed: 0, lastUsed: 1),
            Buffer(size: 48, firstUsed: 1, lastUsed: 3),
            Buffer(size: 32, firstUsed: 2, lastUsed: 2),
            Buffer(size: 16, firstUsed: 0, lastUsed: 0),
        ])
        XCTAssertEqual(plan.offsets, [0, 64, 0, 64])
        XCTAssertEqual(plan.headBytes, 112)
    }

    func testABufferGoesAfterEveryLiveBufferItCannotFitBefore() {
        // X 64 [0,2] at 0; Z 16 [2,2] (added after Y, so placed first) after
        // X at 64; Y 16 [0,2] overlaps both, and the gaps before X and
        // between X and Z are empty, so it goes after Z at 80.
        let plan = TFLiteMicroGreedyPlanner(buffers: [
            Buffer(size: 64, firstUsed: 0, lastUsed: 2),
            Buffer(size: 16, firstUsed: 0, lastUsed: 2),
            Buffer(size: 16, firstUsed: 2, lastUsed: 2),
        ])
        XCTAssertEqual(plan.offsets, [0, 80, 64])
        XCTAssertEqual(plan.headBytes, 96)
    }

    func testNoBuffersNeedNoHead() {
        XCTAssertEqual(TFLiteMicroGreedyPlanner(buffers: []).headBytes, 0)
    }

    // MARK: Arena allocator

    func testPersistentAllocationsAlignTheirStartDownwards() {
        var arena = TFLiteMicroArenaAllocator(arenaSize: 1_000)
        XCTAssertTrue(arena.allocatePersistent(100, alignment: 16))
        XCTAssertEqual(arena.tail, 896)  // 900 rounded down to 16
        XCTAssertTrue(arena.allocatePersistent(3, alignment: 8))
        XCTAssertEqual(arena.tail, 888)
        XCTAssertEqual(arena.persistentBytes, 112)
    }

    func testTemporaryAllocationsAlignUpwardsAndResetToTheHead() {
        var arena = TFLiteMicroArenaAllocator(arenaSize: 1_000)
        XCTAssertTrue(arena.resizeHead(192, alignment: 8))
        XCTAssertTrue(arena.allocateTemp(10, alignment: 8))
        XCTAssertTrue(arena.allocateTemp(4, alignment: 8))
        XCTAssertEqual(arena.temp, 212)  // 192 + 10 = 202, rounded up to 208, + 4
        arena.resetTemp()
        XCTAssertEqual(arena.temp, 192)
    }

    func testTheChecksAreTFLiteMicrosOwn() {
        var arena = TFLiteMicroArenaAllocator(arenaSize: 256)
        XCTAssertTrue(arena.resizeHead(128, alignment: 16))
        XCTAssertFalse(arena.allocatePersistent(129, alignment: 1), "would cross the head")
        XCTAssertTrue(arena.allocatePersistent(128, alignment: 1))
        XCTAssertFalse(arena.allocateTemp(1, alignment: 1), "no byte left above the head")
        XCTAssertTrue(arena.allocateTemp(0, alignment: 1))
        // A persistent allocation is checked against the head only, not
        // against temporary allocations above it.
        var loose = TFLiteMicroArenaAllocator(arenaSize: 256)
        XCTAssertTrue(loose.allocateTemp(200, alignment: 1))
        XCTAssertTrue(loose.allocatePersistent(100, alignment: 1))
        XCTAssertFalse(loose.resizeHead(200, alignment: 1))
    }

    // MARK: Lifetimes and the program

    func testPlannedBuffersFollowTFLiteMicrosLifetimes() throws {
        // input 0 → ADD(0, 0) → 1 → MEAN(1, axis 2) → 3 (output); tensor 4 is
        // never touched but has no data, so TFLite Micro still plans it.
        let q = Quantization(scales: [0.1], zeroPoints: [0])
        let model = try Model(name: "lifetimes", tensors: [
            Tensor(index: 0, name: "in", shape: [1, 4, 4, 2], type: .int8, quantization: q),
            Tensor(index: 1, name: "sum", shape: [1, 4, 4, 2], type: .int8, quantization: q),
            Tensor(index: 2, name: "axis", shape: [2], type: .int32, data: [1, 0, 0, 0, 2, 0, 0, 0]),
            Tensor(index: 3, name: "out", shape: [1, 1, 1, 2], type: .int8, quantization: q),
            Tensor(index: 4, name: "unused", shape: [5], type: .int8),
        ], operators: [
            Operator(index: 0, kind: .add, options: .add(activation: .none), inputs: [0, 0], outputs: [1]),
            Operator(index: 1, kind: .mean, options: .reducer(keepDims: true), inputs: [1, 2], outputs: [3]),
        ], inputs: [0], outputs: [3])
        let program = try TFLiteMicroAllocationProgram.build(for: model).get()
        XCTAssertEqual(program.scratchBufferCount, 3)
        let buffers = TFLiteMicroAllocationProgram.plannedBuffers(of: model, scratch: [(1, 8), (1, 16), (1, 8)])
        XCTAssertEqual(buffers, [
            Buffer(size: 32, firstUsed: 0, lastUsed: 1),  // input: step 0 to ADD (step 1)
            Buffer(size: 32, firstUsed: 1, lastUsed: 2),
            Buffer(size: 16, firstUsed: 2, lastUsed: 2),  // graph output: to step 2 = operators.count
            Buffer(size: 16, firstUsed: -1, lastUsed: -1),  // untouched, 5 bytes rounded to 16
            Buffer(size: 16, firstUsed: 2, lastUsed: 2),  // MEAN's scratch, at its step
            Buffer(size: 16, firstUsed: 2, lastUsed: 2),
            Buffer(size: 16, firstUsed: 2, lastUsed: 2),
        ])
        let arena = try TFLiteMicroArena.predict(for: model).get()
        XCTAssertEqual(arena.headBytes, program.headBytes)
        // Step 1: input + sum (64); step 2: sum + out + three scratch buffers (96).
        XCTAssertEqual(arena.headLiveBytes, 32 + 16 + 16 * 3)
        XCTAssertGreaterThanOrEqual(arena.headBytes, arena.headLiveBytes)
        XCTAssertEqual(arena.tail.values.reduce(0, +), arena.tailBytes)
        XCTAssertEqual(arena.tail[.scratchHandles], 24)
        XCTAssertEqual(arena.tail[.evalTensors], 5 * 24)
        XCTAssertEqual(arena.tail[.nodes], 2 * 64)
    }

    // MARK: No figure, with the reason

    func testAnOpPatchTopHasNoAllocationModelForGivesTheReason() throws {
        let q = Quantization(scales: [0.1], zeroPoints: [0])
        let model = try Model(name: "cumsum", tensors: [
            Tensor(index: 0, name: "in", shape: [1, 8], type: .int8, quantization: q),
            Tensor(index: 1, name: "out", shape: [1, 8], type: .int8, quantization: q),
        ], operators: [
            Operator(index: 0, kind: .other(builtinCode: 128, customName: nil), inputs: [0], outputs: [1]),
        ], inputs: [0], outputs: [1])
        XCTAssertEqual(TFLiteMicroArena.predict(for: model), .failure(TFLiteMicroUnavailable(reason:
            "op 0 (CUMSUM) is an op whose TFLite Micro kernel allocations PatchTop does not model (TFLite Micro may lack it too)")))
    }

    func testAnInt16KernelAndControlFlowGiveNoFigure() throws {
        var model = try PlanFixtures.twoConvs()
        XCTAssertNoThrow(try TFLiteMicroArena.predict(for: model).get())
        model.fileFacts = TFLiteFileFacts(subgraphCount: 3)
        XCTAssertEqual(TFLiteMicroArena.predict(for: model), .failure(TFLiteMicroUnavailable(reason:
            "the file has 3 subgraphs (control flow), and PatchTop models one")))

        // int16 kernels allocate lookup tables PatchTop does not model.
        let int16 = try Model(name: "int16", tensors: [
            Tensor(index: 0, name: "in", shape: [1, 4, 4, 1], type: .int16),
            Tensor(index: 1, name: "out", shape: [1, 4, 4, 1], type: .int16),
        ], operators: [
            Operator(index: 0, kind: .logistic, inputs: [0], outputs: [1]),
        ], inputs: [0], outputs: [1])
        XCTAssertEqual(TFLiteMicroArena.predict(for: int16), .failure(TFLiteMicroUnavailable(reason:
            "op 0 (LOGISTIC) has an int16 tensor 0: PatchTop models TFLite Micro's int8 and float32 kernels only")))
    }

    func testAPerChannelFullyConnectedThatLimitsTheArenaGivesNoFigure() throws {
        // One per-channel FULLY_CONNECTED with 4 outputs: Prepare's temporary
        // tensors, not the final layout, limit this tiny arena, and the
        // measured wheel's Prepare there is known only to within some bytes.
        let model = try Model(name: "fc", tensors: [
            Tensor(index: 0, name: "in", shape: [1, 16], type: .int8, quantization: Quantization(scales: [0.1], zeroPoints: [-1])),
            Tensor(index: 1, name: "w", shape: [4, 16], type: .int8, data: [UInt8](repeating: 1, count: 64),
                   quantization: Quantization(scales: [0.1, 0.2, 0.3, 0.4], zeroPoints: [0, 0, 0, 0])),
            Tensor(index: 2, name: "out", shape: [1, 4], type: .int8, quantization: Quantization(scales: [0.2], zeroPoints: [4])),
        ], operators: [
            Operator(index: 0, kind: .fullyConnected, options: .fullyConnected(activation: .none, keepNumDims: false),
                     inputs: [0, 1, -1], outputs: [2]),
        ], inputs: [0], outputs: [2])
        guard case .failure(let unavailable) = TFLiteMicroArena.predict(for: model) else {
            return XCTFail("a figure PatchTop cannot stand behind")
        }
        XCTAssertTrue(unavailable.reason.contains("op 0 (FULLY_CONNECTED)"), unavailable.reason)
    }
}
