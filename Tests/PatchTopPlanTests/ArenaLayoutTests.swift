@testable import PatchTopPlan
import PatchTopModel
import XCTest

final class ArenaLayoutTests: XCTestCase {
    /// Schedule buffers holding one tensor each (tensor id = buffer index):
    /// `(bytes, first op, last op)`.
    private func buffers(_ lifetimes: [(bytes: Int, first: Int, last: Int)]) -> [MemorySchedule.Buffer] {
        lifetimes.enumerated().map { index, life in
            MemorySchedule.Buffer(MemorySchedule.Resident(kind: .tensor(index), bytes: life.bytes, firstOp: life.first, lastOp: life.last))
        }
    }

    /// Lays out `buffers` over `ops` ops with the schedule's own liveness.
    private func layout(_ buffers: [MemorySchedule.Buffer]) -> (layout: ArenaLayout, peak: Int) {
        let ops = (buffers.map(\.lastOp).max() ?? -1) + 1
        let live = MemorySchedule.liveBytes(of: buffers, ops: ops)
        return (ArenaLayout(buffers: buffers, liveBytes: live), live.max() ?? 0)
    }

    private func assertNoCollision(_ layout: ArenaLayout, _ buffers: [MemorySchedule.Buffer], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(layout.placements.map(\.buffer), Array(buffers.indices), "one placement per buffer, in order", file: file, line: line)
        for a in layout.placements {
            XCTAssertLessThanOrEqual(a.end, layout.arenaBytes, file: file, line: line)
            for b in layout.placements where a.buffer < b.buffer {
                let (x, y) = (buffers[a.buffer], buffers[b.buffer])
                for op in max(x.firstOp, y.firstOp)...max(min(x.lastOp, y.lastOp), max(x.firstOp, y.firstOp)) {
                    let (xBytes, yBytes) = (x.bytes(at: op), y.bytes(at: op))
                    guard xBytes > 0, yBytes > 0 else { continue }
                    XCTAssertFalse(a.offset < b.offset + yBytes && b.offset < a.offset + xBytes,
                                   "buffers \(a.buffer) and \(b.buffer) collide at op \(op)", file: file, line: line)
                }
            }
        }
    }

    func testAChainReusesMemoryAndReachesTheLivenessPeak() {
        // in(100) → a(300) → b(200) → c(50): peaks at a+b = 500.
        let chain = buffers([(100, 0, 0), (300, 0, 1), (200, 1, 2), (50, 2, 2)])
        let (layout, peak) = layout(chain)
        XCTAssertEqual(peak, 500)
        XCTAssertEqual(layout.arenaBytes, 500)
        assertNoCollision(layout, chain)
    }

    func testAResidualSkipStaysPlacedAcrossItsBlock() {
        let block = buffers([(64, 0, 3), (128, 0, 1), (128, 1, 2), (64, 2, 3), (64, 3, 3)])  // 0: the skip
        let (layout, peak) = layout(block)
        XCTAssertEqual(peak, 64 + 128 + 128)
        XCTAssertEqual(layout.arenaBytes, peak)
        assertNoCollision(layout, block)
    }

    /// A buffer that shrinks (an in-place depthwise conv's output written
    /// over its input) leaves room beside it where it is smaller.
    func testABufferThatChangesSizeIsPlacedByItsSizeAtEachOp() {
        var shared = MemorySchedule.Buffer(MemorySchedule.Resident(kind: .tensor(0), bytes: 400, firstOp: 0, lastOp: 1))
        shared.append(MemorySchedule.Resident(kind: .tensor(1), bytes: 100, firstOp: 1, lastOp: 3))
        let all = [shared, MemorySchedule.Buffer(MemorySchedule.Resident(kind: .tensor(2), bytes: 300, firstOp: 2, lastOp: 3))]
        let (layout, peak) = layout(all)
        XCTAssertEqual(peak, 400)
        XCTAssertEqual(layout.arenaBytes, 400, "the late buffer fits in what the shared one gave back")
        assertNoCollision(layout, all)
    }

    func testRandomLifetimesNeverCollide() {
        var seed: UInt64 = 42
        func next(_ bound: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(bound))
        }
        for _ in 0..<50 {
            let random = buffers((0..<30).map { _ in
                let first = next(20)
                return (1 + next(1000), first, first + next(5))
            })
            let (layout, peak) = layout(random)
            assertNoCollision(layout, random)
            XCTAssertGreaterThanOrEqual(layout.arenaBytes, peak)
        }
    }

    func testEmptyArena() {
        let (layout, peak) = layout([])
        XCTAssertEqual(layout.arenaBytes, 0)
        XCTAssertEqual(peak, 0)
    }

    /// The tiny-allops p=2 n=3 arena, where placing the largest buffers
    /// first misses the peak: the two big late buffers must sit at opposite
    /// ends, with the earlier ones arranged around them.
    func testInterleavedLifetimesStillReachThePeak() {
        let interleaved = buffers([
            (3072, 0, 2), (5776, 0, 3), (3468, 3, 6), (2312, 4, 5), (2312, 5, 7), (3468, 6, 7),
            (5780, 7, 8), (5780, 8, 9), (1280, 9, 11), (720, 0, 1), (1152, 1, 2),
        ])
        let live = MemorySchedule.liveBytes(of: interleaved, ops: 12)
        let placer = Placer(buffers: interleaved, load: live)
        let greedy = placer.place(interleaved.indices.sorted { interleaved[$0].bytes > interleaved[$1].bytes }, bestFit: false)
        XCTAssertGreaterThan(greedy.map { $0.offset + interleaved[$0.buffer].bytes }.max() ?? 0, 11_560, "the case should defeat largest-first")
        let (layout, peak) = layout(interleaved)
        XCTAssertEqual(peak, 11_560)
        XCTAssertEqual(layout.arenaBytes, 11_560)
        assertNoCollision(layout, interleaved)
    }

    /// A plan carries its layout, made once: the same value as laying out
    /// its schedule, and every schedule buffer's kind has an offset.
    func testAPlanCarriesTheLayoutOfItsSchedule() throws {
        let plan = try PatchPlan(model: try PlanFixtures.sample("mbv2-w0.35-r144"), patches: 3, patchLayers: 10,
                                 options: MemoryOptions(inplaceDepthwise: true))
        XCTAssertEqual(plan.layout, ArenaLayout(schedule: plan.schedule))
        XCTAssertEqual(plan.layout.arenaBytes, plan.peakBytes)
        assertNoCollision(plan.layout, plan.schedule.buffers)
    }
}
