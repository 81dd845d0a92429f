import PatchTopModel
import PatchTopPlan

/// One buffer live at the plan's peak op, as the `w` panel lists it.
public struct LiveBuffer: Equatable, Sendable {
    /// `tensor`, `patch region`, `in-place staging`, `residual scratch`, `column cache`, `row cache`.
    public var kind: String
    public var tensor: Int?
    /// The tensor's shape (`56×56×24`) or, for a per-patch buffer, its largest region (`19×19×24`).
    public var extent: String
    public var bytes: Int
    public var firstOp: Int
    public var lastOp: Int

    public init(kind: String, tensor: Int?, extent: String, bytes: Int, firstOp: Int, lastOp: Int) {
        self.kind = kind
        self.tensor = tensor
        self.extent = extent
        self.bytes = bytes
        self.firstOp = firstOp
        self.lastOp = lastOp
    }

    /// The buffers live at `plan.peakOp`, from the memory schedule's
    /// `peakBuffers` (they sum exactly to the peak), largest first.
    public static func atPeak(of plan: PatchPlan) -> [LiveBuffer] {
        let model = plan.model
        func shape(_ tensor: Int) -> String {
            guard model.tensors.indices.contains(tensor) else { return "" }
            let dims = model.tensors[tensor].shape
            return (dims.count > 1 && dims[0] == 1 ? Array(dims.dropFirst()) : dims).map(String.init).joined(separator: "×")
        }
        func region(_ tensor: Int) -> String {
            let largest = plan.tensorRegions.compactMap { $0[tensor] }.max { $0.area < $1.area }
            guard let largest, model.tensors.indices.contains(tensor) else { return shape(tensor) }
            let dims = model.tensors[tensor].shape
            return "\(largest.height)×\(largest.width)" + (dims.count == 4 ? "×\(dims[3])" : "")
        }
        return plan.peakBuffers.map { buffer in
            let extent: String
            switch buffer.kind {
            case .tensor(let t): extent = shape(t) + (model.tensors.indices.contains(t) && model.tensors[t].type == .float32 ? " f32" : "")
            case .patchRegion(let t): extent = region(t)
            case .inplaceStaging(let op): extent = "op \(op) channel"
            case .residualScratch(let op): extent = "op \(op) row"
            case .haloCache(let t, _): extent = "halo of \(region(t))"
            }
            return LiveBuffer(kind: buffer.kind.label, tensor: buffer.kind.tensor, extent: extent, bytes: buffer.bytes,
                              firstOp: buffer.firstOp, lastOp: buffer.lastOp)
        }.sorted { ($0.bytes, -($0.tensor ?? -1)) > ($1.bytes, -($1.tensor ?? -1)) }
    }
}
