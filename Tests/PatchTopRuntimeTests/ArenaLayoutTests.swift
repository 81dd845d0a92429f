@testable import PatchTopRuntime
import XCTest

final class ArenaLayoutTests: XCTestCase {
    typealias Buffer = ArenaLayout.Buffer

    private func assertNoOverlap(_ layout: ArenaLayout, file: StaticString = #filePath, line: UInt = #line) {
        for a in layout.placements {
            for b in layout.placements where a.buffer.id < b.buffer.id {
                let timeOverlap = a.buffer.first <= b.buffer.last && b.buffer.first <= a.buffer.last
                let memoryOverlap = a.offset < b.end && b.offset < a.end && a.buffer.bytes > 0 && b.buffer.bytes > 0
                XCTAssertFalse(timeOverlap && memoryOverlap, "buffers \(a.buffer.id) and \(b.buffer.id) collide", file: file, line: line)
            }
        }
    }

    func testAChainReusesMemoryAndReachesTheLivenessPeak() {
        // in(100) → a(300) → b(200) → c(50): peaks at a+b = 500.
        let layout = ArenaLayout(buffers: [
            Buffer(id: 0, bytes: 100, first: 0, last: 0),
            Buffer(id: 1, bytes: 300, first: 0, last: 1),
            Buffer(id: 2, bytes: 200, first: 1, last: 2),
            Buffer(id: 3, bytes: 50, first: 2, last: 2),
        ])
        XCTAssertEqual(layout.livenessLowerBound, 500)
        XCTAssertEqual(layout.arenaBytes, 500)
        assertNoOverlap(layout)
    }

    func testAResidualSkipStaysPlacedAcrossItsBlock() {
        let layout = ArenaLayout(buffers: [
            Buffer(id: 0, bytes: 64, first: 0, last: 3),   // skip tensor
            Buffer(id: 1, bytes: 128, first: 0, last: 1),
            Buffer(id: 2, bytes: 128, first: 1, last: 2),
            Buffer(id: 3, bytes: 64, first: 2, last: 3),
            Buffer(id: 4, bytes: 64, first: 3, last: 3),
        ])
        XCTAssertEqual(layout.livenessLowerBound, 64 + 128 + 128)
        XCTAssertEqual(layout.arenaBytes, layout.livenessLowerBound)
        assertNoOverlap(layout)
        XCTAssertEqual(layout.live(at: 3).map(\.buffer.id).sorted(), [0, 3, 4])
    }

    func testRandomLifetimesNeverCollide() {
        var seed: UInt64 = 42
        func next(_ bound: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(bound))
        }
        for _ in 0..<50 {
            let buffers = (0..<30).map { id -> Buffer in
                let first = next(20)
                return Buffer(id: id, bytes: 1 + next(1000), first: first, last: first + next(5))
            }
            let layout = ArenaLayout(buffers: buffers)
            assertNoOverlap(layout)
            XCTAssertGreaterThanOrEqual(layout.arenaBytes, layout.livenessLowerBound)
        }
    }

    func testEmptyArena() {
        let layout = ArenaLayout(buffers: [])
        XCTAssertEqual(layout.arenaBytes, 0)
        XCTAssertEqual(layout.livenessLowerBound, 0)
    }

    /// The tiny-allops p=2 n=3 arena, where placing the largest buffers
    /// first misses the peak: the two big late buffers must sit at opposite
    /// ends, with the earlier ones arranged around them.
    func testInterleavedLifetimesStillReachThePeak() {
        let buffers = [
            Buffer(id: 0, bytes: 3072, first: 0, last: 2), Buffer(id: 22, bytes: 5776, first: 0, last: 3),
            Buffer(id: 23, bytes: 3468, first: 3, last: 6), Buffer(id: 24, bytes: 2312, first: 4, last: 5),
            Buffer(id: 25, bytes: 2312, first: 5, last: 7), Buffer(id: 26, bytes: 3468, first: 6, last: 7),
            Buffer(id: 27, bytes: 5780, first: 7, last: 8), Buffer(id: 28, bytes: 5780, first: 8, last: 9),
            Buffer(id: 29, bytes: 1280, first: 9, last: 11), Buffer(id: 62, bytes: 720, first: 0, last: 1),
            Buffer(id: 63, bytes: 1152, first: 1, last: 2),
        ]
        let greedy = ArenaLayout.place(buffers.sorted { $0.bytes > $1.bytes }, bestFit: false)
        XCTAssertGreaterThan(greedy.map(\.end).max() ?? 0, 11_560, "the case should defeat largest-first")
        let layout = ArenaLayout(buffers: buffers)
        XCTAssertEqual(layout.livenessLowerBound, 11_560)
        XCTAssertEqual(layout.arenaBytes, 11_560)
        assertNoOverlap(layout)
    }
}
