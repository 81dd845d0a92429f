import PatchTopPlan
import XCTest

/// TinyEngine's allocator on small hand-made cases, quirks included.
final class TinyEngineAllocatorTests: XCTestCase {
    private func placements(_ rects: [(Int, Int, Int)]) -> (placed: [Int: Int], arena: Int) {
        var allocator = TinyEngineAllocator()
        for (start, end, bytes) in rects { allocator.add(start: start, end: end, bytes: bytes) }
        XCTAssertTrue(allocator.allocate())
        var placed: [Int: Int] = [:]
        for rect in allocator.rectangles { placed[rect.index] = rect.placement }
        return (placed, allocator.arenaBytes)
    }

    func testAChainReusesMemoryLargestFirst() {
        // 0 → 1 → 2: a [0,2) 100 B, b [1,3) 60 B, c [2,3) 100 B.
        let (placed, arena) = placements([(0, 2, 100), (1, 3, 60), (2, 3, 100)])
        // Sorted by size: a (100) at 0; c (100): a ends at 2 = c's start, no overlap → 0;
        // b (60) overlaps both → above them at 100.
        XCTAssertEqual(placed, [0: 0, 2: 0, 1: 100])
        XCTAssertEqual(arena, 160)
    }

    func testFirstFitTakesTheLowestGapThatIsLargeEnough() {
        // x [0,4) 40, y [0,2) 30, z [1,4) 50, w [2,4) 25.
        let (placed, arena) = placements([(0, 4, 40), (0, 2, 30), (1, 4, 50), (2, 4, 25)])
        // z 50 at 0; x 40 at 50; y 30 at 90; w 25 reuses y's 30 bytes once y is dead → 90.
        XCTAssertEqual(placed, [2: 0, 0: 50, 1: 90, 3: 90])
        XCTAssertEqual(arena, 120)
    }

    func testEqualLifetimesDoNotCountAsOverlapping() {
        // TinyEngine compares lifetimes strictly: two tensors born and freed at
        // the same layers share an address (its arena is then too small).
        let (placed, arena) = placements([(3, 5, 64), (3, 5, 32)])
        XCTAssertEqual(placed, [0: 0, 1: 0])
        XCTAssertEqual(arena, 64)
    }

    func testTheSlotAfterACutSlotIsSkipped() {
        // a [0,10) 100 at 0; b [0,10) 100: equal lifetime → also 0 (quirk above).
        // c [1,9) 10 overlaps both: the first cut of slot 0…limit leaves 100…limit;
        // b cuts it again at the same place → c at 100.
        let (placed, _) = placements([(0, 10, 100), (0, 10, 100), (1, 9, 10)])
        XCTAssertEqual(placed[2], 100)
    }

    func testAStride2InplaceBufferShrinksToAQuarterForLaterTensors() throws {
        let model = try TinyEngineMeasuredTests.sharedModel("vww")
        let memory = try TinyEngineMemory(layers: try TinyEngineLayerList(model: model), patches: 1, splitIndex: nil)
        XCTAssertTrue(memory.rectangles.contains { $0.stride2InplaceLayer != nil })
        XCTAssertEqual(memory.arenaBytes, 89_600)
    }

    func testRoundingToFourBytes() {
        XCTAssertEqual(TinyEngineTensor(name: "t", dims: [3, 5, 5]).bytes, 76)
        XCTAssertEqual(TinyEngineTensor(name: "t", dims: [4, 5, 5]).bytes, 100)
        XCTAssertEqual(TinyEngineTensor(name: "t", dims: [1, 1, 1]).bytes, 4)
    }

    func testATensorTooLargeForTheLimitIsAFailureNotATrap() {
        var allocator = TinyEngineAllocator(limit: 1000)
        allocator.add(start: 0, end: 2, bytes: 600)
        allocator.add(start: 1, end: 3, bytes: 600)
        XCTAssertFalse(allocator.allocate())
    }
}
