/// TFLite Micro's single arena allocator, replayed on offsets: one buffer of
/// `arenaSize` bytes whose head grows up (the planned, non-persistent area
/// and temporary allocations) and whose tail grows down (persistent data).
///
/// Example: with a 1,000-byte arena, a persistent allocation of 100 bytes
/// aligned to 16 lands at `alignDown(1000 − 100, 16) = 896`, so the tail
/// then holds 104 bytes; a temporary one of 10 bytes aligned to 8 lands at
/// the head. The checks are TFLite Micro's, including what they do not
/// check: a persistent allocation is only checked against the head, not
/// against temporary allocations above it.
///
/// Offsets stand for addresses: the Python interpreter's arena comes from
/// `new uint8_t[n]`, which is 16-byte aligned, and no alignment TFLite Micro
/// asks for exceeds 16, so offset arithmetic aligns exactly as addresses do.
struct TFLiteMicroArenaAllocator {
    let arenaSize: Int
    private(set) var head = 0
    private(set) var temp = 0
    private(set) var tail: Int

    init(arenaSize: Int) {
        self.arenaSize = arenaSize
        tail = arenaSize
    }

    /// Bytes the tail holds (`GetPersistentUsedBytes`).
    var persistentBytes: Int { arenaSize - tail }

    /// `AllocatePersistentBuffer`: `false` when it would cross the head.
    mutating func allocatePersistent(_ size: Int, alignment: Int) -> Bool {
        let result = Self.alignDown(tail - size, alignment)
        guard result >= head else { return false }
        tail = result
        return true
    }

    /// `AllocateTemp`: `false` when fewer than `size` bytes are left above
    /// the aligned temp pointer. TFLite Micro computes what is left as an
    /// unsigned difference, so an aligned pointer past the tail reads as a
    /// huge amount left and succeeds; that is kept.
    mutating func allocateTemp(_ size: Int, alignment: Int) -> Bool {
        let result = Self.alignUp(temp, alignment)
        if result <= tail, tail - result < size { return false }
        temp = result + size
        return true
    }

    /// `ResetTempAllocations`: temporary allocations end at the head again.
    mutating func resetTemp() { temp = head }

    /// `ResizeBuffer` / `ReserveNonPersistentOverlayMemory` on the one
    /// resizable buffer at the arena's start: the head becomes its end.
    mutating func resizeHead(_ size: Int, alignment: Int) -> Bool {
        let start = Self.alignUp(0, alignment)
        guard tail - start >= size else { return false }
        head = start + size
        temp = head
        return true
    }

    /// `GetAvailableMemory`: bytes between the aligned temp pointer and the
    /// aligned tail (negative where they cross, which TFLite Micro's next
    /// allocation then refuses).
    func availableMemory(alignment: Int) -> Int {
        Self.alignDown(tail, alignment) - Self.alignUp(temp, alignment)
    }

    static func alignUp(_ value: Int, _ alignment: Int) -> Int {
        let remainder = value % alignment
        return remainder == 0 ? value : value + alignment - remainder
    }

    /// Rounds towards minus infinity, so negative offsets (an allocation larger
    /// than the space left) stay below the head and fail its check.
    static func alignDown(_ value: Int, _ alignment: Int) -> Int {
        let remainder = ((value % alignment) + alignment) % alignment
        return value - remainder
    }
}
