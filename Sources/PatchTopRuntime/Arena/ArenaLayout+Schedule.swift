import PatchTopPlan

extension ArenaLayout {
    /// Places the buffers of a memory schedule, nothing more: which buffers
    /// exist, how big they are at each step and what shares one is the
    /// schedule's. Buffer id = index in `schedule.buffers`; steps are ops.
    public init(schedule: MemorySchedule) {
        self.init(buffers: schedule.buffers.enumerated().map { index, buffer in
            let sizes = buffer.sizes
            return sizes.allSatisfy({ $0 == buffer.bytes })
                ? Buffer(id: index, bytes: buffer.bytes, first: buffer.firstOp, last: buffer.lastOp)
                : Buffer(id: index, first: buffer.firstOp, sizes: sizes)
        })
    }

    /// The arena of `plan`: its schedule, placed.
    public init(plan: PatchPlan) {
        self.init(schedule: plan.schedule)
    }
}
