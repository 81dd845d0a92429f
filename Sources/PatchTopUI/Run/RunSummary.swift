/// What one background run found: the status line's figures.
///
/// `identical` compares the patched output with the layer-by-layer output
/// byte for byte on the same seeded input; it must always be true, and the
/// status line shouts when it is not.
public struct RunSummary: Equatable, Sendable {
    public var request: RunRequest
    /// The plan's peak and the layer-by-layer peak (liveness), in bytes.
    public var peakBytes: Int
    public var layerByLayerPeakBytes: Int
    public var macOverhead: Double
    /// The arena the runtime really used (its high-water mark), when the
    /// runtime reports it; `nil` when only the planned layout is known.
    public var measuredArenaBytes: Int?
    /// The arena laid out ahead of time for this plan.
    public var plannedArenaBytes: Int
    /// Wall time of the patched inference, in milliseconds.
    public var milliseconds: Double
    public var identical: Bool
    /// MACs the plan's halo caches save (0 without caches).
    public var cacheMacsSaved: Int = 0

    public init(request: RunRequest, peakBytes: Int, layerByLayerPeakBytes: Int, macOverhead: Double,
                measuredArenaBytes: Int?, plannedArenaBytes: Int, milliseconds: Double, identical: Bool) {
        self.request = request
        self.peakBytes = peakBytes
        self.layerByLayerPeakBytes = layerByLayerPeakBytes
        self.macOverhead = macOverhead
        self.measuredArenaBytes = measuredArenaBytes
        self.plannedArenaBytes = plannedArenaBytes
        self.milliseconds = milliseconds
        self.identical = identical
    }

    public var peakReduction: Double { peakBytes == 0 ? 1 : Double(layerByLayerPeakBytes) / Double(peakBytes) }
}

/// Where the background run stands, as the status line shows it.
public enum RunStatus: Equatable, Sendable {
    case idle
    case running(RunRequest)
    case finished(RunSummary)
    case failed(RunRequest, reason: String)
}
