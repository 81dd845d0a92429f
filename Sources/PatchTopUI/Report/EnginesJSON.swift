import PatchTopModel
import PatchTopPlan

/// `engines` in `patchtop analyze --json`: what each inference engine would
/// reserve for the model. `tflm` is `null` (never a guess) when PatchTop
/// cannot predict TFLite Micro's arena, with `tflmUnavailable` saying why.
public struct EnginesJSON: Codable, Equatable, Sendable {
    public var tflm: TFLiteMicroJSON?
    public var tflmUnavailable: String?

    public init(tflm prediction: Result<TFLiteMicroArena, TFLiteMicroUnavailable>) {
        switch prediction {
        case .success(let arena): tflm = TFLiteMicroJSON(arena)
        case .failure(let unavailable): tflmUnavailable = unavailable.reason
        }
    }

    enum CodingKeys: String, CodingKey { case tflm, tflmUnavailable }

    /// Writes `tflm` even when it is `null`, so scripts see the key.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(tflm, forKey: .tflm)
        try container.encodeIfPresent(tflmUnavailable, forKey: .tflmUnavailable)
    }
}
